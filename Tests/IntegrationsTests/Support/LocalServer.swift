import Foundation
import TestSupport
#if canImport(Glibc)
import Glibc
#endif

/// A server process a test starts on a free loopback port and stops when it is released.
/// Ready means "accepts TCP connections", polled until a deadline.
final class LocalServer {
    let port: Int
    private let process: Process
    private let log: URL

    /// `arguments` receives the port chosen for the server.
    init(_ executable: String, arguments: (Int) -> [String], readyWithin: Duration = .seconds(30)) throws {
        port = try LocalServer.freePort()
        log = FileManager.default.temporaryDirectory.appendingPathComponent("integrations-server-\(UUID().uuidString).log")
        _ = FileManager.default.createFile(atPath: log.path, contents: nil)
        process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = arguments(port)
        process.standardOutput = try FileHandle(forWritingTo: log)
        process.standardError = try FileHandle(forWritingTo: log)
        try process.run()
        let deadline = ContinuousClock.now + readyWithin
        while !LocalServer.accepts(port: port) {
            guard process.isRunning else {
                throw ServerDidNotStart(what: executable, log: (try? String(contentsOf: log, encoding: .utf8)) ?? "")
            }
            guard ContinuousClock.now < deadline else {
                stop()
                throw ServerDidNotStart(what: "\(executable) (not listening within \(readyWithin))", log: "")
            }
            Thread.sleep(forTimeInterval: 0.02)
        }
    }

    deinit { stop() }

    /// SIGKILL, then waits for the exit. (Not SIGTERM: the test runner's threads block it, and a
    /// spawned child inherits that mask, so it would never arrive.)
    func stop() {
        if process.isRunning {
            kill(process.processIdentifier, SIGKILL)
            process.waitUntilExit()
        }
        try? FileManager.default.removeItem(at: log)
    }

    var isRunning: Bool { process.isRunning }

    /// A port nobody listens on right now: bound to 0, read back, released.
    static func freePort() throws -> Int {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { throw ServerDidNotStart(what: "socket()", log: "") }
        defer { close(fd) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        address.sin_port = 0
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let bound = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { pointer in
                bind(fd, pointer, length) == 0 && getsockname(fd, pointer, &length) == 0
            }
        }
        guard bound else { throw ServerDidNotStart(what: "bind()", log: "") }
        return Int(UInt16(bigEndian: address.sin_port))
    }

    static func accepts(port: Int) -> Bool {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { return false }
        defer { close(fd) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        address.sin_port = UInt16(port).bigEndian
        return withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) == 0
            }
        }
    }
}

struct ServerDidNotStart: Error, CustomStringConvertible {
    let what: String
    let log: String
    var description: String { "\(what) did not start\(log.isEmpty ? "" : ":\n" + log)" }
}

/// Paths in the checkout the tests use.
enum Checkout {
    static let root = StackEnvironment.packageRoot()
    static let fixtures = root + "/Tests/IntegrationsTests/Fixtures"

    /// The project venv's python, made (or brought up to date) by scripts/venv.sh.
    static func venvPython() throws -> String {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: root + "/scripts/venv.sh")
        let output = Pipe()
        process.standardOutput = output
        try process.run()
        let data = output.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        guard process.terminationStatus == 0 else {
            throw ServerDidNotStart(what: "scripts/venv.sh (status \(process.terminationStatus))", log: "")
        }
        return String(decoding: data, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
    }

    /// Runs a command and returns its standard output; throws on a non-zero exit.
    static func run(_ executable: String, _ arguments: [String]) throws -> Data {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = arguments
        let output = Pipe()
        process.standardOutput = output
        process.standardError = FileHandle.nullDevice
        try process.run()
        let data = output.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        guard process.terminationStatus == 0 else {
            throw ServerDidNotStart(what: "\(executable) \(arguments.joined(separator: " ")) failed", log: "")
        }
        return data
    }

    /// A fresh temporary folder, removed by the caller.
    static func temporaryFolder() throws -> URL {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("integrations-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        return url
    }
}
