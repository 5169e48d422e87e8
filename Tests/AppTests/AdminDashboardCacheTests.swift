import Foundation
import HTTP
import Registry
import Testing
@testable import App

/// The dashboard's per-worker caches (figures and rendered page) never serve one viewer's page
/// to another, nor a page to someone who lost access: every view still checks the session and
/// the store access (one registry round trip, `Sessions.findWithStores`).
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

    @Test func aFlashMessageShowsOnTheDashboardOnceEvenWhenThePageIsCached() throws {
        guard let shop = try AdminTests.shop("adm-cflash") else { return }
        let client = try shop.stack.signedInClient(userId: shop.owner.userId)
        #expect(try client.get(shop.admin).status == .ok)
        client.cookies["sf_flash"] = FormEncoding.encode("success:Saved the thing")
        #expect(try client.get(shop.admin).text.contains("Saved the thing"))
        #expect(try !client.get(shop.admin).text.contains("Saved the thing"))
    }
}
