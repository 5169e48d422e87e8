import Crypto
import Foundation
import Postgres
import Registry
import Testing
import TestSupport
@testable import Commerce

/// Benchmarks/catalog/run.sh: the admin product list over 100,000 products. Runs only when
/// STOREFLEET_CATALOG_BENCH=1 (it seeds for a minute); fails when any page's p50 is 50 ms or more.
@Suite("CatalogListBenchmark", .enabled(if: ProcessInfo.processInfo.environment["STOREFLEET_CATALOG_BENCH"] == "1"))
struct CatalogListBenchmark {
    @Test("first, middle and last page of every sort and filter answer in under 50 ms (p50)")
    func listPages() throws {
        let stack = try StackEnvironment.require()
        let owner = try Connection(url: try stack.value("STOREFLEET_REGISTRY_OWNER_URL"))
        let keyring = try Keyring.load(file: try stack.value("STOREFLEET_MASTER_KEY_FILE"), environment: [:])
        let migrations = try MigrationSet(directory: StackEnvironment.packageRoot() + "/migrations/tenant")
        let provisioner = Provisioner(registry: owner, keyring: keyring, options: ProvisioningOptions(migrations: migrations))
        let environment = ProcessInfo.processInfo.environment
        // STOREFLEET_CATALOG_BENCH_STORE=<id>: time an already seeded store again (KEEP=1 kept it).
        let storeId: Int64
        if let reuse = environment["STOREFLEET_CATALOG_BENCH_STORE"].flatMap({ Int64($0) }) {
            storeId = reuse
            print("store id \(reuse) (reused)")
        } else {
            let slug = "bench-list-" + String(SecureRandom.token(bytes: 6).lowercased().filter { $0.isLetter || $0.isNumber }.prefix(6))
            let store = try provisioner.provision(ProvisionRequest(slug: slug, name: "List benchmark", server: "server1",
                                                                  currency: "USD", country: "US", timezone: "UTC", locale: "en"))
            storeId = store.storeId
            print("store \(slug) (id \(store.storeId))")
            // Seed as the database's owner (the migrating role), so ANALYZE covers every table.
            let adminURL = try ConnInfo(parsing: try stack.value("STOREFLEET_SERVER1_ADMIN_URL")).database("sf_store_\(store.storeId)")
            let admin = try Connection(url: adminURL.keywordString)
            let seedStart = ContinuousClock.now
            let seed = try String(contentsOfFile: StackEnvironment.packageRoot() + "/Benchmarks/catalog/seed.sql", encoding: .utf8)
            try admin.executeScript(unsafeSQL: seed)
            try admin.executeScript(unsafeSQL: "VACUUM ANALYZE")
            print("seeded 100,000 products in \(ContinuousClock.now - seedStart)")
        }
        defer {
            if environment["STOREFLEET_CATALOG_BENCH_KEEP"] != "1", environment["STOREFLEET_CATALOG_BENCH_STORE"] == nil,
               let slug = try? owner.queryFirst("SELECT slug FROM stores WHERE id = \(storeId)")?.decode("slug", as: String.self) {
                try? provisioner.deprovision(slug: slug)
            }
        }

        let db = try TenantConnector.open(storeId: storeId, registry: owner, keyring: keyring)
        let collection: Int64 = try db.queryFirst("SELECT id FROM collections WHERE handle = 'bench-collection-3'")!.decode("id")
        let cases: [(String, AdminProductQuery)] = [
            ("all, recently updated", AdminProductQuery()),
            ("all, newest", AdminProductQuery(sort: .newest)),
            ("all, title A–Z", AdminProductQuery(sort: .title)),
            ("all, lowest stock", AdminProductQuery(sort: .inventory)),
            ("status active", AdminProductQuery(status: .active)),
            ("status draft", AdminProductQuery(status: .draft)),
            ("vendor", AdminProductQuery(vendor: "Vendor 7")),
            ("type, title A–Z", AdminProductQuery(productType: "Type 3", sort: .title)),
            ("collection", AdminProductQuery(collectionId: collection)),
            ("out of stock", AdminProductQuery(stock: .outOfStock)),
            ("search title “lamp”", AdminProductQuery(search: "lamp")),
            ("search SKU", AdminProductQuery(search: "SKU-0012345")),
            ("search vendor + draft", AdminProductQuery(search: "vendor 12", status: .draft)),
        ]
        print("| list | matches | first p50 / p95 | middle p50 / p95 | last p50 / p95 |")
        print("|---|---:|---:|---:|---:|")
        var slow: [String] = []
        for (name, query) in cases {
            let matches: Int = try db.queryFirst("SELECT count(*) AS n FROM products p WHERE \(AdminProductList.conditions(query))")!.decode("n")
            var cells: [String] = []
            for position in [0.0, 0.5, 1.0] {
                var q = query
                q.after = try cursor(at: position, of: query, matches: matches, on: db)
                _ = try AdminProductList.page(q, on: db)             // warm
                var times: [Double] = []
                for _ in 0..<21 {
                    let start = ContinuousClock.now
                    let page = try AdminProductList.page(q, on: db)
                    times.append(Double((ContinuousClock.now - start).components.attoseconds) / 1e15
                                 + Double((ContinuousClock.now - start).components.seconds) * 1000)
                    #expect(!page.rows.isEmpty || matches == 0)
                }
                times.sort()
                let p50 = times[times.count / 2], p95 = times[Int(Double(times.count - 1) * 0.95)]
                if p50 >= 50 { slow.append("\(name) @\(position)") }
                cells.append(String(format: "%.1f / %.1f", p50, p95))
            }
            print("| \(name) | \(matches) | \(cells.joined(separator: " | ")) |")
        }
        #expect(slow.isEmpty, "p50 of 50 ms or more: \(slow)")
    }

    /// The cursor that starts the page at `position` (0 first, 0.5 middle, 1 last) of the list.
    func cursor(at position: Double, of query: AdminProductQuery, matches: Int, on db: Connection) throws -> AdminProductCursor? {
        let offset = position == 0 ? 0 : max(0, Int(Double(matches) * position) - (position == 1 ? query.limit : 0) - 1)
        guard offset > 0 else { return nil }
        let (column, descending) = query.sort.column
        let direction = descending ? "DESC" : "ASC"
        guard let row = try db.queryFirst("""
            SELECT p.id, \(column) AS key FROM products p WHERE \(AdminProductList.conditions(query))
            ORDER BY \(column) \(unsafeSQL: direction), p.id \(unsafeSQL: direction) OFFSET \(offset) LIMIT 1
            """) else { return nil }
        let id: Int64 = try row.decode("id")
        let key: String
        switch query.sort {
        case .updated, .newest, .oldest:
            key = String(AdminProductCursor.micros(try row.decode("key", as: Date.self)))
        case .title, .titleDescending:
            key = Crypto.Base64URL.encode(Array(try row.decode("key", as: String.self).utf8))
        case .inventory, .inventoryDescending:
            key = String(try row.decode("key", as: Int64.self))
        }
        return AdminProductCursor(token: "\(query.sort.rawValue).\(id).\(key)")
    }
}
