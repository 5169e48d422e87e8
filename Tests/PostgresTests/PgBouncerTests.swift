import Foundation
import Postgres
import Testing
import TestSupport

/// Through the stack's PgBouncer in transaction mode: server connections are shared between
/// clients from one transaction to the next, so anything session-bound (named prepared
/// statements, session SETs) would break here.
@Suite struct PgBouncerTests {
    /// The admin URL with PgBouncer's port instead of the server's.
    static func bouncerURL() -> String? {
        guard let admin = TestDatabase.adminURL() else { return nil }
        guard let port = StackEnvironment.load()?["STOREFLEET_PGBOUNCER_PORT"],
              let url = URLComponents(string: admin), let host = url.host, let serverPort = url.port else {
            Issue.record("stack.env has no STOREFLEET_PGBOUNCER_PORT (or the admin URL has no host:port)")
            return nil
        }
        return admin.replacingOccurrences(of: "@\(host):\(serverPort)/", with: "@\(host):\(port)/")
    }

    @Test func boundQueriesTransactionsAndStreamsWorkWhenServerConnectionsAreShared() throws {
        guard let url = Self.bouncerURL() else { return }
        // More clients than the pool has server connections, used in turn.
        let clients = try (0..<8).map { _ in try Connection(url: url) }
        for round in 0..<10 {
            for (n, db) in clients.enumerated() {
                let value = round * 100 + n
                #expect(try db.queryFirst("SELECT \(value)::int8 * 2 AS v, \("c\(n)") AS who")?.decode("v", as: Int.self) == value * 2)
                let setting = try db.transaction { tx in
                    try tx.execute("SELECT set_config('storefleet.org_id', \(String(value)), true)")
                    return try #require(try tx.queryFirst("SELECT current_setting('storefleet.org_id') AS org")).decode("org", as: String.self)
                }
                #expect(setting == String(value))
            }
        }
        var streamed = 0
        try clients[0].stream("SELECT g FROM generate_series(1, 1000) AS g WHERE g > \(0)") { row in
            streamed += try row.decode("g", as: Int.self)
        }
        #expect(streamed == 500_500)
        let error = try #require(throws: PostgresError.self) { try clients[1].execute("SELECT 1/\(0)") }
        #expect(error.sqlState == "22012")
        #expect(try clients[1].queryFirst("SELECT \(1) AS one")?.decode("one", as: Int.self) == 1)
    }
}
