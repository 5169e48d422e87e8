import Foundation
import HTTP
import Postgres
import Registry
import Testing
@testable import App

/// The store admin on the platform host: who may open what, the dashboard's figures, and the
/// settings form's refusals and audit trail.
@Suite("Store admin")
struct AdminTests {
    static let getPaths = ["", "/settings", "/products", "/orders", "/customers", "/discounts", "/feeds",
                           "/domains", "/themes", "/audit"]

    /// An owner with a store of their own.
    struct Shop {
        let stack: AppStack
        let owner: (userId: Int64, orgId: Int64, email: String)
        let store: ProvisionedStore
        var admin: String { "/store/\(store.slug)/admin" }
    }

    static func shop(_ prefix: String, timezone: String = "UTC") throws -> Shop? {
        guard let stack = try AppStack.required() else { return nil }
        let owner = try stack.createUser(name: "Olive Owner")
        let store = try stack.provisionStore(prefix: prefix, orgId: owner.orgId, name: "Olive’s Oils", timezone: timezone)
        return Shop(stack: stack, owner: owner, store: store)
    }

    @Test func aUserOfAnotherOrganizationGets403OnEveryAdminRoute() throws {
        guard let shop = try Self.shop("adm-cross") else { return }
        let stranger = try shop.stack.createUser(name: "Sam Stranger")
        _ = try shop.stack.provisionStore(prefix: "adm-other", orgId: stranger.orgId, name: "Sam’s own store")
        let client = try shop.stack.signedInClient(userId: stranger.userId)
        try client.get("/stores")
        for path in Self.getPaths {
            let response = try client.get(shop.admin + path)
            #expect(response.status == .forbidden, "GET \(shop.admin + path)")
            #expect(!response.text.contains("Olive’s Oils"), "GET \(path) names the store")
        }
        let post = try client.post(shop.admin + "/settings", [("name", "Taken over"), ("contact_email", "x@example.com"),
                                                              ("currency", "USD"), ("country", "US"), ("timezone", "UTC")])
        #expect(post.status == .forbidden)
        let name = try shop.stack.tenantConnection(shop.store).queryFirst("SELECT name FROM store_settings")!
        #expect(try name.decode("name", as: String.self) != "Taken over")
        // A store that does not exist looks the same as one that is not yours.
        #expect(try client.get("/store/no-such-store-here/admin").status == .forbidden)
    }

    @Test func anAnonymousVisitorIsSentToLogIn() throws {
        guard let shop = try Self.shop("adm-anon") else { return }
        let client = WebClient(handler: try shop.stack.handler(), host: shop.stack.platformDomain)
        let response = try client.get(shop.admin + "/settings")
        #expect(response.status == .seeOther)
        #expect(response.headers["Location"]?.hasPrefix("/login?next=") == true)
    }

    @Test func staffUseTheCatalogButNotSettingsDomainsOrFeeds() throws {
        guard let shop = try Self.shop("adm-staff") else { return }
        let staff = try shop.stack.createUser(name: "Stella Staff")
        try shop.stack.addMember(userId: staff.userId, orgId: shop.owner.orgId, role: "staff")
        let client = try shop.stack.signedInClient(userId: staff.userId)

        let dashboard = try client.get(shop.admin)
        #expect(dashboard.status == .ok)
        #expect(dashboard.text.contains(">Products</a>"))
        #expect(!dashboard.text.contains(">Settings</a>"))
        #expect(!dashboard.text.contains(">Domains</a>"))
        for path in ["/products", "/orders", "/customers", "/discounts"] {
            #expect(try client.get(shop.admin + path).status == .ok, "GET \(path)")
        }
        for path in ["/settings", "/domains", "/feeds", "/themes", "/audit"] {
            #expect(try client.get(shop.admin + path).status == .forbidden, "GET \(path)")
        }
        let post = try client.post(shop.admin + "/settings", [("name", "Staff rename"), ("contact_email", "s@example.com"),
                                                              ("currency", "USD"), ("country", "US"), ("timezone", "UTC")])
        #expect(post.status == .forbidden)
    }

    @Test func theDashboardShowsTheFiguresOfSeededOrders() throws {
        guard let shop = try Self.shop("adm-dash") else { return }
        let db = try shop.stack.tenantConnection(shop.store)
        let seeder = OrderSeeder(db: db)
        // Two paid orders today (one partly refunded), one unpaid that must not count.
        try seeder.order(total: 12345, at: Self.isoNow(minusHours: 0), lines: [("Olive oil 1 l", 3, 4115, 0)])
        try seeder.order(total: 10000, financial: "partially_refunded", at: Self.isoNow(minusHours: 0),
                         lines: [("Tapenade", 2, 5000, 0)], refunds: [(2500, "succeeded")])
        try seeder.order(total: 99900, financial: "pending", at: Self.isoNow(minusHours: 0))
        let client = try shop.stack.signedInClient(userId: shop.owner.userId)
        let page = try client.get(shop.admin)
        #expect(page.status == .ok)
        let html = page.text
        // 123.45 + (100.00 − 25.00) = 198.45 over 2 orders, average 99.23 (99.225 rounded up).
        #expect(html.contains("$198.45"))
        #expect(html.contains("2 orders · average $99.23"))
        #expect(html.contains("Olive oil 1 l"))
        #expect(html.contains("role=\"img\""))
        #expect(!html.contains("$999.00"))
        #expect(!html.contains("first sale"))

        // A new order shows once its reports_changed reaches the worker (polled with a deadline).
        try seeder.order(total: 155, at: Self.isoNow(minusHours: 0))
        let deadline = ContinuousClock.now + .seconds(2)
        var updated = try client.get(shop.admin).text
        while !updated.contains("$200.00"), ContinuousClock.now < deadline { updated = try client.get(shop.admin).text }
        #expect(updated.contains("$200.00"))
    }

    @Test func aNewStoresDashboardSaysWhatToDoNext() throws {
        guard let shop = try Self.shop("adm-new") else { return }
        let client = try shop.stack.signedInClient(userId: shop.owner.userId)
        let html = try client.get(shop.admin).text
        #expect(html.contains("Add a product"))
        #expect(html.contains("Share your storefront link"))
        #expect(html.contains("\(shop.store.slug).\(shop.stack.platformDomain)"))
        // The store switcher lists the store, and every store link works without script.
        #expect(html.contains("<details class=\"store-switcher\">"))
        #expect(html.contains("aria-current=\"page\">Dashboard</a>"))
    }

    @Test func badSettingsAreAnswered422WithFieldErrorsAndNothingSaved() throws {
        guard let shop = try Self.shop("adm-bad") else { return }
        let db = try shop.stack.tenantConnection(shop.store)
        let before = try StoreProfile.load(on: db)
        let auditBefore = try db.queryFirst("SELECT count(*)::bigint AS n FROM audit_log")!.decode("n", as: Int64.self)
        let client = try shop.stack.signedInClient(userId: shop.owner.userId)
        try client.get(shop.admin + "/settings")
        let response = try client.post(shop.admin + "/settings", [
            ("name", "   "), ("contact_email", "not-an-email"), ("phone", "<script>alert(1)</script>"),
            ("currency", "XYZ"), ("country", "ZZ"), ("timezone", "Nowhere/Land"),
            ("city", String(repeating: "c", count: 101)),
            ("refund_policy", String(repeating: "r", count: 20001)),
        ])
        #expect(response.status == .unprocessableContent)
        let html = response.text
        #expect(html.contains("Enter a store name."))
        #expect(html.contains("Enter an email address like name@example.com."))
        #expect(html.contains("Use digits, spaces and + - ( ) only."))
        #expect(html.contains("Choose a currency from the list."))
        #expect(html.contains("Choose a country from the list."))
        #expect(html.contains("Choose a time zone from the list."))
        #expect(html.contains("The city must be at most 100 characters."))
        #expect(html.contains("The refund policy must be at most 20000 characters."))
        #expect(html.contains("aria-describedby=\"name-error"))
        #expect(html.contains("value=\"&lt;script&gt;alert(1)&lt;/script&gt;\""))
        #expect(!html.contains("<script>alert(1)"))
        #expect(try StoreProfile.load(on: db) == before)
        #expect(try db.queryFirst("SELECT count(*)::bigint AS n FROM audit_log")!.decode("n", as: Int64.self) == auditBefore)
    }

    @Test func savedSettingsAreAuditedAndReachTheRegistryAndTheStorefront() throws {
        guard let shop = try Self.shop("adm-save") else { return }
        let db = try shop.stack.tenantConnection(shop.store)
        let version = try db.queryFirst("SELECT version FROM storefront_version")!.decode("version", as: Int64.self)
        let client = try shop.stack.signedInClient(userId: shop.owner.userId)
        try client.get(shop.admin + "/settings")
        let response = try client.post(shop.admin + "/settings", [
            ("name", "Olive & Co"), ("contact_email", "Hello@Olive.example"), ("phone", "+49 30 1234"),
            ("address1", "Hauptstraße 1"), ("city", "Berlin"), ("postal_code", "10115"), ("country", "DE"),
            ("currency", "EUR"), ("timezone", "Europe/Berlin"), ("refund_policy", "30 days.\nNo questions."),
        ])
        #expect(response.status == .seeOther)
        let saved = try StoreProfile.load(on: db)
        #expect(saved.name == "Olive & Co")
        #expect(saved.contactEmail == "hello@olive.example")
        #expect(saved.currency == "EUR" && saved.countryCode == "DE" && saved.timezone == "Europe/Berlin")
        #expect(saved.refundPolicy == "30 days.\nNo questions.")
        #expect(try db.queryFirst("SELECT money_format FROM store_settings")!.decode("money_format", as: String.self)
                == "€{{amount_with_comma_separator}}")
        #expect(try db.queryFirst("SELECT version FROM storefront_version")!.decode("version", as: Int64.self) > version)
        let audit = try db.queryFirst("""
            SELECT actor_id, action, details->>'fields' AS fields, request_id IS NOT NULL AS has_request
            FROM audit_log WHERE action = 'settings.update' ORDER BY id DESC LIMIT 1
            """)!
        #expect(try audit.decode("actor_id", as: String.self) == String(shop.owner.userId))
        #expect(try audit.decode("fields", as: String.self).contains("currency"))
        #expect(try audit.decode("has_request", as: Bool.self))
        let registry = try shop.stack.ownerConnection().queryFirst("""
            SELECT s.name, s.currency, s.timezone,
                   (SELECT count(*) FROM audit_log a WHERE a.store_id = s.id AND a.action = 'store.settings.update')::bigint AS audited
            FROM stores s WHERE s.id = \(shop.store.storeId)
            """)!
        #expect(try registry.decode("name", as: String.self) == "Olive & Co")
        #expect(try registry.decode("currency", as: String.self) == "EUR")
        #expect(try registry.decode("timezone", as: String.self) == "Europe/Berlin")
        #expect(try registry.decode("audited", as: Int64.self) == 1)

        let page = try client.get(shop.admin + "/settings")
        #expect(page.text.contains("Settings saved."))
        #expect(page.text.contains("value=\"Olive &amp; Co\""))
        let auditPage = try client.get(shop.admin + "/audit")
        #expect(auditPage.status == .ok)
        #expect(auditPage.text.contains("Changed the store settings"))
    }

    @Test func aLogoIsCheckedByItsBytes() throws {
        guard let shop = try Self.shop("adm-logo") else { return }
        let client = try shop.stack.signedInClient(userId: shop.owner.userId)
        try client.get(shop.admin + "/settings")
        func post(_ filename: String, _ type: String, _ bytes: [UInt8]) throws -> Response {
            var body = MultipartBody()
            body.field("_csrf", client.csrf ?? "")
            for (k, v) in [("name", "Logo Shop"), ("contact_email", "logo@example.com"), ("currency", "USD"),
                           ("country", "US"), ("timezone", "UTC")] { body.field(k, v) }
            body.file("logo", filename: filename, contentType: type, bytes)
            return try client.send(.post, shop.admin + "/settings", body: body.finished(), contentType: body.contentType)
        }
        let db = try shop.stack.tenantConnection(shop.store)
        let fake = try post("logo.png", "image/png", Array("<svg xmlns=\"http://www.w3.org/2000/svg\"><script>alert(1)</script></svg>".utf8))
        #expect(fake.status == .unprocessableContent)
        #expect(fake.text.contains("Upload a PNG, JPEG, WebP or GIF image."))
        #expect(try StoreProfile.load(on: db).logoPath == nil)

        let huge = try post("big.png", "image/png", [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A] + [UInt8](repeating: 0, count: LogoImage.maximumBytes))
        #expect(huge.status == .unprocessableContent)
        #expect(huge.text.contains("The logo must be at most 1 MB."))

        let png: [UInt8] = [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A, 0, 0, 0, 13, 0x49, 0x48, 0x44, 0x52]
        let good = try post("whatever.txt", "text/plain", png)
        #expect(good.status == .seeOther)
        let path = try #require(try StoreProfile.load(on: db).logoPath)
        #expect(path.hasPrefix("logo-") && path.hasSuffix(".png"))
        let dataDir = try shop.stack.stack.value("STOREFLEET_DATA_DIR")
        let file = dataDir + "/media/sf_store_\(shop.store.storeId)/" + path
        #expect(FileManager.default.contents(atPath: file).map(Array.init) == png)
        let page = try client.get(shop.admin + "/settings").text
        #expect(page.contains("src=\"/media/sf_store_\(shop.store.storeId)/\(path)\""))
        #expect(page.contains("alt=\"Current logo of Logo Shop\""))
        try? FileManager.default.removeItem(atPath: file)
    }

    static func isoNow(minusHours hours: Int) -> String {
        let formatter = ISO8601DateFormatter()
        return formatter.string(from: Date().addingTimeInterval(-Double(hours) * 3600))
    }
}
