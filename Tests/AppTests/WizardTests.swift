import Foundation
import Glibc
import HTTP
import Postgres
import Registry
import Testing
import TestSupport
@testable import App

/// The store creation wizard on the platform host, in-process over the real test registry:
/// subdomain rules, every step's bad input, the draft across Back and Forward, a full run whose
/// provisioning job the test runs, and a retry after an injected failure.
@Suite("Store creation wizard")
struct WizardTests {
    /// A signed-in, verified merchant who owns an organization.
    static func merchant(_ stack: AppStack) throws -> WebClient {
        let user = try stack.createUser(name: "Wizard Merchant")
        return try stack.signedInClient(userId: user.userId)
    }

    static func json(_ response: Response) throws -> [String: Any] {
        try JSONSerialization.jsonObject(with: Data(response.text.utf8)) as? [String: Any] ?? [:]
    }

    /// Fills every step with good answers, up to the review page.
    static func fillWizard(_ client: WebClient, name: String, subdomain: String,
                           product: (String, String)? = ("Linen Apron", "24.50")) throws {
        try client.get("/stores/new")
        #expect(try client.post("/stores/new", [("name", name), ("subdomain", subdomain)]).headers["Location"] == "/stores/new/template")
        try client.get("/stores/new/template")
        #expect(try client.post("/stores/new/template", [("template", "atelier"), ("sample_data", "yes")]).headers["Location"] == "/stores/new/locale")
        try client.get("/stores/new/locale")
        #expect(try client.post("/stores/new/locale", [("country", "DE"), ("currency", "EUR"), ("timezone", "Europe/Berlin"), ("language", "de")])
            .headers["Location"] == "/stores/new/product")
        try client.get("/stores/new/product")
        let fields = product.map { [("product_title", $0.0), ("product_price", $0.1)] } ?? [("skip", "1")]
        #expect(try client.post("/stores/new/product", fields).headers["Location"] == "/stores/new/review")
    }

    static func runner(_ stack: AppStack, failAt: ProvisionStep? = nil) throws -> (JobRunner, StoreSetupJob) {
        let owner = try stack.ownerConnection()
        let migrations = try MigrationSet(directory: StackEnvironment.packageRoot() + "/migrations/tenant")
        let job = StoreSetupJob(registry: owner, keyring: try stack.keyring(),
                                options: ProvisioningOptions(migrations: migrations, failAt: failAt),
                                loadContent: StarterContent.load)
        return (JobRunner(registry: try stack.ownerConnection(), handlers: [StoreSetup.jobKind: job.run]), job)
    }

    /// Runs ready `store.provision` jobs here (the stack's runner may take this one first), then
    /// waits for the status JSON to leave `provisioning`, with a deadline.
    static func runJobsUntilSettled(_ stack: AppStack, _ client: WebClient, slug: String) throws -> [String: Any] {
        let (runner, _) = try runner(stack)
        let deadline = ContinuousClock.now + .seconds(30)
        while true {
            try runner.runOnce()
            let status = try json(try client.get("/store/\(slug)/setup/status"))
            if status["status"] as? String != "provisioning" { return status }
            if ContinuousClock.now > deadline { return status }
            var pause = timespec(tv_sec: 0, tv_nsec: 50_000_000)
            nanosleep(&pause, nil)
        }
    }

    @Test func subdomainCheckExplainsReservedInvalidTakenAndAvailable() throws {
        guard let stack = try AppStack.required() else { return }
        let client = try WizardTests.merchant(stack)
        let taken = AppStack.uniqueSlug("taken")
        try stack.ownerConnection().execute("INSERT INTO stores (slug, name, status) VALUES (\(taken), 'Taken', 'provisioning')")

        let reserved = try WizardTests.json(try client.get("/stores/new/check?subdomain=admin"))
        #expect(reserved["available"] as? Bool == false)
        #expect((reserved["reason"] as? String)?.contains("Storefleet’s own services") == true)
        let shop = try WizardTests.json(try client.get("/stores/new/check?subdomain=shop"))
        #expect((shop["reason"] as? String)?.contains("too general") == true)
        let invalid = try WizardTests.json(try client.get("/stores/new/check?subdomain=my%20shop!"))
        #expect(invalid["available"] as? Bool == false)
        #expect((invalid["reason"] as? String)?.contains("letters a–z, digits and hyphens") == true)
        let short = try WizardTests.json(try client.get("/stores/new/check?subdomain=ab"))
        #expect(short["reason"] as? String == "Use at least 3 characters.")
        let takenAnswer = try WizardTests.json(try client.get("/stores/new/check?subdomain=\(taken)"))
        #expect(takenAnswer["available"] as? Bool == false)
        #expect((takenAnswer["reason"] as? String)?.contains("Another store already uses") == true)
        let free = AppStack.uniqueSlug("free")
        let available = try WizardTests.json(try client.get("/stores/new/check?subdomain=\(free.uppercased())"))
        #expect(available["available"] as? Bool == true)
        #expect(available["subdomain"] as? String == free)

        // The server checks again on submit: a taken address is a field error, nothing kept.
        try client.get("/stores/new")
        let response = try client.post("/stores/new", [("name", "Mine"), ("subdomain", taken)])
        #expect(response.status == .unprocessableContent)
        #expect(response.text.contains("Another store already uses"))
        #expect(client.cookies[WizardDraft.cookieName] == nil)
    }

    @Test func badInputOnEveryStepIsAnsweredWithFieldErrorsAndNothingSaved() throws {
        guard let stack = try AppStack.required() else { return }
        let client = try WizardTests.merchant(stack)
        try client.get("/stores/new")

        var r = try client.post("/stores/new", [("name", ""), ("subdomain", "<script>")])
        #expect(r.status == .unprocessableContent)
        #expect(r.text.contains("Enter a store name."))
        #expect(r.text.contains("id=\"subdomain-error\">Use only letters"))
        #expect(!r.text.contains("<script>"), "what was typed comes back escaped")
        #expect(client.cookies[WizardDraft.cookieName] == nil)
        r = try client.post("/stores/new", [("name", String(repeating: "n", count: 101)), ("subdomain", "www")])
        #expect(r.status == .unprocessableContent)
        #expect(r.text.contains("at most 100 characters"))
        #expect(r.text.contains("is used by Storefleet"))

        let slug = AppStack.uniqueSlug("bad")
        #expect(try client.post("/stores/new", [("name", "Good <b>Name</b>"), ("subdomain", slug)]).status == .seeOther)
        let draftAfterStep1 = client.cookies[WizardDraft.cookieName]
        try client.get("/stores/new/template")
        r = try client.post("/stores/new/template", [("template", "../../etc")])
        #expect(r.status == .unprocessableContent)
        #expect(r.text.contains("Choose one of the looks shown."))
        r = try client.post("/stores/new/template", [("template", "atelier"), ("sample_data", "maybe")])
        #expect(r.status == .unprocessableContent)
        #expect(client.cookies[WizardDraft.cookieName] == draftAfterStep1, "nothing saved")
        #expect(try client.post("/stores/new/template", [("template", "atelier")]).status == .seeOther)

        try client.get("/stores/new/locale")
        r = try client.post("/stores/new/locale", [("country", "XX"), ("currency", "EURO"), ("timezone", "Mars/Olympus"), ("language", "")])
        #expect(r.status == .unprocessableContent)
        for message in ["Choose the country", "Choose the currency", "Choose your time zone", "Choose the language"] {
            #expect(r.text.contains(message))
        }
        #expect(try client.post("/stores/new/locale", [("country", "JP"), ("currency", "JPY"), ("timezone", "Asia/Tokyo"), ("language", "ja")]).status == .seeOther)

        try client.get("/stores/new/product")
        r = try client.post("/stores/new/product", [("product_title", "Tea bowl"), ("product_price", "12.50")])
        #expect(r.status == .unprocessableContent)
        #expect(r.text.contains("JPY prices have no decimals"))
        r = try client.post("/stores/new/product", [("product_title", ""), ("product_price", "abc")])
        #expect(r.status == .unprocessableContent)
        #expect(r.text.contains("Enter the product’s name"))
        #expect(r.text.contains("using digits only"))
        r = try client.post("/stores/new/product", [("product_title", "Bowl"), ("product_price", "-3")])
        #expect(r.status == .unprocessableContent)
        #expect(try client.post("/stores/new/product", [("skip", "1")]).headers["Location"] == "/stores/new/review")

        // Review: the address was taken by someone else meanwhile.
        try stack.ownerConnection().execute("INSERT INTO stores (slug, name, status) VALUES (\(slug), 'Quicker', 'provisioning')")
        try client.get("/stores/new/review")
        r = try client.post("/stores/new/review", [])
        #expect(r.status == .unprocessableContent)
        #expect(r.text.contains("Another store already uses"))
        let mine = try stack.ownerConnection().queryFirst("SELECT count(*)::bigint AS n FROM stores WHERE slug = \(slug)")
        #expect(try mine?.decode("n", as: Int.self) == 1, "no second store row")

        // And a form without its CSRF token changes nothing.
        #expect(try client.post("/stores/new", [("name", "X"), ("subdomain", AppStack.uniqueSlug("csrf"))], csrf: "").status == .forbidden)
    }

    @Test func backAndForwardKeepWhatWasTyped() throws {
        guard let stack = try AppStack.required() else { return }
        let client = try WizardTests.merchant(stack)
        let slug = AppStack.uniqueSlug("draft")
        try WizardTests.fillWizard(client, name: "Draft & Co", subdomain: slug)

        let first = try client.get("/stores/new")
        #expect(first.text.contains("value=\"Draft &amp; Co\""))
        #expect(first.text.contains("value=\"\(slug)\""))
        #expect(try client.get("/stores/new/template").text.contains("value=\"atelier\" checked"))
        let locale = try client.get("/stores/new/locale").text
        #expect(locale.contains("value=\"DE\" data-currency=\"EUR\" data-timezone=\"Europe/Berlin\" data-language=\"de\" selected"))
        #expect(locale.contains("<option selected>Europe/Berlin</option>"))
        #expect(try client.get("/stores/new/product").text.contains("value=\"24.50\""))
        let review = try client.get("/stores/new/review").text
        #expect(review.contains("Linen Apron — 24.50 EUR"))
        #expect(review.contains("\(slug).\(stack.platformDomain)"))

        // Changing an earlier answer keeps the later ones.
        #expect(try client.post("/stores/new", [("name", "Draft and Co"), ("subdomain", slug)]).headers["Location"] == "/stores/new/review")
        #expect(try client.get("/stores/new/review").text.contains("Linen Apron"))

        // The draft is the signed-in user's: another account cannot read it from the cookie.
        let other = try WizardTests.merchant(stack)
        other.cookies[WizardDraft.cookieName] = client.cookies[WizardDraft.cookieName]
        #expect(try other.get("/stores/new/review").headers["Location"] == "/stores/new")
        #expect(!(try other.get("/stores/new").text.contains(slug)))
    }

    @Test func anUnverifiedOrAnonymousVisitorCannotStartAStore() throws {
        guard let stack = try AppStack.required() else { return }
        let anonymous = WebClient(handler: try stack.handler(), host: stack.platformDomain)
        #expect(try anonymous.get("/stores/new").headers["Location"] == "/login?next=%2Fstores%2Fnew")
        let user = try stack.createUser(verified: false)
        let unverified = try stack.signedInClient(userId: user.userId)
        let page = try unverified.get("/stores/new")
        #expect(page.status == .forbidden)
        #expect(page.text.contains("Verify your email first"))
    }

    @Test func anOrganizationAtItsStoreLimitIsToldBeforeTheFirstStep() throws {
        guard let stack = try AppStack.required() else { return }
        let user = try stack.createUser()
        try stack.ownerConnection().execute("UPDATE organizations SET store_limit = 0 WHERE id = \(user.orgId)")
        let page = try stack.signedInClient(userId: user.userId).get("/stores/new")
        #expect(page.status == .forbidden)
        #expect(page.text.contains("Your plan allows 0 stores"))
    }

    @Test func aFullRunEndsWithALiveStorefrontAndTheAdmin() throws {
        guard let stack = try AppStack.required() else { return }
        let client = try WizardTests.merchant(stack)
        let slug = AppStack.uniqueSlug("wiz")
        let name = "Wizard Goods \(slug.suffix(6))"
        try WizardTests.fillWizard(client, name: name, subdomain: slug)
        try client.get("/stores/new/review")
        let created = try client.post("/stores/new/review", [])
        #expect(created.status == .seeOther)
        #expect(created.headers["Location"] == "/store/\(slug)/setup")
        #expect(client.cookies[WizardDraft.cookieName] == nil, "the draft is gone once the store exists")

        let status = try WizardTests.runJobsUntilSettled(stack, client, slug: slug)
        #expect(status["status"] as? String == "active")
        #expect(status["redirect"] as? String == "/store/\(slug)/admin")
        #expect((status["steps"] as? [[String: Any]])?.allSatisfy { $0["state"] as? String == "done" } == true)
        #expect(try client.get("/store/\(slug)/setup").headers["Location"] == "/store/\(slug)/admin")

        let storefront = stack.handlerOrFail()(try get("/", host: "\(slug).\(stack.platformDomain)"))
        #expect(storefront.status == .ok)
        #expect(storefront.text.contains(name))
        #expect(storefront.text.contains("Linen Apron"), "the first product is on the home page")

        // The starter content is in the store's own database.
        let store = try stack.ownerConnection().queryFirst("SELECT id FROM stores WHERE slug = \(slug)")!
        let tenant = try TenantConnector.open(storeId: try store.decode("id"), registry: try stack.ownerConnection(),
                                              keyring: try stack.keyring())
        let apron = try tenant.queryFirst("""
            SELECT v.price_minor FROM products p JOIN variants v ON v.product_id = p.id WHERE p.title = 'Linen Apron'
            """)
        #expect(try apron?.decode("price_minor", as: Int64.self) == 2450)
        #expect(try tenant.queryFirst("SELECT count(*)::bigint AS n FROM products")?.decode("n", as: Int.self) == StarterContent.sampleProductCount + 1)
        let settings = try tenant.queryFirst("SELECT currency, timezone, locale, money_format FROM store_settings")!
        #expect(try settings.decode("currency", as: String.self) == "EUR")
        #expect(try settings.decode("timezone", as: String.self) == "Europe/Berlin")
        #expect(try settings.decode("money_format", as: String.self).hasPrefix("€"))
        #expect(try tenant.queryFirst("SELECT theme FROM theme_settings WHERE is_current")?.decode("theme", as: String.self) == "atelier")
    }

    @Test func aFailedSetupShowsWhatWentWrongAndRetrySucceeds() throws {
        guard let stack = try AppStack.required() else { return }
        let user = try stack.createUser(name: "Retry Merchant")
        let client = try stack.signedInClient(userId: user.userId)
        let slug = AppStack.uniqueSlug("retry")
        let plan = StoreSetupPlan(name: "Retry Shop", slug: slug, theme: "atelier", sampleData: false, country: "GB",
                                  currency: "GBP", timezone: "Europe/London", locale: "en", userId: user.userId)
        // Queued for later, so no runner takes it: this test runs it, with a failure injected.
        let storeId = try StoreSetup.start(plan, orgId: user.orgId, registry: try Connection(url: stack.config.registryURL),
                                           runAt: Date().addingTimeInterval(3600))
        let (_, failing) = try WizardTests.runner(stack, failAt: .database)
        #expect(throws: (any Error).self) { try failing.run(storeId: storeId, plan: plan) }
        try stack.ownerConnection().execute("UPDATE jobs SET status = 'dead' WHERE store_id = \(storeId)")

        let page = try client.get("/store/\(slug)/setup")
        #expect(page.status == .ok)
        #expect(page.text.contains("Something went wrong while locking the database to your store"))
        #expect(page.text.contains("step step-failed"))
        #expect(!page.text.contains("injected"), "the internal reason stays in the logs")
        #expect(page.text.contains(">Retry</button>"))
        let failed = try WizardTests.json(try client.get("/store/\(slug)/setup/status"))
        #expect(failed["status"] as? String == "failed")

        #expect(try client.post("/store/\(slug)/setup/retry", [], csrf: "").status == .forbidden)
        #expect(try client.post("/store/\(slug)/setup/retry", []).headers["Location"] == "/store/\(slug)/setup")
        let status = try WizardTests.runJobsUntilSettled(stack, client, slug: slug)
        #expect(status["status"] as? String == "active")
        let storefront = stack.handlerOrFail()(try get("/", host: "\(slug).\(stack.platformDomain)"))
        #expect(storefront.status == .ok)
        #expect(storefront.text.contains("Retry Shop"))

        // Another organization's member sees nothing of it.
        let stranger = try WizardTests.merchant(stack)
        #expect(try stranger.get("/store/\(slug)/setup/status").status == .forbidden)
        try stranger.get("/stores")   // its own form token, so only the access check can refuse
        #expect(try stranger.post("/store/\(slug)/setup/retry", []).status == .forbidden)
    }
}

extension AppStack {
    func handlerOrFail() -> (Request) -> Response {
        (try? handler()) ?? { _ in Response.text("no handler", status: .internalServerError) }
    }
}
