import Foundation
import Testing
import TestSupport
#if canImport(Glibc)
import Glibc
#endif

extension ThroughTheStack {
/// The workers behind nginx: bodies and parameters as nginx passes them, and the master's
/// signals handled while nginx keeps sending requests. Uses the `/__test/` routes the test
/// profile enables (STOREFLEET_TEST_ROUTES=1, set by scripts/stack.sh for `test` only).
@Suite("Workers behind nginx")
struct WorkerTests {
    @Test("A multipart upload reaches the worker byte for byte")
    func multipartRoundTrip() throws {
        guard let stack = stackOrRecordIssue() else { return }
        let file: [UInt8] = Array(0...255) + Array(0...255)
        var body: [UInt8] = Array("--XB\r\nContent-Disposition: form-data; name=\"title\"\r\n\r\nMug\r\n".utf8)
        body += Array("--XB\r\nContent-Disposition: form-data; name=\"photo\"; filename=\"m.png\"\r\nContent-Type: image/png\r\n\r\n".utf8)
        body += file + Array("\r\n--XB--\r\n".utf8)

        let response = try RawHTTPClient.request(
            port: try stack.httpPort(), method: "POST", target: "/__test/form", host: try stack.platformDomain(),
            headers: [("Content-Type", "multipart/form-data; boundary=XB")], body: body)

        #expect(response.status == 200)
        #expect(response.text == "title=Mug\nfile photo m.png image/png 512\n")
    }

    @Test("A URL-encoded form keeps its UTF-8")
    func urlEncodedForm() throws {
        guard let stack = stackOrRecordIssue() else { return }
        let response = try RawHTTPClient.request(
            port: try stack.httpPort(), method: "POST", target: "/__test/form", host: try stack.platformDomain(),
            headers: [("Content-Type", "application/x-www-form-urlencoded")], body: Array("name=Caf%C3%A9+cr%C3%A8me".utf8))

        #expect(response.status == 200)
        #expect(response.text == "name=Café crème\n")
    }

    @Test("Bytes that are not UTF-8 in the request line get a 400")
    func invalidUTF8InRequestLine() throws {
        guard let stack = stackOrRecordIssue() else { return }
        let request: [UInt8] = Array("GET /caf".utf8) + [0xC3, 0x28] + Array(" HTTP/1.1\r\nHost: \(try stack.platformDomain())\r\nConnection: close\r\n\r\n".utf8)
        let response = try RawHTTPClient.exchange(port: try stack.httpPort(), bytes: request)
        #expect(response.status == 400)
    }

    @Test("A worker killed with SIGKILL is replaced, and no later request fails")
    func killedWorkerIsReplaced() throws {
        guard let stack = stackOrRecordIssue() else { return }
        let port = try stack.httpPort()
        let host = try stack.platformDomain()
        let before = try Self.metrics(stack)
        let victim = try RawHTTPClient.request(port: port, target: "/__test/pid", host: host).text
        let victimPID = try #require(Int32(victim.trimmingCharacters(in: .whitespacesAndNewlines)))

        #expect(kill(victimPID, SIGKILL) == 0)
        try waitUntil("the master replaces the worker", timeoutSeconds: 15) {
            let now = try Self.metrics(stack)
            return now["storefleet_worker_restarts_total", default: 0] > before["storefleet_worker_restarts_total", default: 0]
                && now["storefleet_workers"] == before["storefleet_workers"]
        }

        var failures: [String] = []
        for _ in 0..<100 {
            let response = try RawHTTPClient.request(port: port, target: "/__test/pid", host: host)
            if response.status != 200 { failures.append("status \(response.status)") }
            if response.text == victim { failures.append("answered by the killed worker") }
        }
        #expect(failures.isEmpty, "\(failures.prefix(5))")
    }

    @Test("SIGHUP under load through nginx: the master reloads and no request fails")
    func reloadUnderLoad() throws {
        guard let stack = stackOrRecordIssue() else { return }
        let port = try stack.httpPort()
        let masterPID = try Self.masterPID(stack)
        let before = try Self.metrics(stack)

        // wrk reports every non-2xx answer and every socket error; it runs for a fixed time.
        let wrk = Process()
        wrk.executableURL = URL(fileURLWithPath: "/usr/bin/wrk")
        wrk.arguments = ["-t2", "-c8", "-d6s", "-H", "Host: \(try stack.platformDomain())",
                         "http://127.0.0.1:\(port)/__test/pid"]
        let output = Pipe()
        wrk.standardOutput = output
        wrk.standardError = output
        try wrk.run()

        try waitUntil("load is flowing", timeoutSeconds: 5) {
            try Self.metrics(stack)["storefleet_requests_total", default: 0] >= before["storefleet_requests_total", default: 0] + 500
        }
        #expect(kill(masterPID, SIGHUP) == 0)
        try waitUntil("the reload completes", timeoutSeconds: 5) {
            try Self.metrics(stack)["storefleet_reloads_total", default: 0] > before["storefleet_reloads_total", default: 0]
        }
        #expect(wrk.isRunning, "the reload finished while wrk was still sending requests")

        let report = String(decoding: output.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        wrk.waitUntilExit()
        #expect(wrk.terminationStatus == 0)
        #expect(report.contains("requests in"), "\(report)")
        #expect(!report.contains("Non-2xx"), "\(report)")
        #expect(!report.contains("Socket errors"), "\(report)")
        #expect(kill(masterPID, 0) == 0, "the master keeps its pid across a reload")
    }

    @Test("A request whose worker dies gets nginx's plain 502 page, and the next ones are served")
    func workerDeathMidRequestShowsThePlain502Page() throws {
        guard let stack = stackOrRecordIssue() else { return }
        let port = try stack.httpPort()
        let host = try stack.platformDomain()
        let masterPID = try Self.masterPID(stack)
        let before = try Self.metrics(stack)

        let slow = BackgroundRequest(port: port, target: "/__test/sleep?ms=5000", host: host)
        try waitUntil("a worker is busy with the slow request", timeoutSeconds: 10) {
            try Self.metrics(stack)["storefleet_workers_busy", default: 0] >= 2   // the sleeper and this probe
        }
        for worker in Self.children(of: masterPID) { kill(worker, SIGKILL) }

        let response = try slow.wait()
        #expect(response.status == 502)
        #expect(response.text.contains("right back"))
        for secret in ["nginx", "fastcgi", "storefleet.sock", "upstream", ".data"] {
            #expect(!response.text.lowercased().contains(secret), "the page mentions \(secret)")
        }

        try waitUntil("the master replaces its workers", timeoutSeconds: 15) {
            (try? Self.metrics(stack)["storefleet_workers"]) == before["storefleet_workers"]
        }
        for _ in 0..<20 {
            #expect(try RawHTTPClient.request(port: port, target: "/healthz", host: host).status == 200)
        }
    }

    /// The master's worker processes.
    static func children(of pid: Int32) -> [Int32] {
        let text = (try? String(contentsOfFile: "/proc/\(pid)/task/\(pid)/children", encoding: .utf8)) ?? ""
        return text.split(separator: " ").compactMap { Int32($0) }
    }

    /// The master's counters, from the test-only metrics route (no token needed).
    static func metrics(_ stack: StackEnvironment) throws -> [String: Double] {
        let response = try RawHTTPClient.request(port: try stack.httpPort(), target: "/__test/metrics", host: try stack.platformDomain())
        guard response.status == 200 else { throw BadStackValue(key: "/__test/metrics", value: "status \(response.status)") }
        var values: [String: Double] = [:]
        for line in response.text.split(separator: "\n") where !line.hasPrefix("#") {
            let parts = line.split(separator: " ")
            guard parts.count == 2, !parts[0].contains("{"), let value = Double(parts[1]) else { continue }
            values[String(parts[0])] = value
        }
        return values
    }

    /// `storefleet serve`'s pid, from the pid file scripts/stack.sh keeps.
    static func masterPID(_ stack: StackEnvironment) throws -> Int32 {
        let file = try stack.value("STOREFLEET_DATA_DIR") + "/run/serve.pid"
        let text = try String(contentsOfFile: file, encoding: .utf8).trimmingCharacters(in: .whitespacesAndNewlines)
        guard let pid = Int32(text) else { throw BadStackValue(key: file, value: text) }
        return pid
    }

    /// Polls `condition` every 50 ms until it holds; fails after `timeoutSeconds`.
    func waitUntil(_ what: String, timeoutSeconds: Double, _ condition: () throws -> Bool) throws {
        let deadline = Date().addingTimeInterval(timeoutSeconds)
        while try !condition() {
            guard Date() < deadline else {
                Issue.record("timed out waiting until \(what)")
                throw BadStackValue(key: "wait", value: what)
            }
            usleep(50_000)
        }
    }
}
}

/// One request sent on its own thread, for tests that act while it is in flight.
final class BackgroundRequest: @unchecked Sendable {
    private let done = DispatchSemaphore(value: 0)
    private var result: Result<RawHTTPResponse, Error>?

    init(port: Int, target: String, host: String) {
        let thread = Thread { [self] in
            result = Result { try RawHTTPClient.request(port: port, target: target, host: host, timeoutSeconds: 30) }
            done.signal()
        }
        thread.start()
    }

    /// The response, once it has come (at most 60 s).
    func wait() throws -> RawHTTPResponse {
        guard done.wait(timeout: .now() + 60) == .success, let result else {
            throw RawHTTPError(step: "background request (no answer in 60 s)", code: ETIMEDOUT)
        }
        return try result.get()
    }
}
