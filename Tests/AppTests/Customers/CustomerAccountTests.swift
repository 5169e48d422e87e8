import Commerce
import Foundation
import HTTP
import Postgres
import Registry
import Testing
@testable import App

/// Customer accounts on a store's host: sign-up by mailed link, log-in and its throttle,
/// log-out, password reset, the address book, order history, and one store's customers
/// being unknown to another.
@Suite(.serialized) struct CustomerAccountTests {
    @Test func signUpMailsALinkThatLogsInAndShowsTheAccount() throws {
        guard let stack = try AppStack.required() else { return }
        let store = try stack.provisionStore(prefix: "cust-signup", name: "Signup Shop")
        let shopper = try ShopperClient(stack, store: store)
        let email = AppStack.uniqueEmail("signup")

        let form = try shopper.get("/account/register")
        #expect(form.status == .ok)
        #expect(form.text.contains("name=\"_csrf\""))

        let short = try shopper.post("/account/register", [("first_name", "Ada"), ("last_name", "Lovelace"),
                                                          ("email", email), ("password", "short")])
        #expect(short.status.code == 422)
        #expect(short.text.contains("id=\"customer-password-error\""))
        #expect(short.text.contains("At least 10") || short.text.contains("at least 10"))

        let sent = try shopper.post("/account/register", [("first_name", "Ada"), ("last_name", "Lovelace"),
                                                         ("email", email), ("password", "correct horse battery")])
        #expect(sent.status == .seeOther)
        #expect(sent.location == "/account/register/sent")
        #expect(shopper.cookies["sf_customer"] == nil, "not logged in before the link is used")
        #expect(try shopper.get("/account").location?.hasPrefix("/account/login") == true)

        let link = try #require(try stack.customerMailLink(to: email, containing: "/account/confirm/"))
        let mail = try #require(try stack.queuedMail(to: email).first)
        #expect(mail.subject == "Confirm your account at Signup Shop")
        #expect(mail.html?.contains("Signup Shop") == true)
        #expect(mail.html?.contains("Storefleet account") == false, "the shopper hears from the store, not the platform")
        let confirmPage = try shopper.get(link)
        #expect(confirmPage.status == .ok)
        #expect(confirmPage.text.contains("Confirm and log in"))
        let confirmed = try shopper.post(link, [])
        #expect(confirmed.location == "/account")
        #expect(shopper.cookies["sf_customer"] != nil)

        let account = try shopper.get("/account")
        #expect(account.status == .ok)
        #expect(account.text.contains("Hello, Ada"))
        #expect(account.text.contains(email))
        #expect(account.headers["Cache-Control"] == "no-store")

        // The link works once.
        let again = try ShopperClient(stack, store: store)
        #expect(try again.get(link).status == .notFound)
    }

    @Test func signUpWithATakenAddressSaysTheSameAndMailsTheOwner() throws {
        guard let stack = try AppStack.required() else { return }
        let store = try stack.provisionStore(prefix: "cust-taken", name: "Taken Shop")
        let db = try stack.tenantConnection(store)
        let email = AppStack.uniqueEmail("taken")
        try AccountFixtures(db: db).customer(email: email, password: "the real password")
        let shopper = try ShopperClient(stack, store: store)
        _ = try shopper.get("/account/register")
        let response = try shopper.post("/account/register", [("first_name", "Eve"), ("last_name", "Intruder"),
                                                             ("email", email), ("password", "attacker password")])
        #expect(response.location == "/account/register/sent")
        let mail = try #require(try stack.queuedMail(to: email).first)
        #expect(mail.kind == "customer_existing")
        #expect(!mail.text.contains("/account/confirm/"))
        // The account's password is unchanged: the old one still logs in, the attacker's does not.
        let outsider = try ShopperClient(stack, store: store)
        _ = try outsider.get("/account/login")
        #expect(try outsider.post("/account/login", [("email", email), ("password", "attacker password")]).status.code == 422)
        #expect(try outsider.post("/account/login", [("email", email), ("password", "the real password")]).status == .seeOther)
    }

    @Test func logInWrongPasswordIsGenericAndLogOutEndsTheSession() throws {
        guard let stack = try AppStack.required() else { return }
        let store = try stack.provisionStore(prefix: "cust-login", name: "Login Shop")
        let db = try stack.tenantConnection(store)
        let email = AppStack.uniqueEmail("login")
        try AccountFixtures(db: db).customer(email: email)
        let shopper = try ShopperClient(stack, store: store)
        _ = try shopper.get("/account/login")

        let wrong = try shopper.post("/account/login", [("email", email), ("password", "not the password")])
        let unknown = try shopper.post("/account/login", [("email", "nobody-\(email)"), ("password", "not the password")])
        #expect(wrong.status.code == 422)
        #expect(unknown.status.code == 422)
        let generic = "That email and password don't match an account"
        #expect(wrong.text.contains(generic.replacingOccurrences(of: "'", with: "&#39;")) || wrong.text.contains(generic))
        #expect(Self.message(wrong.text) == Self.message(unknown.text), "the page never says which part was wrong")
        #expect(wrong.text.contains("value=\"\(email)\""), "the email is kept")

        // No CSRF token → 403, nothing logged in.
        let forged = try shopper.post("/account/login", [("email", email), ("password", "correct horse battery")], csrf: "")
        #expect(forged.status == .forbidden)
        let otherSite = try shopper.post("/account/login", [("email", email), ("password", "correct horse battery")],
                                         origin: "http://evil.example")
        #expect(otherSite.status == .forbidden)
        #expect(shopper.cookies["sf_customer"] == nil)

        let ok = try shopper.post("/account/login", [("email", email.uppercased()), ("password", "correct horse battery"),
                                                    ("return_to", "/account/addresses")])
        #expect(ok.location == "/account/addresses")
        let token = try #require(shopper.cookies["sf_customer"])
        #expect(try shopper.get("/account").status == .ok)

        // An outside return_to is ignored.
        let other = try ShopperClient(stack, store: store)
        _ = try other.get("/account/login")
        let away = try other.post("/account/login", [("email", email), ("password", "correct horse battery"),
                                                    ("return_to", "//evil.example/")])
        #expect(away.location == "/account")

        let out = try shopper.post("/account/logout", [])
        #expect(out.location == "/")
        #expect(shopper.cookies["sf_customer"] == nil)
        // The old token no longer opens the account, even if kept.
        shopper.cookies["sf_customer"] = token
        #expect(try shopper.get("/account").location?.hasPrefix("/account/login") == true)
    }

    @Test func tooManyFailuresThrottleEvenTheRightPassword() throws {
        guard let stack = try AppStack.required() else { return }
        let store = try stack.provisionStore(prefix: "cust-throttle", name: "Throttle Shop")
        let db = try stack.tenantConnection(store)
        let email = AppStack.uniqueEmail("throttle")
        try AccountFixtures(db: db).customer(email: email)
        let shopper = try ShopperClient(stack, store: store)
        _ = try shopper.get("/account/login")
        for _ in 0..<5 {
            #expect(try shopper.post("/account/login", [("email", email), ("password", "wrong password!")]).status.code == 422)
        }
        let throttled = try shopper.post("/account/login", [("email", email), ("password", "correct horse battery")])
        #expect(throttled.status == .tooManyRequests)
        #expect(throttled.text.contains("Too many attempts"))
        #expect(shopper.cookies["sf_customer"] == nil)
    }

    @Test func passwordResetByMailSetsANewPasswordAndEndsOtherSessions() throws {
        guard let stack = try AppStack.required() else { return }
        let store = try stack.provisionStore(prefix: "cust-reset", name: "Reset Shop")
        let db = try stack.tenantConnection(store)
        let email = AppStack.uniqueEmail("reset")
        try AccountFixtures(db: db).customer(email: email, password: "old password 123")

        let elsewhere = try ShopperClient(stack, store: store)
        _ = try elsewhere.get("/account/login")
        #expect(try elsewhere.post("/account/login", [("email", email), ("password", "old password 123")]).status == .seeOther)

        let shopper = try ShopperClient(stack, store: store)
        _ = try shopper.get("/account/recover")
        let unknown = try shopper.post("/account/recover", [("email", "nobody-" + email)])
        let known = try shopper.post("/account/recover", [("email", email)])
        #expect(unknown.location == "/account/login")
        #expect(known.location == "/account/login")
        #expect(try stack.queuedMail(to: "nobody-" + email).isEmpty)

        let link = try #require(try stack.customerMailLink(to: email, containing: "/account/reset/"))
        #expect(try shopper.get(link).text.contains("Choose a new password"))
        let short = try shopper.post(link, [("password", "short")])
        #expect(short.status.code == 422)
        let done = try shopper.post(link, [("password", "brand new password")])
        #expect(done.location == "/account")
        #expect(try shopper.get("/account").status == .ok)
        #expect(try elsewhere.get("/account").location?.hasPrefix("/account/login") == true, "other sessions end")
        #expect(try shopper.get(link).status == .notFound, "the link works once")

        let fresh = try ShopperClient(stack, store: store)
        _ = try fresh.get("/account/login")
        #expect(try fresh.post("/account/login", [("email", email), ("password", "old password 123")]).status.code == 422)
        #expect(try fresh.post("/account/login", [("email", email), ("password", "brand new password")]).status == .seeOther)
    }

    @Test func addressBookKeepsOneDefault() throws {
        guard let stack = try AppStack.required() else { return }
        let store = try stack.provisionStore(prefix: "cust-addr", name: "Address Shop")
        let db = try stack.tenantConnection(store)
        let email = AppStack.uniqueEmail("addr")
        let customerId = try AccountFixtures(db: db).customer(email: email)
        let shopper = try Self.loggedIn(stack, store: store, email: email)

        let page = try shopper.get("/account/addresses")
        #expect(page.status == .ok)
        #expect(page.text.contains("<select id=\"address-country_code\""))

        let missing = try shopper.post("/account/addresses", [("first_name", "Ada"), ("last_name", ""), ("address1", ""),
                                                             ("city", "London"), ("country_code", "GB")])
        #expect(missing.status.code == 422)
        #expect(missing.text.contains("id=\"address-last_name-error\""))
        #expect(missing.text.contains("id=\"address-address1-error\""))
        #expect(try Self.addressCount(db, customerId) == 0)

        let home = [("first_name", "Ada"), ("last_name", "Lovelace"), ("address1", "12 Analytical Row"), ("city", "London"),
                    ("postal_code", "N1 9GU"), ("country_code", "GB")]
        #expect(try shopper.post("/account/addresses", home).location == "/account/addresses")
        let work = [("first_name", "Ada"), ("last_name", "Lovelace"), ("address1", "1 Engine Street"), ("city", "Paris"),
                    ("postal_code", "75001"), ("country_code", "FR"), ("default", "1")]
        #expect(try shopper.post("/account/addresses", work).location == "/account/addresses")
        let rows = try db.query("""
            SELECT id, address1, is_default FROM customer_addresses WHERE customer_id = \(customerId) ORDER BY id
            """)
        #expect(rows.count == 2)
        let homeId: Int64 = try rows[0].decode("id"), workId: Int64 = try rows[1].decode("id")
        #expect(try rows[0].decode("is_default", as: Bool.self) == false)
        #expect(try rows[1].decode("is_default", as: Bool.self) == true)

        let list = try shopper.get("/account/addresses").text
        #expect(list.contains("12 Analytical Row") && list.contains("1 Engine Street"))
        #expect(list.contains("France"))

        #expect(try shopper.post("/account/addresses/\(homeId)/default", []).location == "/account/addresses")
        #expect(try Self.defaultAddress(db, customerId) == homeId)

        let edit = try shopper.get("/account/addresses/\(workId)")
        #expect(edit.text.contains("value=\"1 Engine Street\""))
        var changed = work
        changed[2] = ("address1", "2 Engine Street")
        #expect(try shopper.post("/account/addresses/\(workId)", changed).location == "/account/addresses")
        #expect(try Self.defaultAddress(db, customerId) == workId, "saving with default=1 moves the default")

        #expect(try shopper.post("/account/addresses/\(workId)/delete", []).location == "/account/addresses")
        #expect(try Self.defaultAddress(db, customerId) == homeId, "deleting the default hands it on")

        // Another customer cannot see or change this address.
        let otherEmail = AppStack.uniqueEmail("addr-other")
        try AccountFixtures(db: db).customer(email: otherEmail)
        let other = try Self.loggedIn(stack, store: store, email: otherEmail)
        #expect(try other.get("/account/addresses/\(homeId)").status == .notFound)
        #expect(try other.post("/account/addresses/\(homeId)/delete", []).location == "/account/addresses")
        #expect(try Self.addressCount(db, customerId) == 1)
    }

    @Test func orderHistoryShowsOnlyTheCustomersOwnOrders() throws {
        guard let stack = try AppStack.required() else { return }
        let store = try stack.provisionStore(prefix: "cust-orders", name: "Orders Shop")
        let db = try stack.tenantConnection(store)
        let f = AccountFixtures(db: db)
        let email = AppStack.uniqueEmail("orders")
        let otherEmail = AppStack.uniqueEmail("orders-other")
        let me = try f.customer(email: email)
        let them = try f.customer(email: otherEmail)
        let mine = try f.order(email: email, customerId: me, title: "Linen shirt", quantity: 2, unitMinor: 4200)
        let guestMine = try f.order(email: email.uppercased(), customerId: nil, title: "Wool scarf")
        let theirs = try f.order(email: otherEmail, customerId: them, title: "Secret gift")
        try db.execute("""
            INSERT INTO shipments (order_id, carrier, tracking_number, tracking_url, status)
            SELECT id, 'Royal Mail', 'RM123456789GB', 'https://track.example/RM123456789GB', 'in_transit'
            FROM orders WHERE number = \(mine)
            """)

        let shopper = try Self.loggedIn(stack, store: store, email: email)
        let account = try shopper.get("/account").text
        #expect(account.contains("/account/orders/\(mine)"))
        #expect(account.contains("/account/orders/\(guestMine)"), "guest orders with the same address count")
        #expect(!account.contains("/account/orders/\(theirs)"))

        let detail = try shopper.get("/account/orders/\(mine)")
        #expect(detail.status == .ok)
        #expect(detail.text.contains("Linen shirt"))
        #expect(detail.text.contains("$84.00"))
        #expect(detail.text.contains("$89.00"))
        #expect(detail.text.contains("12 Analytical Row"))
        #expect(detail.text.contains("RM123456789GB"))
        #expect(detail.text.contains("https://track.example/RM123456789GB"))
        #expect(detail.text.contains("In Transit"))

        let other = try shopper.get("/account/orders/\(theirs)")
        #expect(other.status == .notFound)
        #expect(!other.text.contains("Secret gift"))
        #expect(try shopper.get("/account/orders/not-a-number").status == .notFound)
        #expect(try ShopperClient(stack, store: store).get("/account/orders/\(mine)").location?.hasPrefix("/account/login") == true)
    }

    @Test func aCustomerOfOneStoreCannotLogInAtAnother() throws {
        guard let stack = try AppStack.required() else { return }
        let storeA = try stack.provisionStore(prefix: "cust-iso-a", name: "Store A")
        let storeB = try stack.provisionStore(prefix: "cust-iso-b", name: "Store B")
        let email = AppStack.uniqueEmail("iso")
        try AccountFixtures(db: try stack.tenantConnection(storeA)).customer(email: email)
        let handler = try stack.handler()
        let atA = try ShopperClient(stack, store: storeA, handler: handler)
        _ = try atA.get("/account/login")
        #expect(try atA.post("/account/login", [("email", email), ("password", "correct horse battery")]).status == .seeOther)
        let atB = try ShopperClient(stack, store: storeB, handler: handler)
        _ = try atB.get("/account/login")
        #expect(try atB.post("/account/login", [("email", email), ("password", "correct horse battery")]).status.code == 422)
        // Store A's session cookie means nothing on store B's host.
        atB.cookies["sf_customer"] = atA.cookies["sf_customer"]
        #expect(try atB.get("/account").location?.hasPrefix("/account/login") == true)
    }

    // MARK: - Helpers

    static func loggedIn(_ stack: AppStack, store: ProvisionedStore, email: String,
                         password: String = "correct horse battery") throws -> ShopperClient {
        let shopper = try ShopperClient(stack, store: store)
        _ = try shopper.get("/account/login")
        let response = try shopper.post("/account/login", [("email", email), ("password", password)])
        #expect(response.status == .seeOther)
        return shopper
    }

    static func message(_ html: String) -> String? {
        guard let start = html.range(of: "id=\"login-error\">"), let end = html[start.upperBound...].range(of: "<") else { return nil }
        return String(html[start.upperBound..<end.lowerBound])
    }

    static func addressCount(_ db: Connection, _ customerId: Int64) throws -> Int64 {
        try db.queryFirst("SELECT count(*) AS n FROM customer_addresses WHERE customer_id = \(customerId)")!.decode("n")
    }

    static func defaultAddress(_ db: Connection, _ customerId: Int64) throws -> Int64? {
        try db.queryFirst("SELECT id FROM customer_addresses WHERE customer_id = \(customerId) AND is_default")?.decode("id")
    }
}
