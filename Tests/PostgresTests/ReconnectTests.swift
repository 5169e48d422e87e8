import Postgres
import Testing

/// The server killing a backend (`pg_terminate_backend`) is what a restart, a failover or an
/// idle timeout looks like from the client.
@Suite struct ReconnectTests {
    /// Terminates `victim`'s backend from `killer` and waits until the server has let it go.
    private func terminate(_ victim: Connection, from killer: Connection) throws {
        let pid = victim.backendPID
        let row = try #require(try killer.queryFirst("SELECT pg_terminate_backend(\(pid)) AS ok"))
        #expect(try row.decode("ok", as: Bool.self))
        let gone = try TestDatabase.waitUntil {
            try killer.queryFirst("SELECT count(*) AS n FROM pg_stat_activity WHERE pid = \(pid)")!
                .decode("n", as: Int.self) == 0
        }
        #expect(gone)
    }

    @Test func idleConnectionKilledByTheServerIsReplacedBeforeTheNextStatement() throws {
        guard let db = try TestDatabase.connect(), let killer = try TestDatabase.connect() else { return }
        let before = db.backendPID
        try terminate(db, from: killer)
        let row = try #require(try db.queryFirst("SELECT 7 AS seven"))
        #expect(try row.decode("seven", as: Int.self) == 7)
        #expect(db.backendPID != before)
        #expect(db.resetCount == 1)
        #expect(db.isConnected)
    }

    @Test func connectionLostInsideATransactionFailsTheTransaction() throws {
        guard let db = try TestDatabase.connect(), let killer = try TestDatabase.connect() else { return }
        try db.execute("CREATE TEMP TABLE ledger (note text)")
        let error = try #require(throws: PostgresError.self) {
            try db.transaction { tx in
                try tx.execute("INSERT INTO ledger VALUES (\("lost"))")
                try terminate(tx, from: killer)
                try tx.execute("INSERT INTO ledger VALUES (\("never"))")
            }
        }
        #expect(error.kind == .connection)
        #expect(error.isTransient)
        // The next statement outside a transaction reconnects (the temp table went with the old session).
        let row = try #require(try db.queryFirst("SELECT to_regclass('pg_temp.ledger') IS NULL AS gone"))
        #expect(try row.decode("gone", as: Bool.self))
        #expect(db.resetCount == 1)
    }

    @Test func aHandWrittenBeginIsNotSilentlyLostEither() throws {
        guard let db = try TestDatabase.connect(), let killer = try TestDatabase.connect() else { return }
        try db.execute("BEGIN")
        try terminate(db, from: killer)
        let error = try #require(throws: PostgresError.self) { try db.execute("SELECT 1") }
        #expect(error.kind == .connection)
        #expect(!db.isInTransaction)
        #expect(try db.queryFirst("SELECT 2 AS two")?.decode("two", as: Int.self) == 2)
        #expect(db.resetCount == 1)
    }

    @Test func explicitResetReconnects() throws {
        guard let db = try TestDatabase.connect() else { return }
        let before = db.backendPID
        try db.reset()
        #expect(db.backendPID != before)
        #expect(try db.queryFirst("SELECT 1 AS one")?.decode("one", as: Int.self) == 1)
    }

    @Test func closedConnectionRefusesUse() throws {
        guard let db = try TestDatabase.connect() else { return }
        db.close()
        #expect(!db.isConnected)
        #expect(db.socketDescriptor == -1)
        let error = try #require(throws: PostgresError.self) { try db.execute("SELECT 1") }
        #expect(error.kind == .misuse)
    }
}
