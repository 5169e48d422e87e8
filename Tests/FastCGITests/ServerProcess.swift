import Foundation
import Glibc
import Testing

/// A `storefleet serve` process of our own, on a unix socket in a fresh temporary folder,
/// with the test-only routes and no app (STOREFLEET_TEST_ROUTES=standalone).
final class ServerProcess {
    let directory: String
    let socketPath: String
    let logPath: String
    let process: Process

    init(workers: Int, maxRequests: Int = 0, socketPath: String? = nil, extraArguments: [String] = [],
         testRoutes: String = "standalone", waitForHealth: Bool = true) throws {
        directory = try ServerProcess.makeTemporaryDirectory()
        self.socketPath = socketPath ?? directory + "/fcgi.sock"
        logPath = directory + "/serve.log"
        FileManager.default.createFile(atPath: logPath, contents: nil)
        process = Process()
        process.executableURL = URL(fileURLWithPath: try ServerProcess.binaryPath())
        process.arguments = ["serve", "--socket", self.socketPath, "--workers", "\(workers)",
                             "--max-requests", "\(maxRequests)", "--pid-file", directory + "/serve.pid"] + extraArguments
        var env = ProcessInfo.processInfo.environment
        env["STOREFLEET_TEST_ROUTES"] = testRoutes
        process.environment = env
        let log = try FileHandle(forWritingTo: URL(fileURLWithPath: logPath))
        process.standardError = log
        process.standardOutput = log
        try process.run()
        guard waitForHealth else { return }
        try waitUntil("the server answers /healthz", timeout: 20) {
            (try? FastCGIClient.send(socketPath: self.socketPath, uri: "/healthz", timeoutSeconds: 5))?.status == 200
        }
    }

    deinit {
        if process.isRunning {
            kill(process.processIdentifier, SIGKILL)
            process.waitUntilExit()
        }
        try? FileManager.default.removeItem(atPath: directory)
    }

    var pid: pid_t { process.processIdentifier }

    func signal(_ s: Int32) { kill(pid, s) }

    func get(_ uri: String, timeoutSeconds: Int = 30) throws -> FastCGIResponse {
        try FastCGIClient.send(socketPath: socketPath, uri: uri, timeoutSeconds: timeoutSeconds)
    }

    /// The Prometheus text of the scoreboard, as a dictionary of sample → value.
    func metrics() throws -> [String: Double] {
        var samples: [String: Double] = [:]
        for line in try get("/__test/metrics").text.split(separator: "\n") where !line.hasPrefix("#") {
            let parts = line.split(separator: " ")
            if parts.count == 2, let v = Double(parts[1]) { samples[String(parts[0])] = v }
        }
        return samples
    }

    /// The pid of the worker that answered.
    func workerPID() throws -> pid_t {
        let text = try get("/__test/pid").text.trimmingCharacters(in: .whitespacesAndNewlines)
        guard let pid = pid_t(text) else { throw Failure("no pid in \(text)") }
        return pid
    }

    /// Waits for the master to exit; returns its exit status.
    func waitForExit(timeout: Double) throws -> Int32 {
        try waitUntil("the master exits", timeout: timeout) { !process.isRunning }
        return process.terminationStatus
    }

    var log: String { (try? String(contentsOfFile: logPath, encoding: .utf8)) ?? "" }

    static func binaryPath() throws -> String {
        if let explicit = ProcessInfo.processInfo.environment["STOREFLEET_TEST_BIN"] { return explicit }
        // The test bundle sits next to the products of the same build.
        let bundle = URL(fileURLWithPath: CommandLine.arguments[0]).resolvingSymlinksInPath()
        var dir = bundle.deletingLastPathComponent()
        for _ in 0..<4 {
            let candidate = dir.appendingPathComponent("storefleet").path
            if FileManager.default.isExecutableFile(atPath: candidate) { return candidate }
            dir = dir.deletingLastPathComponent()
        }
        throw Failure("no storefleet binary next to \(bundle.path): run `swift build --product storefleet` with the same --scratch-path, or set STOREFLEET_TEST_BIN")
    }

    static func makeTemporaryDirectory() throws -> String {
        var template = Array("/tmp/sf-fcgi-XXXXXX".utf8CString)
        guard let p = mkdtemp(&template) else { throw Failure("mkdtemp failed") }
        return String(cString: p)
    }
}

/// Alive and not a zombie (an orphan's zombie may linger if nobody reaps it).
func processIsAlive(_ pid: pid_t) -> Bool {
    guard kill(pid, 0) == 0 else { return false }
    guard let status = try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8),
          let close = status.lastIndex(of: ")") else { return false }
    let state = status[status.index(close, offsetBy: 2)]
    return state != "Z" && state != "X"
}

struct Failure: Error, CustomStringConvertible {
    let description: String
    init(_ d: String) { description = d }
}

/// Polls `condition` until it holds or the deadline passes (no sleeping as synchronisation:
/// the wait ends as soon as the condition is observed).
func waitUntil(_ what: String, timeout: Double, _ condition: () throws -> Bool) throws {
    let deadline = Date().addingTimeInterval(timeout)
    while Date() < deadline {
        if try condition() { return }
        usleep(10_000)
    }
    throw Failure("timed out after \(timeout)s waiting until \(what)")
}

/// Runs `body` on `count` threads at once and waits for all of them.
func concurrently(_ count: Int, _ body: @escaping @Sendable (Int) -> Void) -> ConcurrentRun {
    let run = ConcurrentRun(count: count)
    for i in 0..<count {
        let t = Thread {
            body(i)
            run.finished()
        }
        t.start()
    }
    return run
}

final class ConcurrentRun: @unchecked Sendable {
    private let group = DispatchGroup()
    init(count: Int) { for _ in 0..<count { group.enter() } }
    func finished() { group.leave() }
    func wait(timeout: Double) -> Bool { group.wait(timeout: .now() + timeout) == .success }
}

/// Results gathered from several threads.
final class Tally: @unchecked Sendable {
    private let lock = NSLock()
    private var _ok = 0
    private var _failures: [String] = []
    private var _pids: Set<String> = []
    func ok(_ pid: String? = nil) { lock.withLock { _ok += 1; if let pid { _pids.insert(pid) } } }
    func fail(_ why: String) { lock.withLock { _failures.append(why) } }
    var okCount: Int { lock.withLock { _ok } }
    var failures: [String] { lock.withLock { _failures } }
    var pids: Set<String> { lock.withLock { _pids } }
}

/// A flag one thread sets and others read.
final class StopFlag: @unchecked Sendable {
    private let lock = NSLock()
    private var stopped = false
    func stop() { lock.withLock { stopped = true } }
    var isStopped: Bool { lock.withLock { stopped } }
}
