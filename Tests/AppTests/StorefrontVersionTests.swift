import HTTP
import Postgres
import Registry
import Testing
@testable import App

/// The home page cache keyed by the tenant schema's `storefront_version` (migration 0006) and woken
/// by its `storefront_changed` notification (migration 0007): every change to what the page shows
/// is served as soon as its commit's notification reaches the worker — polled here with a deadline,
/// since a NOTIFY reaches listeners just after the committing client hears back.
@Suite(.serialized) struct StorefrontVersionTests {
    /// The page, once it satisfies `condition` (within two seconds), else the last one seen.
    func page(_ handle: (Request) -> Response, _ host: String, until condition: (String) -> Bool) throws -> String {
        let deadline = ContinuousClock.now + .seconds(2)
        var text = handle(try get("/", host: host)).text
        while !condition(text), ContinuousClock.now < deadline {
            text = handle(try get("/", host: host)).text
        }
        return text
    }

    /// A store whose schema predates the seam: drop it the way an old database would lack it.
    func removeSeam(_ stack: AppStack, _ store: ProvisionedStore) throws {
        let adminURL = try stack.stack.value(store.serverName == "server2" ? "STOREFLEET_SERVER2_ADMIN_URL" : "STOREFLEET_SERVER1_ADMIN_URL")
        guard let slash = adminURL.lastIndex(of: "/") else { return }
        let owner = try Connection(url: String(adminURL[...slash]) + store.databaseName)
        try owner.execute("DROP FUNCTION bump_storefront_version() CASCADE")
        try owner.execute("DROP FUNCTION variants_bump_storefront_version() CASCADE")
        try owner.execute("DROP TABLE storefront_version")
    }

    @Test func everyCatalogChangeIsOnTheNextRequest() throws {
        guard let stack = try AppStack.required() else { return }
        let store = try stack.provisionStore(prefix: "version", name: "Versioned Goods", server: "server1")
        try stack.addProducts(store, [("Oak Spoon", 900, nil)])
        let handle = try stack.handler()
        let host = stack.host(store)
        let first = handle(try get("/", host: host)).text
        #expect(first.contains("Oak Spoon") && first.contains("$9.00"))
        #expect(handle(try get("/", host: host)).text == first)        // unchanged: same page

        let db = try stack.tenantConnection(store)
        try stack.addProducts(store, [("Ash Bowl", 3100, nil)])
        #expect(try page(handle, host) { $0.contains("Ash Bowl") }.contains("Ash Bowl"))

        try db.execute("UPDATE variants SET price_minor = 1250 WHERE product_id = (SELECT id FROM products WHERE handle = 'oak-spoon')")
        let repriced = try page(handle, host) { $0.contains("$12.50") }
        #expect(repriced.contains("$12.50") && !repriced.contains("$9.00"))

        try db.execute("UPDATE products SET status = 'archived' WHERE handle = 'ash-bowl'")
        #expect(!(try page(handle, host) { !$0.contains("Ash Bowl") }).contains("Ash Bowl"))

        try db.execute("DELETE FROM products WHERE handle = 'oak-spoon'")
        let empty = try page(handle, host) { !$0.contains("Oak Spoon") }
        #expect(!empty.contains("Oak Spoon") && empty.contains("Nothing here yet"))
    }

    /// A sale that leaves more than 50 in stock changes nothing a page shows (tenant 0020), so the
    /// cached product page stays; a low count is on the page at once.
    @Test func salesAboveTheShownStockKeepCachedPages() throws {
        guard let stack = try AppStack.required() else { return }
        let store = try stack.provisionStore(prefix: "stockcache", name: "Stocked Goods", server: "server1")
        try stack.addProducts(store, [("Oak Spoon", 900, nil)])
        let db = try stack.tenantConnection(store)
        try db.execute("UPDATE variants SET inventory_quantity = 80, inventory_tracked = true, inventory_policy = 'deny'")
        let handle = try stack.handler()
        let host = stack.host(store)
        func product(until condition: (String) -> Bool = { _ in true }) throws -> String {
            let deadline = ContinuousClock.now + .seconds(2)
            var text = handle(try get("/products/oak-spoon", host: host)).text
            while !condition(text), ContinuousClock.now < deadline {
                text = handle(try get("/products/oak-spoon", host: host)).text
            }
            return text
        }
        func version() throws -> Int64 {
            try #require(try db.queryFirst("SELECT version FROM storefront_version")).decode("version")
        }
        let first = try product()
        #expect(first.contains("In stock") && !first.contains(" left"))
        let before = try version()
        try db.execute("UPDATE variants SET inventory_quantity = inventory_quantity - 20")   // 80 → 60
        #expect(try version() == before)
        #expect(try product() == first)
        try db.execute("UPDATE variants SET inventory_quantity = 3")
        #expect(try product { $0.contains("Only 3 left") }.contains("Only 3 left"))
        #expect(try version() > before)
    }

    @Test func storesWithoutTheSeamStillServeFreshPages() throws {
        guard let stack = try AppStack.required() else { return }
        let store = try stack.provisionStore(prefix: "noversion", name: "Unversioned Goods")
        try removeSeam(stack, store)
        try stack.addProducts(store, [("Felt Coaster", 600, nil)])
        let handle = try stack.handler()
        #expect(handle(try get("/", host: stack.host(store))).text.contains("Felt Coaster"))
        try stack.addProducts(store, [("Cork Board", 2100, nil)])
        #expect(handle(try get("/", host: stack.host(store))).text.contains("Cork Board"))
    }
}
