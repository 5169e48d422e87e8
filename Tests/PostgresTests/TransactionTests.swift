import Postgres
import Testing

@Suite struct TransactionTests {
    struct Abort: Error {}

    private func count(_ db: Connection) throws -> Int {
        try #require(try db.queryFirst("SELECT count(*) AS n FROM ledger")).decode("n", as: Int.self)
    }

    @Test func commitsWhenTheBodyReturns() throws {
        guard let db = try TestDatabase.connect() else { return }
        try db.execute("CREATE TEMP TABLE ledger (note text)")
        let value = try db.transaction { tx in
            try tx.execute("INSERT INTO ledger VALUES (\("kept"))")
            return 42
        }
        #expect(value == 42)
        #expect(try count(db) == 1)
        #expect(!db.isInTransaction)
    }

    @Test func rollsBackWhenTheBodyThrows() throws {
        guard let db = try TestDatabase.connect() else { return }
        try db.execute("CREATE TEMP TABLE ledger (note text)")
        #expect(throws: Abort.self) {
            try db.transaction { tx in
                try tx.execute("INSERT INTO ledger VALUES (\("gone"))")
                throw Abort()
            }
        }
        #expect(try count(db) == 0)
        #expect(!db.isInTransaction)
        // The connection carries on normally.
        try db.transaction { tx in try tx.execute("INSERT INTO ledger VALUES (\("after"))") }
        #expect(try count(db) == 1)
    }

    @Test func nestedTransactionRollsBackOnlyItsSavepoint() throws {
        guard let db = try TestDatabase.connect() else { return }
        try db.execute("CREATE TEMP TABLE ledger (note text)")
        try db.transaction { tx in
            try tx.execute("INSERT INTO ledger VALUES (\("outer"))")
            do {
                try tx.transaction { inner in
                    try inner.execute("INSERT INTO ledger VALUES (\("inner"))")
                    throw Abort()
                }
            } catch is Abort {}
            try tx.execute("INSERT INTO ledger VALUES (\("outer again"))")
        }
        let notes = try db.query("SELECT note FROM ledger ORDER BY note").map { try $0.decode("note", as: String.self) }
        #expect(notes == ["outer", "outer again"])
    }

    @Test func aSwallowedStatementErrorIsNotReportedAsCommitted() throws {
        guard let db = try TestDatabase.connect() else { return }
        try db.execute("CREATE TEMP TABLE ledger (note text NOT NULL)")
        #expect {
            try db.transaction { tx in
                try tx.execute("INSERT INTO ledger VALUES (\("first"))")
                _ = try? tx.execute("INSERT INTO ledger VALUES (NULL)")   // fails; caller ignores it
            }
        } throws: { ($0 as? PostgresError)?.kind == .transactionRolledBack }
        #expect(try count(db) == 0)
        #expect(!db.isInTransaction)
    }
}

@Suite struct TransactionOptionTests {
    @Test func isolationAndReadOnlyAreApplied() throws {
        guard let db = try TestDatabase.connect() else { return }
        let level = try db.transaction(isolation: .serializable, readOnly: true) { tx in
            try #require(try tx.queryFirst("SELECT current_setting('transaction_isolation') AS l")).decode("l", as: String.self)
        }
        #expect(level == "serializable")
        let error = try #require(throws: PostgresError.self) {
            try db.transaction(readOnly: true) { tx in try tx.execute("CREATE TEMP TABLE nope (x int)") }
        }
        #expect(error.sqlState == "25006")
    }

    @Test func genericPlansHoldForTheTransactionOnly() throws {
        guard let db = try TestDatabase.connect() else { return }
        func mode(_ c: Connection) throws -> String {
            try #require(try c.queryFirst("SELECT current_setting('plan_cache_mode') AS m")).decode("m")
        }
        let inside = try db.transaction(isolation: .repeatableRead, genericPlans: true) { tx in
            (try mode(tx), try #require(try tx.queryFirst("SELECT current_setting('transaction_isolation') AS l")).decode("l", as: String.self))
        }
        #expect(inside.0 == "force_generic_plan" && inside.1 == "repeatable read")
        #expect(try mode(db) == "auto")
        #expect(!db.isInTransaction)
    }

    @Test func scriptsRunSeveralStatements() throws {
        guard let db = try TestDatabase.connect() else { return }
        try db.transaction { tx in
            try tx.executeScript(unsafeSQL: """
                CREATE TEMP TABLE script_a (x int);
                CREATE FUNCTION pg_temp.twice(int) RETURNS int AS $$ SELECT $1 * 2; $$ LANGUAGE sql;
                INSERT INTO script_a VALUES (pg_temp.twice(21));
                """)
        }
        #expect(try db.queryFirst("SELECT x FROM script_a")?.decode("x", as: Int.self) == 42)
        // A failing statement in a script is an ordinary error.
        #expect(throws: PostgresError.self) { try db.executeScript(unsafeSQL: "SELECT 1; SELEC 2;") }
    }
}
