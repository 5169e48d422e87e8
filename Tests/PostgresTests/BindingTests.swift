import Postgres
import Testing

/// Values always travel as parameters: input that looks like SQL stays data.
@Suite struct BindingTests {
    @Test func injectionAttemptsAreInert() throws {
        guard let db = try TestDatabase.connect() else { return }
        try db.execute("CREATE TEMP TABLE people (id serial PRIMARY KEY, name text NOT NULL)")
        let attacks = [
            "Robert'); DROP TABLE people;--",
            "x' OR '1'='1",
            "$1",
            "\\'; SELECT pg_sleep(5); --",
            "\u{2019} OR 1=1 --",
        ]
        for attack in attacks {
            try db.execute("INSERT INTO people (name) VALUES (\(attack))")
        }
        let names = try db.query("SELECT name FROM people ORDER BY id").map { try $0.decode("name", as: String.self) }
        #expect(names == attacks)
        let matches = try db.query("SELECT count(*) AS n FROM people WHERE name = \("x' OR '1'='1' --")")
        #expect(try matches[0].decode("n", as: Int.self) == 0)
    }

    @Test func unsafeIdentifierAndLiteralSurviveAwkwardText() throws {
        guard let db = try TestDatabase.connect() else { return }
        let table = "odd \"name\"; DROP"
        try db.execute("CREATE TEMP TABLE \(unsafeIdentifier: table) (v text)")
        try db.execute("INSERT INTO \(unsafeIdentifier: table) VALUES (\(unsafeLiteral: "it's a \\ backslash"))")
        let row = try #require(try db.queryFirst("SELECT v FROM \(unsafeIdentifier: table)"))
        #expect(try row.decode("v", as: String.self) == "it's a \\ backslash")
    }

    @Test func textWithNulByteIsRefusedNotTruncated() throws {
        guard let db = try TestDatabase.connect() else { return }
        #expect {
            _ = try db.query("SELECT \("before\0after")::text AS v")
        } throws: { ($0 as? PostgresError)?.kind == .encoding }
        // The connection is still usable afterwards.
        #expect(try db.queryFirst("SELECT 1 AS one")?.decode("one", as: Int.self) == 1)
    }

    @Test func executeReportsAffectedRows() throws {
        guard let db = try TestDatabase.connect() else { return }
        try db.execute("CREATE TEMP TABLE counters (n int)")
        #expect(try db.execute("INSERT INTO counters SELECT generate_series(1, 7)") == 7)
        #expect(try db.execute("UPDATE counters SET n = n + 1 WHERE n > \(4)") == 3)
        #expect(try db.execute("DELETE FROM counters WHERE n = \(-1)") == 0)
    }
}
