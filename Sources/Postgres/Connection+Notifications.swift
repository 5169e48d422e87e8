import CLibPQ
#if canImport(Glibc)
import Glibc
#endif

/// A `NOTIFY` received on a channel this connection listens to.
public struct PostgresNotification: Sendable, Equatable {
    public let channel: String
    public let payload: String
    /// The server process that sent it.
    public let processID: Int32
}

extension Connection {
    /// `LISTEN` on a channel; re-issued automatically after a reset.
    public func listen(_ channel: String) throws(PostgresError) {
        try execute("LISTEN \(unsafeIdentifier: channel)")
        if !listenedChannels.contains(channel) { listenedChannels.append(channel) }
    }

    /// Whether this connection LISTENs on `channel` (kept across silent reconnects, which
    /// re-issue every LISTEN).
    public func isListening(_ channel: String) -> Bool { listenedChannels.contains(channel) }

    /// `UNLISTEN` a channel.
    public func unlisten(_ channel: String) throws(PostgresError) {
        try execute("UNLISTEN \(unsafeIdentifier: channel)")
        listenedChannels.removeAll { $0 == channel }
    }

    /// Sends a notification (`pg_notify`, so channel and payload are bound, not spliced).
    public func notify(_ channel: String, payload: String = "") throws(PostgresError) {
        try execute("SELECT pg_notify(\(channel), \(payload))")
    }

    /// Notifications that have arrived, without blocking: reads what the socket holds
    /// (`PQconsumeInput`) and returns what libpq has queued (`PQnotifies`). Cheap enough to call
    /// between requests.
    ///
    /// Throws `.connection` exactly once per break of a listening connection — when it finds the
    /// connection broken, or when a statement or `reset()` reconnected it since the last poll —
    /// because notifications sent meanwhile are lost: the caller should treat every cache the
    /// channels feed as stale. The next call (or statement) reconnects and re-listens.
    ///
    /// Every notification read here is also latched for `takeNotified(_:)`, and a break latches
    /// every listened channel, so callers of either never take each other's news.
    public func pollNotifications() throws(PostgresError) -> [PostgresNotification] {
        do {
            let notes = try readNotifications()
            for note in notes { notifiedChannels.insert(note.channel) }
            return notes
        } catch {
            if error.kind == .connection { notifiedChannels.formUnion(listenedChannels) }
            throw error
        }
    }

    /// Whether `channel` was notified since the last `takeNotified(channel)` — or may have been:
    /// true on the first call (which LISTENs), after the connection broke or reconnected, and
    /// when it cannot listen. Reads what the socket holds without blocking. Notifications of
    /// other channels stay latched for their own consumers, so several caches can be woken by
    /// one connection (the storefront's `storefront_changed`, the dashboard's `reports_changed`).
    public func takeNotified(_ channel: String) -> Bool {
        guard isListening(channel) else {
            do { try listen(channel) } catch { return true }
            notifiedChannels.remove(channel)
            return true
        }
        _ = try? pollNotifications()
        return notifiedChannels.remove(channel) != nil
    }

    /// A round trip that runs nothing (an empty query): when it returns, every notification
    /// committed before it was sent has reached this connection (the server delivers pending
    /// notifications before it reports ready). A cache fed by NOTIFY calls it, then
    /// `pollNotifications()`/`takeNotified(_:)`, to see changes other processes committed
    /// just before this request, not a moment later.
    public func sync() throws(PostgresError) {
        try executeScript(unsafeSQL: "")
    }

    private func readNotifications() throws(PostgresError) -> [PostgresNotification] {
        guard let handle else { throw .misuse("connection is closed") }
        if isStreaming { throw .misuse("a stream is still reading on this connection") }
        if needsReset {
            if transactionDepth > 0 { throw connectionLost(handle) }
            try reset()
        }
        if resetNotReported {
            resetNotReported = false
            if !listenedChannels.isEmpty {
                throw PostgresError(kind: .connection, context: "reconnected; notifications may have been missed")
            }
        }
        guard readPendingInput(handle) else {
            breakReported = true
            throw connectionLost(handle)
        }
        var out: [PostgresNotification] = []
        while let n = PQnotifies(handle) {
            out.append(PostgresNotification(channel: String(cString: n.pointee.relname),
                                            payload: String(cString: n.pointee.extra),
                                            processID: n.pointee.be_pid))
            PQfreemem(n)
        }
        return out
    }

    /// Waits up to `timeoutMilliseconds` for at least one notification (`poll(2)` on the socket),
    /// then returns what arrived — possibly nothing on timeout. For listeners that have nothing
    /// else to do; a worker between requests calls `pollNotifications()` instead.
    public func waitForNotifications(timeoutMilliseconds: Int32) throws(PostgresError) -> [PostgresNotification] {
        var waited: Int64 = 0
        let start = monotonicMilliseconds()
        while true {
            let ready = try pollNotifications()
            if !ready.isEmpty { return ready }
            waited = monotonicMilliseconds() - start
            if waited >= Int64(timeoutMilliseconds) { return [] }
            var fd = pollfd(fd: socketDescriptor, events: Int16(POLLIN), revents: 0)
            let remaining = Int32(Int64(timeoutMilliseconds) - waited)
            if poll(&fd, 1, remaining) == 0 { return try pollNotifications() }
        }
    }
}

private func monotonicMilliseconds() -> Int64 {
    var ts = timespec()
    clock_gettime(CLOCK_MONOTONIC, &ts)
    return Int64(ts.tv_sec) * 1000 + Int64(ts.tv_nsec) / 1_000_000
}
