import Postgres
import Testing

@Suite struct NotificationTests {
    @Test func listenerReceivesNotifyWithoutBlocking() throws {
        guard let listener = try TestDatabase.connect(), let sender = try TestDatabase.connect() else { return }
        let channel = TestDatabase.uniqueName("registry_changes")
        try listener.listen(channel)
        #expect(try listener.pollNotifications().isEmpty)   // nothing yet, and it returned at once
        try sender.notify(channel, payload: "store:shoe-shop")
        try sender.execute("SELECT pg_notify(\(channel), \("domain:shoes.example"))")
        var received = try listener.waitForNotifications(timeoutMilliseconds: 5000)
        if received.count < 2 { received += try listener.waitForNotifications(timeoutMilliseconds: 5000) }
        #expect(received.map(\.channel) == [channel, channel])
        #expect(received.map(\.payload) == ["store:shoe-shop", "domain:shoes.example"])
        #expect(received.first?.processID == sender.backendPID)
        #expect(try listener.pollNotifications().isEmpty)
        #expect(listener.socketDescriptor >= 0)
    }

    @Test func notificationsSentInARolledBackTransactionNeverArrive() throws {
        struct Abort: Error {}
        guard let listener = try TestDatabase.connect(), let sender = try TestDatabase.connect() else { return }
        let channel = TestDatabase.uniqueName("tx_changes")
        try listener.listen(channel)
        _ = try? sender.transaction { tx in
            try tx.notify(channel, payload: "rolled back")
            throw Abort()
        }
        try sender.notify(channel, payload: "committed")
        let received = try listener.waitForNotifications(timeoutMilliseconds: 5000)
        #expect(received.map(\.payload) == ["committed"])
    }

    @Test func listenIsRestoredAfterAReconnect() throws {
        guard let listener = try TestDatabase.connect(), let sender = try TestDatabase.connect() else { return }
        let channel = TestDatabase.uniqueName("after_reset")
        try listener.listen(channel)
        try listener.reset()
        #expect(listener.resetCount == 1)
        // The reset is reported once, since notifications may have been lost meanwhile...
        #expect { _ = try listener.pollNotifications() } throws: { ($0 as? PostgresError)?.kind == .connection }
        #expect(try listener.pollNotifications().isEmpty)
        // ...and the LISTEN was restored.
        try sender.notify(channel, payload: "still heard")
        let received = try listener.waitForNotifications(timeoutMilliseconds: 5000)
        #expect(received.map(\.payload) == ["still heard"])
    }

    @Test func brokenListenerConnectionIsReportedThenRestored() throws {
        guard let listener = try TestDatabase.connect(), let killer = try TestDatabase.connect() else { return }
        let channel = TestDatabase.uniqueName("broken")
        try listener.listen(channel)
        let pid = listener.backendPID
        _ = try killer.query("SELECT pg_terminate_backend(\(pid))")
        let gone = try TestDatabase.waitUntil {
            try killer.queryFirst("SELECT count(*) AS n FROM pg_stat_activity WHERE pid = \(pid)")!.decode("n", as: Int.self) == 0
        }
        #expect(gone)
        // First poll: the caller learns its cache may be stale.
        let error = try #require(throws: PostgresError.self) { _ = try listener.pollNotifications() }
        #expect(error.kind == .connection)
        // Next poll reconnects and listens again.
        #expect(try listener.pollNotifications().isEmpty)
        try killer.notify(channel, payload: "back")
        #expect(try listener.waitForNotifications(timeoutMilliseconds: 5000).map(\.payload) == ["back"])
    }

    @Test func aReconnectByAStatementIsReportedToTheNextPoll() throws {
        guard let listener = try TestDatabase.connect(), let killer = try TestDatabase.connect() else { return }
        let channel = TestDatabase.uniqueName("silent")
        try listener.listen(channel)
        let pid = listener.backendPID
        _ = try killer.query("SELECT pg_terminate_backend(\(pid))")
        #expect(try TestDatabase.waitUntil {
            try killer.queryFirst("SELECT count(*) AS n FROM pg_stat_activity WHERE pid = \(pid)")!.decode("n", as: Int.self) == 0
        })
        // A route lookup on the same connection reconnects silently...
        #expect(try listener.queryFirst("SELECT 1 AS one")?.decode("one", as: Int.self) == 1)
        // ...but the cache fed by the channel must still learn that it may have missed something.
        #expect { _ = try listener.pollNotifications() } throws: { ($0 as? PostgresError)?.kind == .connection }
        #expect(try listener.pollNotifications().isEmpty)
        try killer.notify(channel, payload: "after")
        #expect(try listener.waitForNotifications(timeoutMilliseconds: 5000).map(\.payload) == ["after"])
    }
}
