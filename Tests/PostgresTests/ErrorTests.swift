import Postgres
import Testing

@Suite struct ErrorTests {
    @Test func uniqueViolationHasSQLStateAndNoDataInItsDescription() throws {
        guard let db = try TestDatabase.connect() else { return }
        try db.execute("CREATE TEMP TABLE accounts (email text CONSTRAINT accounts_email_key UNIQUE)")
        let secret = "ceo-private@example.com"
        try db.execute("INSERT INTO accounts VALUES (\(secret))")
        let error = try #require(throws: PostgresError.self) {
            try db.execute("INSERT INTO accounts VALUES (\(secret))")
        }
        #expect(error.sqlState == "23505")
        #expect(error.kind == .uniqueViolation)
        #expect(error.constraintName == "accounts_email_key")
        #expect(error.description == "database error (23505 unique_violation)")
        #expect(!error.description.contains(secret))
        #expect(!error.description.contains("INSERT"))
        #expect(!"\(error)".contains(secret))
        #expect(error.unsafeServerMessage?.contains(secret) == true)   // kept for logs only
        var dumped = ""
        dump(error, to: &dumped)
        #expect(!dumped.contains(secret))
        #expect(!String(reflecting: error).contains(secret))
    }

    @Test func syntaxAndMissingTableErrorsAreClassified() throws {
        guard let db = try TestDatabase.connect() else { return }
        let syntax = try #require(throws: PostgresError.self) { try db.execute("SELEC 1") }
        #expect(syntax.kind == .syntaxError)
        #expect(!syntax.description.contains("SELEC"))
        let missing = try #require(throws: PostgresError.self) { try db.query("SELECT * FROM no_such_table_here") }
        #expect(missing.kind == .undefinedTable)
        #expect(missing.sqlState == "42P01")
        #expect(!missing.description.contains("no_such_table_here"))
        let check = try #require(throws: PostgresError.self) { try db.query("SELECT \("abc")::int AS n") }
        #expect(check.kind == .invalidInput)
        #expect(!check.description.contains("abc"))
    }

    @Test func failedConnectionDoesNotLeakThePassword() throws {
        guard TestDatabase.adminURL() != nil else { return }
        let error = try #require(throws: PostgresError.self) {
            _ = try Connection(url: "postgresql://nobody:hunter2-secret@127.0.0.1:1/nowhere?connect_timeout=2")
        }
        #expect(error.kind == .connection)
        #expect(!error.description.contains("hunter2"))
        #expect(!error.description.contains("nobody"))
    }
}
