import Glibc
import HTTP

/// The php-fpm style master: opens the listening socket, forks single-threaded workers,
/// respawns the ones that die (with back-off when they keep dying), replaces them after
/// `maxRequests`, drains on SIGTERM/SIGQUIT/SIGINT and reloads on SIGHUP by re-executing
/// itself with the listening socket kept open, so no connection is refused or dropped.
///
/// Signals are read from a `signalfd` in the master's poll loop; no code runs in a handler.
public final class PreforkMaster {
    /// Environment variables a master passes to its re-executed self on SIGHUP.
    public enum Inherited {
        public static let listenFD = "STOREFLEET_LISTEN_FD"
        public static let scoreboardFD = "STOREFLEET_SCOREBOARD_FD"
        public static let drainPIDs = "STOREFLEET_DRAIN_PIDS"
    }

    public let config: ServerConfig
    /// Shared with every worker; see `metrics`.
    public let scoreboard: Scoreboard
    private let listenFD: Int32
    private let executablePath: String

    private struct WorkerRecord { var slot: Int; var startedAt: Double }
    private var workers: [pid_t: WorkerRecord] = [:]
    /// Workers of the master this one replaced (SIGHUP); asked to stop once ours are ready.
    private var draining: Set<pid_t> = []
    private var drainRequested = false
    private var respawnsDue: [Double] = []
    private var backoff = RespawnBackoff()

    /// Opens (or, after a re-exec, adopts) the listening socket and the scoreboard.
    public init(_ config: ServerConfig) throws(ServerError) {
        guard config.workers > 0 else { throw .invalidConfiguration("--workers must be at least 1") }
        self.config = config
        executablePath = PreforkMaster.currentExecutablePath()
        let env = PreforkMaster.takeInheritedEnvironment()

        if let fd = env.listenFD {
            var st = stat()
            guard fstat(fd, &st) == 0, (st.st_mode & S_IFMT) == S_IFSOCK else {
                throw .invalidConfiguration("\(Inherited.listenFD)=\(fd) is not a socket")
            }
            listenFD = fd
        } else {
            listenFD = try PreforkMaster.openListeningSocket(config)
        }
        _ = fcntl(listenFD, F_SETFD, FD_CLOEXEC)
        // Non-blocking: workers poll it, and the one that loses the race gets EAGAIN from accept.
        _ = fcntl(listenFD, F_SETFL, fcntl(listenFD, F_GETFL) | O_NONBLOCK)

        if let fd = env.scoreboardFD {
            scoreboard = try Scoreboard(adoptingFD: fd)
            _ = fcntl(fd, F_SETFD, FD_CLOEXEC)
        } else {
            // Room for a second generation of workers while a reload drains the first.
            scoreboard = try Scoreboard(capacity: config.workers * 2 + 2)
        }
        draining = Set(env.drainPIDs)
    }

    /// The Prometheus text of every worker's counters; callable from any worker.
    public var metrics: MetricsSnapshotProvider {
        { [scoreboard] in PrometheusText.render(scoreboard.snapshot()) }
    }

    /// Runs until SIGTERM/SIGQUIT/SIGINT and every worker has finished. `makeHandler` runs in
    /// each worker after fork, so every worker opens its own database connections; if it
    /// throws, that worker exits and is respawned with back-off.
    public func run(makeHandler: () throws -> Handler) throws(ServerError) {
        let signals = try SignalDescriptor([SIGTERM, SIGQUIT, SIGINT, SIGHUP, SIGCHLD])
        if let pidFile = config.pidFile { try PreforkMaster.writePIDFile(pidFile) }
        if !draining.isEmpty {
            scoreboard.countReload()
            log("reloaded", ["draining": "\(draining.count)"])
        } else {
            log("started", ["workers": "\(config.workers)", "listen": describe(config.listen)])
        }
        for _ in 0..<config.workers { spawn(signals: signals, makeHandler: makeHandler) }

        var pollFD = pollfd(fd: signals.fd, events: Int16(POLLIN), revents: 0)
        loop: while true {
            pollFD.revents = 0
            _ = poll(&pollFD, 1, pollTimeoutMilliseconds())
            for signal in signals.drain() {
                switch signal {
                case SIGCHLD:
                    reap()
                case SIGHUP:
                    reload()
                default:
                    break loop
                }
            }
            reap()
            let now = monotonicSeconds()
            while let due = respawnsDue.min(), due <= now {
                respawnsDue.remove(at: respawnsDue.firstIndex(of: due)!)
                spawn(signals: signals, makeHandler: makeHandler)
            }
            stopDrainingWorkersIfReplaced()
        }
        shutdown(signals: signals)
    }

    // MARK: workers

    private func spawn(signals: SignalDescriptor, makeHandler: () throws -> Handler) {
        guard let slot = scoreboard.claimSlot() else {
            respawnsDue.append(monotonicSeconds() + 1)
            return
        }
        let masterPID = getpid()
        let pid = fork()
        if pid == 0 {
            close(signals.fd)
            let worker = Worker(listenFD: listenFD, scoreboard: scoreboard, slot: slot, config: config, masterPID: masterPID)
            _exit(worker.run(makeHandler: makeHandler))
        }
        if pid < 0 {
            scoreboard.release(slot: slot)
            log("fork failed", ["error": String(cString: strerror(errno))])
            respawnsDue.append(monotonicSeconds() + 1)
            return
        }
        scoreboard.assign(slot: slot, pid: pid)
        workers[pid] = WorkerRecord(slot: slot, startedAt: monotonicSeconds())
    }

    private func reap() {
        while true {
            var raw: Int32 = 0
            let pid = waitpid(-1, &raw, WNOHANG)
            if pid <= 0 { return }
            let status = ExitStatus(raw: raw)
            if draining.remove(pid) != nil {
                if let slot = scoreboard.slot(ofPID: pid) { scoreboard.release(slot: slot) }
                continue
            }
            guard let record = workers.removeValue(forKey: pid) else { continue }
            scoreboard.release(slot: record.slot)
            let crashed = !status.isCleanExit
            if crashed {
                scoreboard.countRestart()
                log("worker died", ["pid": "\(pid)", "status": status.description])
            } else {
                scoreboard.countRecycle()
            }
            let delay = backoff.delayAfterExit(uptime: monotonicSeconds() - record.startedAt, crashed: crashed)
            respawnsDue.append(monotonicSeconds() + delay)
        }
    }

    /// After a reload: once every new worker has started (its handler is built), the old
    /// generation is asked to finish its requests in flight and exit.
    private func stopDrainingWorkersIfReplaced() {
        guard !draining.isEmpty, !drainRequested else { return }
        let ready = workers.values.filter {
            let s = scoreboard.state(ofSlot: $0.slot)
            return s == .idle || s == .busy
        }.count
        guard ready >= config.workers else { return }
        for pid in draining { kill(pid, SIGQUIT) }
        drainRequested = true
    }

    private func pollTimeoutMilliseconds() -> Int32 {
        if !draining.isEmpty && !drainRequested { return 20 }
        guard let due = respawnsDue.min() else { return 1000 }
        return Int32(max(0, min(1000, (due - monotonicSeconds()) * 1000)).rounded(.up))
    }

    // MARK: reload and shutdown

    /// Re-executes the binary (new code and config) keeping the socket and scoreboard open.
    /// The new master starts its workers, then drains these. If exec fails, nothing changes.
    private func reload() {
        let inherit = [listenFD, scoreboard.fd]
        for fd in inherit { _ = fcntl(fd, F_SETFD, 0) }
        let drain = Array(workers.keys) + Array(draining)
        setenv(Inherited.listenFD, "\(listenFD)", 1)
        setenv(Inherited.scoreboardFD, "\(scoreboard.fd)", 1)
        setenv(Inherited.drainPIDs, drain.map(String.init).joined(separator: ","), 1)
        log("reloading", ["executable": executablePath])

        let args = CommandLine.arguments
        var argv: [UnsafeMutablePointer<CChar>?] = args.map { strdup($0) } + [nil]
        execv(executablePath, &argv)
        let error = errno

        for p in argv { free(p) }
        for fd in inherit { _ = fcntl(fd, F_SETFD, FD_CLOEXEC) }
        unsetenv(Inherited.listenFD)
        unsetenv(Inherited.scoreboardFD)
        unsetenv(Inherited.drainPIDs)
        log("reload failed", ["error": String(cString: strerror(error))])
    }

    private func shutdown(signals: SignalDescriptor) {
        log("stopping", ["workers": "\(workers.count + draining.count)"])
        respawnsDue = []
        for pid in Array(workers.keys) + Array(draining) { kill(pid, SIGTERM) }
        let deadline = monotonicSeconds() + config.gracefulTimeoutSeconds
        var pollFD = pollfd(fd: signals.fd, events: Int16(POLLIN), revents: 0)
        while !(workers.isEmpty && draining.isEmpty) {
            let left = deadline - monotonicSeconds()
            if left <= 0 {
                for pid in Array(workers.keys) + Array(draining) { kill(pid, SIGKILL) }
                while waitpid(-1, nil, 0) > 0 {}
                workers = [:]
                draining = []
                break
            }
            pollFD.revents = 0
            _ = poll(&pollFD, 1, Int32(min(left, 1) * 1000))
            _ = signals.drain()
            while true {
                let pid = waitpid(-1, nil, WNOHANG)
                if pid <= 0 { break }
                if let record = workers.removeValue(forKey: pid) { scoreboard.release(slot: record.slot) }
                draining.remove(pid)
            }
        }
        close(listenFD)
        if case .unixSocket(let path) = config.listen { unlink(path) }
        if let pidFile = config.pidFile { unlink(pidFile) }
        log("stopped", [:])
    }

    // MARK: helpers

    private static func openListeningSocket(_ config: ServerConfig) throws(ServerError) -> Int32 {
        switch config.listen {
        case .unixSocket(let path):
            if PreforkMaster.someoneListens(onUnixSocket: path) { throw .addressInUse(path) }
            let fd = FastCGIConnection.openSocket(path, backlog: config.backlog)
            guard fd >= 0 else { throw .system("listen on \(path)", errno) }
            guard chmod(path, 0o666) == 0 else { throw .system("chmod \(path)", errno) }
            return fd
        case .tcp(let host, let port):
            let fd = FastCGIConnection.openSocket("\(host):\(port)", backlog: config.backlog)
            guard fd >= 0 else { throw .system("listen on \(host):\(port)", errno) }
            return fd
        }
    }

    /// Whether a live server already accepts on `path` (a stale socket file is replaced).
    private static func someoneListens(onUnixSocket path: String) -> Bool {
        let fd = socket(AF_UNIX, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { return false }
        defer { close(fd) }
        var addr = sockaddr_un()
        addr.sun_family = sa_family_t(AF_UNIX)
        let bytes = Array(path.utf8)
        guard bytes.count < MemoryLayout.size(ofValue: addr.sun_path) else { return false }
        withUnsafeMutableBytes(of: &addr.sun_path) { buf in
            for (i, b) in bytes.enumerated() { buf[i] = b }
        }
        return withUnsafePointer(to: &addr) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                connect(fd, $0, socklen_t(MemoryLayout<sockaddr_un>.size)) == 0
            }
        }
    }

    private static func writePIDFile(_ path: String) throws(ServerError) {
        let text = "\(getpid())\n"
        let fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o644)
        guard fd >= 0 else { throw .system("open \(path)", errno) }
        defer { close(fd) }
        _ = text.withCString { write(fd, $0, strlen($0)) }
    }

    private struct InheritedEnvironment { var listenFD: Int32?; var scoreboardFD: Int32?; var drainPIDs: [pid_t] }

    /// Reads and clears the variables a reloading master left, so workers never see them.
    private static func takeInheritedEnvironment() -> InheritedEnvironment {
        func take(_ name: String) -> String? {
            guard let p = getenv(name) else { return nil }
            let v = String(cString: p)
            unsetenv(name)
            return v
        }
        return InheritedEnvironment(
            listenFD: take(Inherited.listenFD).flatMap { Int32($0) },
            scoreboardFD: take(Inherited.scoreboardFD).flatMap { Int32($0) },
            drainPIDs: (take(Inherited.drainPIDs) ?? "").split(separator: ",").compactMap { pid_t($0) })
    }

    /// The path of the running binary, resolved now so a reload runs the file at that path
    /// (a rebuilt binary), not the old inode.
    private static func currentExecutablePath() -> String {
        var buf = [CChar](repeating: 0, count: Int(PATH_MAX) + 1)
        let n = readlink("/proc/self/exe", &buf, buf.count - 1)
        guard n > 0 else { return CommandLine.arguments[0] }
        var path = String(decoding: buf[0..<n].map { UInt8(bitPattern: $0) }, as: UTF8.self)
        if path.hasSuffix(" (deleted)") { path.removeLast(" (deleted)".count) }
        return path
    }

    private func describe(_ listen: ServerConfig.Listen) -> String {
        switch listen {
        case .unixSocket(let path): return path
        case .tcp(let host, let port): return "\(host):\(port)"
        }
    }

    private func log(_ event: String, _ fields: [String: String]) {
        var line = "{\"level\":\"info\",\"component\":\"master\",\"pid\":\(getpid()),\"event\":\(jsonString(event))"
        for (k, v) in fields.sorted(by: { $0.key < $1.key }) { line += ",\(jsonString(k)):\(jsonString(v))" }
        StandardError.write(line + "}\n")
    }
}
