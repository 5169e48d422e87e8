import Foundation
import HTTP
import Registry
import Testing
@testable import App

/// The dashboard's per-worker caches (figures and rendered page) never serve one viewer's page
/// to another, nor a page to someone who lost access: every view still checks the session and
/// the store access (`StoreDirectory.sessionWithStores`: a per-worker cache behind an empty
/// registry round trip that brings in every revocation committed before the request).
@Suite("Admin dashboard cache")
struct AdminDashboardCacheTests {
    @Test func viewersOfTheSameStoreInOneWorkerEachGetTheirOwnPage() throws {
        guard let shop = try AdminTests.shop("adm-cache") else { return }
        let stack = shop.stack
        let staff = try stack.createUser(name: "Stella Staff")
        try stack.addMember(userId: staff.userId, orgId: shop.owner.orgId, role: "staff")
        let handler = try stack.handler()
        func client(_ userId: Int64) throws -> (WebClient, String) {
            let (token, record) = try Sessions.create(try stack.ownerConnection(), userId: userId)
            let client = WebClient(handler: handler, host: stack.platformDomain)
            client.cookies["sf_session"] = token
            return (client, record.csrfToken)
        }
        let (owner, ownerCSRF) = try client(shop.owner.userId)
        let (staffer, staffCSRF) = try client(staff.userId)

        for _ in 0..<2 {
            let ownerPage = try owner.get(shop.admin)
            #expect(ownerPage.status == .ok)
            #expect(ownerPage.text.contains(">Settings</a>"))
            #expect(ownerPage.text.contains(ownerCSRF))
            #expect(ownerPage.text.contains("Olive Owner"))

            let staffPage = try staffer.get(shop.admin)
            #expect(staffPage.status == .ok)
            #expect(!staffPage.text.contains(">Settings</a>"))
            #expect(staffPage.text.contains(staffCSRF))
            #expect(!staffPage.text.contains(ownerCSRF))
            #expect(staffPage.text.contains("Stella Staff"))
        }

        // Losing access takes effect on the next view, cached page or not.
        try stack.ownerConnection().execute("""
            DELETE FROM memberships WHERE org_id = \(shop.owner.orgId) AND user_id = \(staff.userId)
            """)
        #expect(try staffer.get(shop.admin).status == .forbidden)
        #expect(try owner.get(shop.admin).status == .ok)

        // So does signing out: the same cookie no longer opens the dashboard.
        let cookie = owner.cookies["sf_session"] ?? ""
        try Sessions.revoke(try stack.ownerConnection(), token: cookie)
        let after = try owner.get(shop.admin)
        #expect(after.status == .seeOther)
        #expect(after.headers["Location"]?.hasPrefix("/login?next=") == true)
    }

    /// Two handlers are two workers, each with its own caches and connections: what one worker
    /// (or anyone writing to the registry) changes applies to the other's very next view.
    @Test func aSignOutRoleChangeOrStoreLimitInAnotherWorkerAppliesToTheNextView() throws {
        guard let shop = try AdminTests.shop("adm-xwork") else { return }
        let stack = shop.stack
        let staff = try stack.createUser(name: "Stella Staff")
        try stack.addMember(userId: staff.userId, orgId: shop.owner.orgId, role: "staff")
        let workerA = try stack.handler()
        let workerB = try stack.handler()
        func client(_ userId: Int64, on handler: @escaping (Request) -> Response) throws -> WebClient {
            let client = WebClient(handler: handler, host: stack.platformDomain)
            client.cookies["sf_session"] = try Sessions.create(try stack.ownerConnection(), userId: userId).token
            return client
        }
        let staffer = try client(staff.userId, on: workerA)
        for _ in 0..<3 { #expect(!(try staffer.get(shop.admin).text.contains(">Settings</a>"))) }

        try stack.ownerConnection().execute("""
            UPDATE memberships SET role = 'admin' WHERE org_id = \(shop.owner.orgId) AND user_id = \(staff.userId)
            """)
        #expect(try staffer.get(shop.admin).text.contains(">Settings</a>"))
        try stack.ownerConnection().execute("""
            UPDATE memberships SET stores_limited = true WHERE org_id = \(shop.owner.orgId) AND user_id = \(staff.userId)
            """)
        #expect(try staffer.get(shop.admin).status == .forbidden)

        // Signing out in worker B ends the session in worker A, which had just served it.
        let ownerOnA = try client(shop.owner.userId, on: workerA)
        #expect(try ownerOnA.get(shop.admin).status == .ok)
        #expect(try ownerOnA.get(shop.admin).status == .ok)
        let ownerOnB = WebClient(handler: workerB, host: stack.platformDomain)
        ownerOnB.cookies = ownerOnA.cookies
        let page = try ownerOnB.get(shop.admin)
        let signOut = try ownerOnB.post("/logout", [], csrf: WebClient.csrfToken(in: page.text))
        #expect(signOut.status == .seeOther)
        let after = try ownerOnA.get(shop.admin)
        #expect(after.status == .seeOther)
        #expect(after.headers["Location"]?.hasPrefix("/login?next=") == true)
    }

    /// The figures are served with no tenant round trip while nothing changed, and an order or a
    /// refund committed elsewhere (another worker, the checkout, a webhook) shows as soon as its
    /// `reports_changed` reaches the worker — polled here with a deadline, since a NOTIFY reaches
    /// listeners just after the committing client hears back (as `StorefrontVersionTests` do).
    @Test func figuresFollowOrdersAndRefundsCommittedElsewhere() throws {
        guard let shop = try AdminTests.shop("adm-xfig") else { return }
        let client = try shop.stack.signedInClient(userId: shop.owner.userId)
        let seeder = OrderSeeder(db: try shop.stack.tenantConnection(shop.store))
        let now = AdminTests.isoNow(minusHours: 0)
        func dashboard(showing figure: String, without gone: String? = nil) throws -> Bool {
            func done(_ text: String) -> Bool { text.contains(figure) && !(gone.map(text.contains) ?? false) }
            let deadline = ContinuousClock.now + .seconds(2)
            var text = try client.get(shop.admin).text
            while !done(text), ContinuousClock.now < deadline { text = try client.get(shop.admin).text }
            return done(text)
        }
        try seeder.order(total: 10000, at: now)
        #expect(try dashboard(showing: "$100.00"))
        #expect(try client.get(shop.admin).text.contains("$100.00"))

        let id = try seeder.order(total: 2550, at: now)
        #expect(try dashboard(showing: "$125.50"))
        #expect(try client.get(shop.admin).text.contains("$125.50"))
        try seeder.db.execute("INSERT INTO refunds (order_id, amount_minor, status) VALUES (\(id), 550, 'succeeded')")
        #expect(try dashboard(showing: "$120.00"))
        try seeder.db.execute("UPDATE orders SET status = 'cancelled', cancelled_at = now() WHERE id = \(id)")
        #expect(try dashboard(showing: "$100.00", without: "$120.00"))
    }

    @Test func aFlashMessageShowsOnTheDashboardOnceEvenWhenThePageIsCached() throws {
        guard let shop = try AdminTests.shop("adm-cflash") else { return }
        let client = try shop.stack.signedInClient(userId: shop.owner.userId)
        #expect(try client.get(shop.admin).status == .ok)
        client.cookies["sf_flash"] = FormEncoding.encode("success:Saved the thing")
        #expect(try client.get(shop.admin).text.contains("Saved the thing"))
        #expect(try !client.get(shop.admin).text.contains("Saved the thing"))
    }
}
