import HTTP
import Postgres
import Registry
import Testing
@testable import App

/// The storefront home through the handler, against stores provisioned for this run.
@Suite(.serialized) struct StorefrontTests {
    @Test func homeListsTheStoresActiveProductsWithPricesInItsCurrency() throws {
        guard let stack = try AppStack.required() else { return }
        let store = try stack.provisionStore(prefix: "home", name: "Harbor Ceramics", currency: "EUR")
        try stack.addProducts(store, [("Glazed Mug", 1800, nil), ("Stoneware Bowl", 2450, 3000)],
                              imageFor: { $0 == 0 ? "/assets/sample/mug.svg" : nil })
        let draft = try stack.tenantConnection(store)
        try draft.execute("INSERT INTO products (handle, title, status) VALUES ('secret-draft', 'Secret Draft Vase', 'draft')")

        let response = try stack.handler()(try get("/", host: stack.host(store)))
        #expect(response.status == .ok)
        let html = response.text
        #expect(html.contains("<title>Harbor Ceramics</title>"))
        #expect(html.contains("Glazed Mug"))
        #expect(html.contains("Stoneware Bowl"))
        #expect(html.contains("€18,00"))          // EUR with a decimal comma
        #expect(html.contains("€24,50"))
        #expect(html.contains("€30,00"))          // compare-at price
        #expect(!html.contains("Secret Draft Vase"))
        #expect(html.contains("alt=\"Glazed Mug photo\""))
        #expect(html.contains("href=\"/assets/themes/atelier/theme.css\""))
        // Landmarks a screen reader navigates by.
        for landmark in ["<header", "<main id=\"main\"", "<footer", "<nav", "aria-label="] {
            #expect(html.contains(landmark), "missing \(landmark)")
        }
    }

    @Test func aStoreWithoutProductsSaysSo() throws {
        guard let stack = try AppStack.required() else { return }
        let store = try stack.provisionStore(prefix: "empty", name: "Empty Shelves")
        let response = try stack.handler()(try get("/", host: stack.host(store)))
        #expect(response.status == .ok)
        #expect(response.text.contains("Nothing here yet"))
    }

    @Test func eachStoreShowsOnlyItsOwnProducts() throws {
        guard let stack = try AppStack.required() else { return }
        let alpha = try stack.provisionStore(prefix: "alpha", name: "Alpha Outfitters")
        let beta = try stack.provisionStore(prefix: "beta", name: "Beta Botanicals")
        try stack.addProducts(alpha, [("Alpine Parka", 19900, nil), ("Trail Gloves", 3900, nil)])
        try stack.addProducts(beta, [("Fern Cutting", 900, nil), ("Terracotta Pot", 1500, nil)])

        let handle = try stack.handler()   // one worker serving both, as in production
        for _ in 0..<2 {                   // and again once both tenant connections are cached
            let a = handle(try get("/", host: stack.host(alpha))).text
            let b = handle(try get("/", host: stack.host(beta))).text
            #expect(a.contains("Alpine Parka") && a.contains("Trail Gloves"))
            #expect(!a.contains("Fern Cutting") && !a.contains("Terracotta Pot") && !a.contains("Beta Botanicals"))
            #expect(b.contains("Fern Cutting") && b.contains("Terracotta Pot"))
            #expect(!b.contains("Alpine Parka") && !b.contains("Trail Gloves") && !b.contains("Alpha Outfitters"))
        }
    }

    @Test func aStoreWhoseDatabaseIsDownGets503WhileOthersServe() throws {
        guard let stack = try AppStack.required() else { return }
        let broken = try stack.provisionStore(prefix: "down", name: "Downcast Records", server: "server1")
        let healthy = try stack.provisionStore(prefix: "up", name: "Upbeat Records")
        try stack.addProducts(broken, [("Vinyl Sleeve", 500, nil)])
        try stack.addProducts(healthy, [("Cassette Tape", 700, nil)])
        let handle = try stack.withTenantRetryDelay(0).handler()   // no back-off: try on every request
        #expect(handle(try get("/", host: stack.host(broken))).status == .ok)   // connection now cached

        // Take the store's database away: no new connections, and every open session of its
        // role killed (PgBouncer pools them, so the test's own session goes too, last).
        let admin = try Connection(url: try stack.stack.value("STOREFLEET_SERVER1_ADMIN_URL"))
        let ownRole = try stack.tenantConnection(broken)
        try admin.execute("ALTER DATABASE \(unsafeIdentifier: broken.databaseName) ALLOW_CONNECTIONS false")
        defer { _ = try? admin.execute("ALTER DATABASE \(unsafeIdentifier: broken.databaseName) ALLOW_CONNECTIONS true") }
        _ = try? ownRole.execute("""
            SELECT pg_terminate_backend(pid) FROM pg_stat_activity
            WHERE datname = current_database() AND usename = current_user
            ORDER BY pid = pg_backend_pid()
            """)
        ownRole.close()

        // A page this worker has not cached needs the database. (A cached page may still be
        // served while the worker has not yet seen its connection die: that is fine for a
        // shopper, and a race for a test.)
        let down = handle(try get("/collections/all", host: stack.host(broken)))
        #expect(down.status == .serviceUnavailable)
        #expect(down.text.contains("Downcast Records will be back shortly"))
        for secret in ["sf_store_", "08", "pgbouncer", "connection", "FATAL"] {
            #expect(!down.text.contains(secret), "the 503 page shows \(secret)")
        }
        #expect(down.storeForLog == broken.slug)
        let other = handle(try get("/", host: stack.host(healthy)))
        #expect(other.status == .ok)
        #expect(other.text.contains("Cassette Tape"))

        // The database comes back: once it accepts the store's role again (PgBouncer retries
        // server logins on its own timer), the very next request serves the store, no restart.
        try admin.execute("ALTER DATABASE \(unsafeIdentifier: broken.databaseName) ALLOW_CONNECTIONS true")
        try stack.waitUntilReachable(broken, seconds: 60)
        let back = handle(try get("/collections/all", host: stack.host(broken)))
        #expect(back.status == .ok)
        #expect(back.text.contains("Vinyl Sleeve"))
    }

    @Test func homePageIsPlainHTMLWithoutScripts() throws {
        guard let stack = try AppStack.required() else { return }
        let store = try stack.provisionStore(prefix: "noscript", name: "Quiet Goods")
        try stack.addProducts(store, [("Linen Towel", 2200, nil)])
        let html = try stack.handler()(try get("/", host: stack.host(store))).text
        // The one script is the cart badge's, deferred: it never holds up the first paint.
        #expect(html.components(separatedBy: "<script").count == 2)
        #expect(html.contains("<script src=\"/assets/themes/atelier/cart.js\" defer></script>"))
        #expect(html.contains("<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">"))
        #expect(html.contains("<html lang=\"en\">"))
    }
}
