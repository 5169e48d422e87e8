import Postgres
import Testing

/// How a `Query` is built, without a server.
@Suite struct QueryTests {
    @Test func interpolatedValuesBecomePlaceholders() {
        let name = "x' OR '1'='1"
        let limit = 5
        let q: Query = "SELECT id FROM products WHERE name = \(name) LIMIT \(limit)"
        #expect(q.sql == "SELECT id FROM products WHERE name = $1 LIMIT $2")
        #expect(q.binds.count == 2)
        #expect(q.binds[0].bytes == Array(name.utf8))
        #expect(q.binds[1].typeOID == PostgresType.int8)
        #expect(!q.description.contains("OR '1'"))
        var dumped = ""
        dump(q, to: &dumped)
        #expect(!dumped.contains("OR '1'"))
    }

    @Test func nilOptionalBindsNull() {
        let missing: String? = nil
        let q: Query = "UPDATE t SET note = \(missing)"
        #expect(q.sql == "UPDATE t SET note = $1")
        #expect(q.binds == [.null])
    }

    @Test func composedFragmentsAreRenumbered() {
        let status = "active"
        let country = "NL"
        let filter: Query = "status = \(status) AND note <> '$1 stays' AND country = \(country)"
        let q: Query = "SELECT * FROM stores WHERE id > \(10) AND \(filter) ORDER BY id LIMIT \(20)"
        #expect(q.sql == "SELECT * FROM stores WHERE id > $1 AND status = $2 AND note <> '$1 stays' AND country = $3 ORDER BY id LIMIT $4")
        #expect(q.binds.map(\.bytes) == [Array("10".utf8), Array("active".utf8), Array("NL".utf8), Array("20".utf8)])
        let first: Query = "SELECT \(1)"
        let joined = first + " UNION SELECT \(2)"
        #expect(joined.sql == "SELECT $1 UNION SELECT $2")
    }

    @Test func unsafeEscapeHatchesQuote() {
        let q: Query = "CREATE ROLE \(unsafeIdentifier: "we\"ird") PASSWORD \(unsafeLiteral: "it's \\ fine")"
        #expect(q.sql == #"CREATE ROLE "we""ird" PASSWORD E'it''s \\ fine'"#)
        #expect(q.binds.isEmpty)
    }
}
