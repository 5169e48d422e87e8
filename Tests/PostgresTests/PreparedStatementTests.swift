import Postgres
import Testing

/// `Connection.preparedStatementCapacity`: statements are prepared once per session and reused,
/// and the cache survives what the server can do to it (DISCARD ALL, a changed table, a lost
/// connection) without the caller noticing outside a transaction.
@Suite struct PreparedStatementTests {
    /// The session's named statements, read by a statement that is itself never prepared (a
    /// leading comment keeps it unnamed).
    func serverStatements(_ db: Connection) throws -> [String] {
        try db.query("/* probe */ SELECT name FROM pg_prepared_statements ORDER BY name").map { try $0.decode("name") }
    }

    @Test func aRepeatedStatementIsPreparedOnceAndGivesEachCallItsOwnValues() throws {
        guard let db = try TestDatabase.connect() else { return }
        db.preparedStatementCapacity = 10
        for n in 1...20 {
            let row = try #require(try db.queryFirst("SELECT \(n) * 2 AS doubled, \("x")::text || \(String(n)) AS label"))
            #expect(try row.decode("doubled", as: Int.self) == n * 2)
            #expect(try row.decode("label", as: String.self) == "x\(n)")
        }
        #expect(try serverStatements(db).count == 1)
        #expect(db.preparedStatementCount == 1)
    }

    @Test func withoutACapacityNothingIsPrepared() throws {
        guard let db = try TestDatabase.connect() else { return }
        for n in 1...3 { _ = try db.queryFirst("SELECT \(n) AS n") }
        #expect(try serverStatements(db).isEmpty)
    }

    @Test func aNullAndATypedValueInTheSameTextAreTwoStatements() throws {
        guard let db = try TestDatabase.connect() else { return }
        db.preparedStatementCapacity = 10
        let none: Int? = nil
        let some: Int? = 7
        #expect(try db.queryFirst("SELECT coalesce(\(none)::int8, -1) AS v")?.decode("v", as: Int.self) == -1)
        #expect(try db.queryFirst("SELECT coalesce(\(some)::int8, -1) AS v")?.decode("v", as: Int.self) == 7)
        #expect(try db.queryFirst("SELECT coalesce(\(none)::int8, -1) AS v")?.decode("v", as: Int.self) == -1)
    }

    @Test func aStatementRunOnceIsNotPrepared() throws {
        guard let db = try TestDatabase.connect() else { return }
        db.preparedStatementCapacity = 10
        _ = try db.query("SELECT 1 AS once")
        #expect(try serverStatements(db).isEmpty)
        _ = try db.query("SELECT 1 AS once")
        #expect(try serverStatements(db).count == 1)
    }

    @Test func theLeastRecentlyUsedStatementMakesRoomAndIsDeallocated() throws {
        guard let db = try TestDatabase.connect() else { return }
        db.preparedStatementCapacity = 2
        func twice(_ q: Query) throws { _ = try db.query(q); _ = try db.query(q) }
        try twice("SELECT 1 AS a")
        try twice("SELECT 2 AS b")
        _ = try db.query("SELECT 1 AS a")          // a is now the most recent
        try twice("SELECT 3 AS c")                 // b goes
        _ = try db.query("SELECT 1 AS a")          // still prepared; b's DEALLOCATE went first
        #expect(db.preparedStatementCount == 2)
        #expect(try serverStatements(db).count == 2)
    }

    @Test func discardAllIsRecoveredFromOutsideATransaction() throws {
        guard let db = try TestDatabase.connect() else { return }
        db.preparedStatementCapacity = 10
        _ = try db.query("SELECT 41 + 1 AS n")
        _ = try db.query("SELECT 41 + 1 AS n")
        #expect(try serverStatements(db).count == 1)
        try db.executeScript(unsafeSQL: "DISCARD ALL")
        #expect(try db.queryFirst("SELECT 41 + 1 AS n")?.decode("n", as: Int.self) == 42)
        #expect(try serverStatements(db).count == 1)
    }

    @Test func aTableThatGainedAColumnIsReadWithIt() throws {
        guard let db = try TestDatabase.connect() else { return }
        db.preparedStatementCapacity = 10
        let table = TestDatabase.uniqueName("prep")
        try db.execute(Query(unsafeSQL: "CREATE TEMP TABLE \(table) (a int)"))
        try db.execute(Query(unsafeSQL: "INSERT INTO \(table) VALUES (1)"))
        let select = Query(unsafeSQL: "SELECT * FROM \(table)")
        _ = try db.query(select)
        _ = try db.query(select)   // prepared now
        try db.execute(Query(unsafeSQL: "ALTER TABLE \(table) ADD COLUMN b text DEFAULT 'new'"))
        let row = try #require(try db.queryFirst(select))
        #expect(try row.decode("b", as: String.self) == "new")
    }

    @Test func aStatementInsideATransactionRollsBackWithIt() throws {
        guard let db = try TestDatabase.connect() else { return }
        db.preparedStatementCapacity = 10
        let table = TestDatabase.uniqueName("prep")
        try db.execute(Query(unsafeSQL: "CREATE TEMP TABLE \(table) (a int)"))
        let insert = Query(unsafeSQL: "INSERT INTO \(table) VALUES ($1)", binds: [5.postgresBind])
        struct Stop: Error {}
        #expect(throws: Stop.self) {
            try db.transaction { db in
                try db.execute(insert)
                throw Stop()
            }
        }
        try db.transaction { db in try db.execute(insert) }
        try db.transaction { db in try db.execute(insert) }
        #expect(try db.queryFirst(Query(unsafeSQL: "SELECT count(*) AS n FROM \(table)"))?.decode("n", as: Int.self) == 2)
    }

    @Test func aReconnectedSessionPreparesAgain() throws {
        guard let db = try TestDatabase.connect(), let admin = try TestDatabase.connect() else { return }
        db.preparedStatementCapacity = 10
        _ = try db.query("SELECT 5 AS n")
        _ = try db.query("SELECT 5 AS n")
        let pid = db.backendPID
        _ = try admin.query("SELECT pg_terminate_backend(\(pid)) AS done")
        #expect(try TestDatabase.waitUntil {
            try admin.queryFirst("SELECT count(*) AS n FROM pg_stat_activity WHERE pid = \(Int(pid))")?
                .decode("n", as: Int.self) == 0
        })
        #expect(try db.queryFirst("SELECT 5 AS n")?.decode("n", as: Int.self) == 5)
        #expect(try db.queryFirst("SELECT 5 AS n")?.decode("n", as: Int.self) == 5)
        #expect(db.backendPID != pid)
        #expect(try serverStatements(db).count == 1)
    }

    @Test func aStatementThatFailsToPrepareIsNotKept() throws {
        guard let db = try TestDatabase.connect() else { return }
        db.preparedStatementCapacity = 10
        #expect(throws: PostgresError.self) { try db.query("SELECT * FROM no_such_table_for_prepare") }
        #expect(throws: PostgresError.self) { try db.query("SELECT * FROM no_such_table_for_prepare") }
        #expect(db.preparedStatementCount == 0)
        #expect(try db.queryFirst("SELECT 1 AS one")?.decode("one", as: Int.self) == 1)
    }
}
