import CFastCGI
import Glibc

/// The worker's wait for "a connection is pending or a signal arrived": an epoll set over its
/// signal descriptor and the shared listening socket, the latter with EPOLLEXCLUSIVE.
/// Falls back to poll(2) if epoll is unavailable.
final class EventPoll {
    private let epollFD: Int32
    private let signalFD: Int32
    private let listenFD: Int32
    private static let signalTag: UInt64 = 1
    private static let listenTag: UInt64 = 2

    init(signalFD: Int32, listenFD: Int32) {
        self.signalFD = signalFD
        self.listenFD = listenFD
        var fd = epoll_create1(Int32(EPOLL_CLOEXEC))
        if fd >= 0 {
            var s = epoll_event()
            s.events = EPOLLIN.rawValue
            s.data.u64 = EventPoll.signalTag
            var l = epoll_event()
            l.events = EPOLLIN.rawValue | EPOLLEXCLUSIVE.rawValue
            l.data.u64 = EventPoll.listenTag
            if epoll_ctl(fd, EPOLL_CTL_ADD, signalFD, &s) != 0 || epoll_ctl(fd, EPOLL_CTL_ADD, listenFD, &l) != 0 {
                close(fd)
                fd = -1
            }
        }
        epollFD = fd
    }

    deinit { if epollFD >= 0 { close(epollFD) } }

    /// Which descriptors are readable; both false on timeout or interruption.
    func wait(timeoutMilliseconds: Int32) -> (signal: Bool, listen: Bool) {
        if epollFD < 0 {
            var fds = [pollfd(fd: signalFD, events: Int16(POLLIN), revents: 0),
                       pollfd(fd: listenFD, events: Int16(POLLIN), revents: 0)]
            guard poll(&fds, 2, timeoutMilliseconds) > 0 else { return (false, false) }
            return (fds[0].revents != 0, fds[1].revents != 0)
        }
        var events = (epoll_event(), epoll_event())
        let n = withUnsafeMutableBytes(of: &events) { buf in
            epoll_wait(epollFD, buf.baseAddress!.assumingMemoryBound(to: epoll_event.self), 2, timeoutMilliseconds)
        }
        guard n > 0 else { return (false, false) }
        var result = (signal: false, listen: false)
        withUnsafeBytes(of: &events) { buf in
            let list = buf.bindMemory(to: epoll_event.self)
            for i in 0..<Int(n) {
                if list[i].data.u64 == EventPoll.signalTag { result.signal = true }
                if list[i].data.u64 == EventPoll.listenTag { result.listen = true }
            }
        }
        return result
    }
}
