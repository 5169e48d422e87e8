import Postgres
import Testing

@Suite struct ConnectionLRUTests {
    @Test func evictsTheLeastRecentlyUsedAndClosesIt() throws {
        guard let observer = try TestDatabase.connect() else { return }
        let app = TestDatabase.uniqueName("lru")
        let cache = ConnectionLRU(capacity: 2)
        var opened: [String: Connection] = [:]
        func get(_ key: String) throws -> Connection {
            try cache.connection(key: key) {
                let c = try TestDatabase.connect(applicationName: app)!
                opened[key] = c
                return c
            }
        }
        let a = try get("tenant-a")
        _ = try get("tenant-b")
        #expect(try get("tenant-a") === a)   // a hit, and now the most recent
        _ = try get("tenant-c")              // evicts b, the least recently used
        #expect(cache.count == 2)
        #expect(cache.contains(key: "tenant-a"))
        #expect(!cache.contains(key: "tenant-b"))
        #expect(opened["tenant-b"]?.isConnected == false)
        #expect(opened.count == 3)

        let serverSide = try TestDatabase.waitUntil {
            try observer.queryFirst("SELECT count(*) AS n FROM pg_stat_activity WHERE application_name = \(app)")!
                .decode("n", as: Int.self) == 2
        }
        #expect(serverSide, "the evicted connection is still open on the server")

        cache.evict(key: "tenant-a")
        #expect(!a.isConnected)
        cache.removeAll()
        #expect(cache.count == 0)
    }

    @Test func aConnectionClosedBehindTheCachesBackIsReplaced() throws {
        guard TestDatabase.adminURL() != nil else { return }
        let cache = ConnectionLRU(capacity: 4)
        let first = try cache.connection(key: "t") { try TestDatabase.connect()! }
        first.close()
        let second = try cache.connection(key: "t") { try TestDatabase.connect()! }
        #expect(second !== first)
        #expect(try second.queryFirst("SELECT 1 AS one")?.decode("one", as: Int.self) == 1)
        #expect(cache.count == 1)
    }

    @Test func aFailedOpenCachesNothing() throws {
        struct CannotOpen: Error {}
        let cache = ConnectionLRU(capacity: 1)
        #expect(throws: CannotOpen.self) { _ = try cache.connection(key: "x") { throw CannotOpen() } }
        #expect(cache.count == 0)
    }
}
