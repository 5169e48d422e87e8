import HTTP
import Postgres
import Registry
import Testing
@testable import App

/// The home page cache keyed by the tenant schema's `storefront_version`: every change to what the
/// page shows is on the very next request. The seam is installed here the way the proposed tenant
/// migration does it (docs: "Tenant schema ↔ App"), as the database owner.
@Suite(.serialized) struct StorefrontVersionTests {
    static let seamSQL = [
        "CREATE TABLE IF NOT EXISTS storefront_version (id boolean PRIMARY KEY DEFAULT true CHECK (id), version bigint NOT NULL DEFAULT 1)",
        "INSERT INTO storefront_version DEFAULT VALUES ON CONFLICT DO NOTHING",
        """
        CREATE OR REPLACE FUNCTION bump_storefront_version() RETURNS trigger LANGUAGE plpgsql SECURITY DEFINER
        SET search_path = public AS $$ BEGIN UPDATE storefront_version SET version = version + 1; RETURN NULL; END $$
        """,
    ] + ["products", "variants", "product_images", "store_settings", "theme_settings"].map { table in
        """
        CREATE OR REPLACE TRIGGER \(table)_storefront_version AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON \(table)
        FOR EACH STATEMENT EXECUTE FUNCTION bump_storefront_version()
        """
    }

    func installSeam(_ stack: AppStack, _ store: ProvisionedStore) throws {
        let adminURL = try stack.stack.value(store.serverName == "server2" ? "STOREFLEET_SERVER2_ADMIN_URL" : "STOREFLEET_SERVER1_ADMIN_URL")
        guard let slash = adminURL.lastIndex(of: "/") else { return }
        let owner = try Connection(url: String(adminURL[...slash]) + store.databaseName)
        for sql in StorefrontVersionTests.seamSQL { try owner.execute(Query(unsafeSQL: sql)) }
        try owner.execute("GRANT SELECT ON storefront_version TO \(unsafeIdentifier: store.databaseName)")
    }

    @Test func everyCatalogChangeIsOnTheNextRequest() throws {
        guard let stack = try AppStack.required() else { return }
        let store = try stack.provisionStore(prefix: "version", name: "Versioned Goods", server: "server1")
        try installSeam(stack, store)
        try stack.addProducts(store, [("Oak Spoon", 900, nil)])
        let handle = try stack.handler()
        let host = stack.host(store)
        let first = handle(try get("/", host: host)).text
        #expect(first.contains("Oak Spoon") && first.contains("$9.00"))
        #expect(handle(try get("/", host: host)).text == first)        // unchanged: same page

        let db = try stack.tenantConnection(store)
        try stack.addProducts(store, [("Ash Bowl", 3100, nil)])
        #expect(handle(try get("/", host: host)).text.contains("Ash Bowl"))

        try db.execute("UPDATE variants SET price_minor = 1250 WHERE product_id = (SELECT id FROM products WHERE handle = 'oak-spoon')")
        let repriced = handle(try get("/", host: host)).text
        #expect(repriced.contains("$12.50") && !repriced.contains("$9.00"))

        try db.execute("UPDATE products SET status = 'archived' WHERE handle = 'ash-bowl'")
        #expect(!handle(try get("/", host: host)).text.contains("Ash Bowl"))

        try db.execute("DELETE FROM products WHERE handle = 'oak-spoon'")
        let empty = handle(try get("/", host: host)).text
        #expect(!empty.contains("Oak Spoon") && empty.contains("Nothing here yet"))
    }

    @Test func storesWithoutTheSeamStillServeFreshPages() throws {
        guard let stack = try AppStack.required() else { return }
        let store = try stack.provisionStore(prefix: "noversion", name: "Unversioned Goods")
        try stack.addProducts(store, [("Felt Coaster", 600, nil)])
        let handle = try stack.handler()
        #expect(handle(try get("/", host: stack.host(store))).text.contains("Felt Coaster"))
        try stack.addProducts(store, [("Cork Board", 2100, nil)])
        #expect(handle(try get("/", host: stack.host(store))).text.contains("Cork Board"))
    }
}
