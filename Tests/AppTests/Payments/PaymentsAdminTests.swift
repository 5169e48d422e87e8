import Commerce
import Foundation
import HTTP
import Integrations
import Postgres
import Testing
@testable import App

/// `/store/:slug/admin/payments`: manual methods, and Stripe Connect onboarding against
/// localstripe (account, account link, return, state shown).
@Suite("Payments admin")
struct PaymentsAdminTests {
    struct Admin {
        let stack: AppStack
        let owner: (userId: Int64, orgId: Int64, email: String)
        let store: ProvisionedStoreRef
        let client: WebClient
        var url: String { "/store/\(store.slug)/admin/payments" }

        init(prefix: String) throws {
            stack = try AppStack()
            owner = try stack.createUser(name: "Paula Payments")
            let provisioned = try stack.provisionStore(prefix: prefix, orgId: owner.orgId)
            store = ProvisionedStoreRef(storeId: provisioned.storeId, slug: provisioned.slug,
                                        db: try stack.tenantConnection(provisioned))
            client = try stack.signedInClient(userId: owner.userId)
        }
    }

    struct ProvisionedStoreRef {
        let storeId: Int64
        let slug: String
        let db: Connection
    }

    @Test func connectingWithStripeOnboardsTheStoreAndShowsItsState() throws {
        guard try AppStack.required() != nil else { return }
        let admin = try Admin(prefix: "pay-connect")
        let page = try admin.client.get(admin.url)
        #expect(page.status == .ok)
        let html = try page.bodyText()
        #expect(html.contains("Connect with Stripe"))
        #expect(html.contains("Not connected"))
        #expect(html.contains("2 % + 0.30 USD"), "the platform fee that applies is shown")

        // Connect: an Express account, remembered in the store and the registry, then Stripe's onboarding.
        let connect = try admin.client.post(admin.url + "/stripe/connect", [])
        #expect(connect.status.code == 303)
        let link = try #require(connect.headers["Location"])
        let base = try admin.stack.stack.value("STOREFLEET_STRIPE_API_BASE")
        #expect(link.hasPrefix(base + "/_config/connect/onboard/acct_"))
        let provider = try #require(try PaymentProviders.find(admin.store.db, kind: "stripe"))
        let accountId = try #require(provider.stripeAccountId)
        #expect(!provider.chargesEnabled)
        #expect(try PaymentMethods.available(admin.store.db).isEmpty, "no card payments before Stripe enables charges")
        let owned = try admin.stack.ownerConnection().queryFirst("""
            SELECT store_id FROM stripe_accounts WHERE account_id = \(accountId)
            """)?.decode("store_id", as: Int64.self)
        #expect(owned == admin.store.storeId)

        // The merchant finishes onboarding at "Stripe", which sends them back to the admin.
        let http = try OutboundHTTPClient()
        let onboarded = try http.send(OutboundRequest(url: link))
        #expect(onboarded.status == 302)
        let returnURL = try #require(onboarded.header("Location"))
        #expect(returnURL.hasSuffix(admin.url + "/stripe/return"))
        let back = try admin.client.get(WebClient.pathOf(returnURL))
        #expect(back.status.code == 303)
        let shown = try admin.client.get(admin.url).bodyText()
        #expect(shown.contains("Taking card payments"))
        #expect(shown.contains("Your Stripe account is connected and can take card payments"))
        #expect(shown.contains(accountId))
        #expect(!shown.contains("Connect with Stripe"))
        let after = try #require(try PaymentProviders.find(admin.store.db, kind: "stripe"))
        #expect(after.chargesEnabled && after.payoutsEnabled && after.detailsSubmitted)
        #expect(try PaymentMethods.available(admin.store.db).map(\.kind) == ["stripe"])

        // Switching card payments off keeps the account but takes Stripe off checkout.
        _ = try admin.client.post(admin.url + "/stripe/enabled", [("enabled", "0")])
        #expect(try PaymentMethods.available(admin.store.db).isEmpty)
        #expect(try PaymentProviders.find(admin.store.db, kind: "stripe")?.stripeAccountId == accountId)
    }

    @Test func manualMethodsAreSavedWithTheirInstructions() throws {
        guard try AppStack.required() != nil else { return }
        let admin = try Admin(prefix: "pay-manual")
        _ = try admin.client.get(admin.url)

        // Bank transfer needs the bank details: the form says so next to the field, nothing is saved.
        let refused = try admin.client.post(admin.url + "/manual/bank_transfer", [("enabled", "1"), ("instructions", "  ")])
        #expect(refused.status == .unprocessableContent)
        #expect(try refused.bodyText().contains("Add your bank details"))
        #expect(try PaymentMethods.available(admin.store.db).isEmpty)

        let saved = try admin.client.post(admin.url + "/manual/bank_transfer",
                                          [("enabled", "1"), ("instructions", "IBAN DE89 3704 0044 0532 0130 00, reference: your order number")])
        #expect(saved.status.code == 303)
        _ = try admin.client.post(admin.url + "/manual/cash_on_delivery", [("enabled", "1"), ("instructions", "")])
        let methods = try PaymentMethods.available(admin.store.db)
        #expect(methods.map(\.kind) == ["bank_transfer", "cash_on_delivery"])
        #expect(methods.first?.instructions == "IBAN DE89 3704 0044 0532 0130 00, reference: your order number")
        #expect(methods.first?.name == "Bank transfer")

        _ = try admin.client.post(admin.url + "/manual/cash_on_delivery", [("instructions", "Cash only")])
        #expect(try PaymentMethods.available(admin.store.db).map(\.kind) == ["bank_transfer"])
        #expect(try admin.client.get(admin.url).bodyText().contains("Cash only"))

        // Without the form's CSRF token nothing changes.
        let forged = try admin.client.post(admin.url + "/manual/bank_transfer", [("enabled", "0")], csrf: "")
        #expect(forged.status == .forbidden)
        #expect(try PaymentMethods.available(admin.store.db).count == 1)
        #expect(try admin.client.post(admin.url + "/manual/paypal", [("enabled", "1")]).status == .notFound)
    }

    @Test func staffCannotOpenPayments() throws {
        guard try AppStack.required() != nil else { return }
        let admin = try Admin(prefix: "pay-staff")
        let staff = try admin.stack.createUser(name: "Stan Staff")
        try admin.stack.addMember(userId: staff.userId, orgId: admin.owner.orgId, role: "staff")
        let client = try admin.stack.signedInClient(userId: staff.userId)
        #expect(try client.get(admin.url).status == .forbidden)
        #expect(try client.post(admin.url + "/stripe/connect", [], csrf: "x").status == .forbidden)
        #expect(try PaymentProviders.find(admin.store.db, kind: "stripe") == nil)
    }
}
