import HTTP

/// How `storefleet serve` listens and runs its workers.
public struct ServerConfig: Sendable {
    public enum Listen: Sendable, Equatable {
        /// A unix socket, created with mode 0666 so nginx (another user) can connect.
        case unixSocket(path: String)
        /// A TCP address, `host:port` (use 127.0.0.1 unless nginx runs elsewhere).
        case tcp(host: String, port: Int)
    }

    public var listen: Listen
    /// Worker processes.
    public var workers: Int
    /// Requests after which a worker is replaced (0: never).
    public var maxRequests: Int
    /// Written at start with the master's pid, removed at exit.
    public var pidFile: String?
    /// On SIGTERM/SIGQUIT, how long to wait for requests in flight before killing workers.
    public var gracefulTimeoutSeconds: Double
    public var limits: RequestLimits
    /// One JSON line per request on stderr.
    public var accessLog: Bool
    public var backlog: Int32

    public init(listen: Listen, workers: Int = 2, maxRequests: Int = 0, pidFile: String? = nil,
                gracefulTimeoutSeconds: Double = 30, limits: RequestLimits = .default, accessLog: Bool = true,
                backlog: Int32 = 1024) {
        self.listen = listen
        self.workers = workers
        self.maxRequests = maxRequests
        self.pidFile = pidFile
        self.gracefulTimeoutSeconds = gracefulTimeoutSeconds
        self.limits = limits
        self.accessLog = accessLog
        self.backlog = backlog
    }

    /// Parses `--listen` values: `host:port`, `[::1]:port` or `:port`.
    public static func parseTCP(_ spec: String) -> Listen? {
        guard let colon = spec.lastIndex(of: ":"), let port = Int(spec[spec.index(after: colon)...]),
              port > 0, port < 65536 else { return nil }
        var host = String(spec[..<colon])
        if host.hasPrefix("["), host.hasSuffix("]") { host = String(host.dropFirst().dropLast()) }
        return .tcp(host: host.isEmpty ? "0.0.0.0" : host, port: port)
    }
}

/// Why the server could not start or keep running.
public enum ServerError: Error, CustomStringConvertible {
    /// A system call failed (name, errno).
    case system(String, Int32)
    /// The socket is in use by another running server.
    case addressInUse(String)
    /// A flag or inherited value makes no sense.
    case invalidConfiguration(String)

    public var description: String {
        switch self {
        case .system(let call, let e): return "\(call) failed: \(String(cString: strerror(e)))"
        case .addressInUse(let a): return "\(a) is already served by another process"
        case .invalidConfiguration(let m): return "invalid configuration: \(m)"
        }
    }
}

#if canImport(Glibc)
import Glibc
#endif
