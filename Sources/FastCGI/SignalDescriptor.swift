import CFastCGI
import Glibc

/// Signals delivered as readable data on a descriptor (`signalfd`), so neither the master nor
/// a worker runs code in a signal handler: the signals are blocked and read in the poll loop.
final class SignalDescriptor {
    let fd: Int32

    /// Blocks `signals` for this process and opens a non-blocking descriptor that reads them.
    init(_ signals: [Int32]) throws(ServerError) {
        var mask = sigset_t()
        sigemptyset(&mask)
        for s in signals { sigaddset(&mask, s) }
        guard sigprocmask(SIG_BLOCK, &mask, nil) == 0 else { throw .system("sigprocmask", errno) }
        let fd = signalfd(-1, &mask, Int32(SFD_NONBLOCK | SFD_CLOEXEC))
        guard fd >= 0 else { throw .system("signalfd", errno) }
        self.fd = fd
    }

    deinit { close(fd) }

    /// Every signal pending now, oldest first; empty when none.
    func drain() -> [Int32] {
        var result: [Int32] = []
        var info = signalfd_siginfo()
        let size = MemoryLayout<signalfd_siginfo>.size
        while true {
            let n = withUnsafeMutableBytes(of: &info) { read(fd, $0.baseAddress, size) }
            if n == size { result.append(Int32(info.ssi_signo)) } else if n < 0, errno == EINTR { continue } else { break }
        }
        return result
    }

    static func unblock(_ signals: [Int32]) {
        var mask = sigset_t()
        sigemptyset(&mask)
        for s in signals { sigaddset(&mask, s) }
        sigprocmask(SIG_UNBLOCK, &mask, nil)
    }
}

/// Monotonic seconds, for durations and deadlines.
func monotonicSeconds() -> Double {
    var ts = timespec()
    clock_gettime(CLOCK_MONOTONIC, &ts)
    return Double(ts.tv_sec) + Double(ts.tv_nsec) / 1e9
}

/// Decodes a `waitpid` status (the W* macros are not imported).
struct ExitStatus: Equatable, CustomStringConvertible {
    let raw: Int32
    var signal: Int32? { let s = raw & 0x7f; return (s != 0 && s != 0x7f) ? s : nil }
    var exitCode: Int32? { (raw & 0x7f) == 0 ? (raw >> 8) & 0xff : nil }
    var isCleanExit: Bool { exitCode == 0 }
    var description: String {
        if let s = signal { return "killed by signal \(s)" }
        return "exit code \(exitCode ?? -1)"
    }
}
