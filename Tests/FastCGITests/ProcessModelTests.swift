import Foundation
import Glibc
import Testing

/// The master and its workers, driven through a real unix socket with our FastCGI client.
/// Each test starts its own `storefleet serve`; they run one at a time (2 cores).
@Suite(.serialized) struct ProcessModelTests {
    @Test func answersThroughTheSocketWithRequestIdsAndErrorPages() throws {
        let server = try ServerProcess(workers: 2)
        let ok = try server.get("/healthz")
        #expect(ok.status == 200)
        #expect(ok.text == "ok\n")
        #expect(ok.header("Content-Length") == "3")
        #expect(ok.header("X-Request-Id")?.count == 32)

        let traced = try FastCGIClient.send(socketPath: server.socketPath, uri: "/healthz",
                                            extraParams: [("HTTP_X_REQUEST_ID", "trace-0123456789")])
        #expect(traced.header("X-Request-Id") == "trace-0123456789")

        // One X-Request-Id per response, the request's, whatever the handler set.
        let own = try FastCGIClient.send(socketPath: server.socketPath, uri: "/__test/own-request-id",
                                         extraParams: [("HTTP_X_REQUEST_ID", "trace-abcdefghij")])
        #expect(own.headers.filter { $0.0.lowercased() == "x-request-id" }.map(\.1) == ["trace-abcdefghij"])

        let missing = try server.get("/nothing/here")
        #expect(missing.status == 404)
        #expect(missing.header("Content-Type") == "text/html; charset=utf-8")

        let failed = try server.get("/__test/fail")
        #expect(failed.status == 500)
        #expect(!failed.text.contains("hunter2"))
        let id = try #require(failed.header("X-Request-Id"))
        #expect(failed.text.contains(id))
        // The internal error goes to the log, with the request id, and never to the client.
        try waitUntil("the error is logged", timeout: 5) { server.log.contains("hunter2") && server.log.contains(id) }

        let head = try FastCGIClient.send(socketPath: server.socketPath, method: "HEAD", uri: "/healthz")
        #expect(head.status == 200)
        #expect(head.body.isEmpty)
        #expect(head.header("Content-Length") == "3")

        let streamed = try server.get("/__test/stream?chunks=3")
        #expect(streamed.text == "chunk 0\nchunk 1\nchunk 2\n")
        #expect(streamed.header("Content-Length") == nil)
    }

    @Test func refusesToStartOnASocketAnotherServerServes() throws {
        let server = try ServerProcess(workers: 1)
        let second = Process()
        second.executableURL = URL(fileURLWithPath: try ServerProcess.binaryPath())
        second.arguments = ["serve", "--socket", server.socketPath, "--workers", "1"]
        let errors = Pipe()
        second.standardError = errors
        try second.run()
        second.waitUntilExit()
        let message = String(decoding: errors.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        #expect(second.terminationStatus != 0)
        #expect(message.contains("already served by another process"))
        #expect(try server.get("/healthz").status == 200, "the first server still owns its socket")
    }

    @Test func workersLeaveWhenTheMasterIsKilledAndTheSocketCanBeReused() throws {
        let server = try ServerProcess(workers: 2)
        let workers = Set(try (0..<6).map { _ in try server.workerPID() })
        server.signal(SIGKILL)
        try waitUntil("orphaned workers exit", timeout: 10) { workers.allSatisfy { !processIsAlive($0) } }
        // The stale socket file left behind does not stop the next server.
        let next = try ServerProcess(workers: 1, socketPath: server.socketPath)
        #expect(try next.get("/healthz").status == 200)
    }

    @Test func backsOffWhenWorkersKeepFailingToStart() throws {
        let server = try ServerProcess(workers: 2, testRoutes: "failing-start", waitForHealth: false)
        func deaths() -> Int { server.log.components(separatedBy: "\"event\":\"worker died\"").count - 1 }
        try waitUntil("workers have failed a few times", timeout: 10) { deaths() >= 4 }
        let start = Date()
        let atStart = deaths()
        try waitUntil("two more seconds have passed", timeout: 5) { Date().timeIntervalSince(start) >= 2 }
        // Without back-off this is hundreds a second; with it, delays double from 0.1 s.
        #expect(deaths() - atStart <= 8, "\(deaths() - atStart) deaths in 2 s")
        #expect(server.process.isRunning, "the master keeps trying")
        #expect(server.log.contains("handler setup failed"))
        server.signal(SIGTERM)
        #expect(try server.waitForExit(timeout: 10) == 0)
    }

    @Test func rejectsInvalidUTF8InTheURIWith400() throws {
        let server = try ServerProcess(workers: 1)
        // REQUEST_URI=/caf\xC3( sent as raw bytes, as nginx passes an unescaped request line.
        let raw: [UInt8] = [11, 6] + Array("REQUEST_URI".utf8) + Array("/caf".utf8) + [0xC3, 0x28]
        let r = try FastCGIClient.send(socketPath: server.socketPath, uri: "/ignored", rawParams: raw)
        #expect(r.status == 400)
        #expect(r.text.contains("UTF-8"))
    }

    @Test func uploadsMultipartFormsThroughTheWorker() throws {
        let server = try ServerProcess(workers: 1)
        let file: [UInt8] = Array(0...255) + Array(0...255)
        var body: [UInt8] = Array("--XB\r\nContent-Disposition: form-data; name=\"title\"\r\n\r\nMug\r\n".utf8)
        body += Array("--XB\r\nContent-Disposition: form-data; name=\"photo\"; filename=\"m.png\"\r\nContent-Type: image/png\r\n\r\n".utf8)
        body += file + Array("\r\n--XB--\r\n".utf8)
        let r = try FastCGIClient.send(socketPath: server.socketPath, method: "POST", uri: "/__test/form",
                                       extraParams: [("CONTENT_TYPE", "multipart/form-data; boundary=XB")], body: body)
        #expect(r.status == 200)
        #expect(r.text == "title=Mug\nfile photo m.png image/png 512\n")
    }

    @Test func replacesAWorkerKilledWithSIGKILLAndNoLaterRequestFails() throws {
        let server = try ServerProcess(workers: 2)
        let victim = try server.workerPID()
        kill(victim, SIGKILL)
        try waitUntil("the master counts a restart and has 2 workers again", timeout: 10) {
            let m = try server.metrics()
            return m["storefleet_worker_restarts_total"] == 1 && m["storefleet_workers"] == 2
        }
        let tally = Tally()
        let socket = server.socketPath
        let run = concurrently(4) { _ in
            for _ in 0..<25 {
                do {
                    let r = try FastCGIClient.send(socketPath: socket, uri: "/__test/pid")
                    if r.status == 200 { tally.ok(r.text) } else { tally.fail("status \(r.status)") }
                } catch {
                    tally.fail("\(error)")
                }
            }
        }
        #expect(run.wait(timeout: 60))
        #expect(tally.failures.isEmpty, "\(tally.failures)")
        #expect(tally.okCount == 100)
        #expect(!tally.pids.contains("\(victim)\n"))
        #expect(server.log.contains("\"event\":\"worker died\",\"pid\":\"\(victim)\",\"status\":\"killed by signal 9\""))
    }

    @Test func sigtermLetsASlowRequestFinishThenExits() throws {
        let server = try ServerProcess(workers: 2)
        let result = Tally()
        let socket = server.socketPath
        let slow = concurrently(1) { _ in
            do {
                let r = try FastCGIClient.send(socketPath: socket, uri: "/__test/sleep?ms=1500")
                if r.status == 200 && r.text == "slept 1500\n" { result.ok() } else { result.fail("\(r.status) \(r.text)") }
            } catch {
                result.fail("\(error)")
            }
        }
        // Two busy: the slow request's worker and the one answering the scrape.
        try waitUntil("a worker is busy with the slow request", timeout: 10) {
            try server.metrics()["storefleet_workers_busy"] == 2
        }
        server.signal(SIGTERM)
        #expect(slow.wait(timeout: 30))
        #expect(result.failures.isEmpty, "\(result.failures)")
        #expect(result.okCount == 1)
        #expect(try server.waitForExit(timeout: 30) == 0)
        #expect(!FileManager.default.fileExists(atPath: server.socketPath))
        #expect(!FileManager.default.fileExists(atPath: server.directory + "/serve.pid"))
    }

    @Test func sighupReloadUnderLoadDropsNoRequest() throws {
        let server = try ServerProcess(workers: 2)
        let before = Set(try (0..<8).map { _ in try server.workerPID() })
        let stop = StopFlag()
        let tally = Tally()
        let socket = server.socketPath
        let load = concurrently(4) { i in
            while !stop.isStopped {
                do {
                    let uri = i == 0 ? "/__test/sleep?ms=50" : "/__test/pid"
                    let r = try FastCGIClient.send(socketPath: socket, uri: uri)
                    if r.status == 200 { tally.ok(i == 0 ? nil : r.text) } else { tally.fail("status \(r.status)") }
                } catch {
                    tally.fail("\(error)")
                }
            }
        }
        try waitUntil("load is flowing", timeout: 10) { tally.okCount >= 50 }
        server.signal(SIGHUP)
        try waitUntil("the reloaded master's workers answer and the old ones are gone", timeout: 30) {
            let m = try server.metrics()
            return m["storefleet_reloads_total"] == 1 && m["storefleet_workers"] == 2
                && before.allSatisfy { kill($0, 0) != 0 }
        }
        let afterReload = tally.okCount
        try waitUntil("load keeps flowing after the reload", timeout: 10) { tally.okCount >= afterReload + 50 }
        stop.stop()
        #expect(load.wait(timeout: 30))
        #expect(tally.failures.isEmpty, "\(tally.failures.prefix(5))")
        #expect(server.process.isRunning)
        let now = Set(try (0..<8).map { _ in try server.workerPID() })
        #expect(now.isDisjoint(with: before))
        #expect(server.log.contains("\"event\":\"reloaded\""))
        // The socket survived: no moment without a listener.
        #expect(FileManager.default.fileExists(atPath: server.socketPath))
    }

    @Test func recyclesAWorkerAfterMaxRequests() throws {
        let server = try ServerProcess(workers: 1, maxRequests: 3)
        // The start-up probe was request 1 of the first worker.
        var pids: [pid_t] = []
        for _ in 0..<8 { pids.append(try server.workerPID()) }
        #expect(pids[0] == pids[1])
        #expect(pids[1] != pids[2])
        #expect(Set(pids[2...4]).count == 1)
        #expect(Set(pids[5...7]).count == 1)
        #expect(Set(pids).count == 3)
        let m = try server.metrics()
        #expect(m["storefleet_worker_recycles_total"] == 3)
        #expect(m["storefleet_worker_restarts_total"] == 0)
    }

    @Test func scoreboardCountsRequestsAcrossWorkers() throws {
        let server = try ServerProcess(workers: 2)
        let tally = Tally()
        let socket = server.socketPath
        // Slow requests on 2 threads at once keep both workers serving.
        let run = concurrently(2) { _ in
            for _ in 0..<10 {
                do {
                    let r = try FastCGIClient.send(socketPath: socket, uri: "/__test/sleep?ms=5")
                    if r.status == 200 { tally.ok() } else { tally.fail("status \(r.status)") }
                    let p = try FastCGIClient.send(socketPath: socket, uri: "/__test/pid")
                    if p.status == 200 { tally.ok(p.text) } else { tally.fail("status \(p.status)") }
                } catch {
                    tally.fail("\(error)")
                }
            }
        }
        #expect(run.wait(timeout: 60))
        #expect(tally.failures.isEmpty)
        for _ in 0..<3 { #expect(try server.get("/__test/fail").status == 500) }
        #expect(tally.pids.count == 2, "both workers served requests")

        let m = try server.metrics()
        // The start-up probe, 40 requests, 3 failures; the scrape itself is not yet counted.
        #expect(m["storefleet_requests_total"] == 44)
        #expect(m["storefleet_request_errors_total"] == 3)
        #expect(m["storefleet_request_duration_seconds_count"] == 44)
        #expect(m["storefleet_request_duration_seconds_bucket{le=\"+Inf\"}"] == 44)
        #expect((m["storefleet_request_duration_seconds_bucket{le=\"0.001\"}"] ?? 99) < 44, "the 5 ms sleeps are over 1 ms")
        #expect((m["storefleet_request_duration_seconds_sum"] ?? 0) >= 0.1, "20 sleeps of 5 ms")
        #expect(m["storefleet_workers"] == 2)
        #expect(m["storefleet_workers_busy"] == 1, "the worker answering this scrape")
        // Counted again from the next scrape: the previous one is in.
        #expect(try server.metrics()["storefleet_requests_total"] == 45)
    }
}
