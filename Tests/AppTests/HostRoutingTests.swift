import HTTP
import Postgres
import Registry
import Testing
@testable import App

/// Host → site, through the handler as the worker calls it, against the real registry.
@Suite(.serialized) struct HostRoutingTests {
    @Test func platformHostAndItsLocalAliasesServeTheLandingPage() throws {
        guard let stack = try AppStack.required() else { return }
        let handle = try stack.handler()
        for host in [stack.platformDomain, "localhost", "127.0.0.1", stack.platformDomain.uppercased() + ":8080"] {
            let response = handle(try get("/", host: host))
            #expect(response.status == .ok, "host \(host)")
            #expect(response.text.contains("Create your store"), "host \(host)")
            #expect(response.headers["Content-Type"] == "text/html; charset=utf-8")
        }
    }

    @Test func subdomainServesThatStore() throws {
        guard let stack = try AppStack.required() else { return }
        let store = try stack.provisionStore(prefix: "route", name: "Route Test Goods")
        let handle = try stack.handler()
        let response = handle(try get("/", host: stack.host(store)))
        #expect(response.status == .ok)
        #expect(response.text.contains("Route Test Goods"))
        #expect(response.storeForLog == store.slug)
        // Case, port and a trailing dot are normalised away.
        let shouted = handle(try get("/", host: stack.host(store).uppercased() + ".:8080"))
        #expect(shouted.status == .ok)
        #expect(shouted.text.contains("Route Test Goods"))
    }

    @Test func customDomainServesItsStore() throws {
        guard let stack = try AppStack.required() else { return }
        let store = try stack.provisionStore(prefix: "custom", name: "Custom Domain Shop")
        let domain = "shop-\(store.slug).example.com"
        try stack.ownerConnection().execute("""
            INSERT INTO domains (store_id, host, verified, is_primary, verified_at) VALUES (\(store.storeId), \(domain), true, true, now())
            """)
        let handle = try stack.handler()
        let response = handle(try get("/", host: domain))
        #expect(response.status == .ok)
        #expect(response.text.contains("Custom Domain Shop"))
    }

    @Test func unknownHostGetsTheFriendlyNoStorePage() throws {
        guard let stack = try AppStack.required() else { return }
        let handle = try stack.handler()
        for host in ["nobody-\(AppStack.uniqueSlug("x")).\(stack.platformDomain)", "unknown-shop.example.org"] {
            let response = handle(try get("/", host: host))
            #expect(response.status == .notFound, "host \(host)")
            #expect(response.text.contains("There’s no store at this address"))
            #expect(response.text.contains(host))
            #expect(response.storeForLog == nil)
        }
    }

    @Test func malformedHostIsRejectedWith400() throws {
        for host in ["bad host", "shop..example.com", "-shop.example.com", "shop.example.com:99999", "shöp.example.com", ""] {
            do {
                _ = try get("/", host: host)
                Issue.record("host \(host) was accepted")
            } catch let error as HTTPError {
                #expect(error.status == .badRequest, "host \(host)")
            }
        }
    }

    @Test func suspendedStoreGets503() throws {
        guard let stack = try AppStack.required() else { return }
        let store = try stack.provisionStore(prefix: "closed", name: "Closed For Now")
        try stack.setStatus(store, .suspended)
        let handle = try stack.handler()
        let response = handle(try get("/", host: stack.host(store)))
        #expect(response.status == .serviceUnavailable)
        #expect(response.text.contains("Closed For Now is closed for now"))
        #expect(response.headers["Retry-After"] != nil)
    }

    @Test func storeSuspendedAMomentAgoGets503OnTheNextRequest() throws {
        guard let stack = try AppStack.required() else { return }
        let store = try stack.provisionStore(prefix: "justclosed", name: "Just Closed")
        let handle = try stack.handler()
        #expect(handle(try get("/", host: stack.host(store))).status == .ok)   // now cached

        // Listen like a worker does, to know when the registry has sent its NOTIFY.
        let listener = try Connection(url: stack.config.registryURL)
        try listener.listen("storefleet_routes")
        try stack.setStatus(store, .suspended)
        var heard: [PostgresNotification] = []
        while !heard.contains(where: { $0.payload == String(store.storeId) }) {
            let batch = try listener.waitForNotifications(timeoutMilliseconds: 5000)
            #expect(!batch.isEmpty, "no NOTIFY from the registry within 5 s")
            if batch.isEmpty { return }
            heard += batch
        }
        // The worker's own registry session receives the same NOTIFY a moment later: within
        // well under a second (no TTL to wait out), every request gets the 503 page.
        let response = try firstAnswer(other: .ok, from: handle, host: stack.host(store), within: .seconds(1))
        #expect(response.status == .serviceUnavailable)
        #expect(handle(try get("/", host: stack.host(store))).status == .serviceUnavailable)

        try stack.setStatus(store, .active)
        _ = try listener.waitForNotifications(timeoutMilliseconds: 5000)
        let reopened = try firstAnswer(other: .serviceUnavailable, from: handle, host: stack.host(store), within: .seconds(1))
        #expect(reopened.status == .ok)
    }

    /// Requests `/` until the answer is no longer `status`, for at most `within`.
    private func firstAnswer(other status: Status, from handle: (Request) -> Response, host: String,
                             within limit: Duration) throws -> Response {
        let start = ContinuousClock.now
        var response = handle(try get("/", host: host))
        while response.status == status && ContinuousClock.now - start < limit {
            response = handle(try get("/", host: host))
        }
        return response
    }

    @Test func storeAdminRedirectsToThePlatformHost() throws {
        guard let stack = try AppStack.required() else { return }
        let store = try stack.provisionStore(prefix: "admin", name: "Admin Redirect")
        let handle = try stack.handler()
        let response = handle(try get("/admin", host: stack.host(store) + ":8080"))
        #expect(response.status == .found)
        #expect(response.headers["Location"] == "http://\(stack.platformDomain):8080/store/\(store.slug)/admin")
        let deep = handle(try get("/admin/products", host: stack.host(store)))
        #expect(deep.headers["Location"] == "http://\(stack.platformDomain)/store/\(store.slug)/admin/products")
    }

    @Test func unknownPathOnAStoreIsA404Page() throws {
        guard let stack = try AppStack.required() else { return }
        let store = try stack.provisionStore(prefix: "nopage", name: "No Page Here")
        let handle = try stack.handler()
        let response = handle(try get("/no-such-page", host: stack.host(store)))
        #expect(response.status == .notFound)
        #expect(response.text.contains("We couldn’t find that page"))
    }
}
