import Foundation
import HTTP
import Postgres
import Registry
import Testing
@testable import App

@Suite("Checkout pages: information, shipping, payment, complete, order status")
struct CheckoutFlowTests {
    @Test("a guest buys with bank transfer: each step, the order page, stock taken, the confirmation mail queued")
    func manualPurchase() throws {
        guard let stack = try AppStack.required() else { return }
        let store = try CheckoutStore(stack, prefix: "co-buy")
        let mug = try store.shop.product("Glazed Mug", priceMinor: 1_800, stock: 5)
        let browser = store.shop.shopper()
        let email = "ada-\(store.shop.store.slug)@example.com"
        var address = CheckoutStore.address
        address[0] = ("email", email)
        try browser.post("/cart/add", [("id", String(mug.variantId)), ("quantity", "2")], csrf: "")

        // Step 1: the form, then a bad ZIP and a missing city: errors next to the fields, values kept.
        let info = try browser.get("/checkout")
        #expect(info.status == .ok)
        #expect(info.headers["Cache-Control"] == "no-store")
        #expect(info.text.contains("name=\"email\""))
        #expect(info.text.contains("<option value=\"US\" selected>United States</option>"))
        #expect(!info.text.contains("<option value=\"FR\""))   // no zone ships to France
        var bad = address
        bad[bad.firstIndex { $0.0 == "postal_code" }!] = ("postal_code", "6270")
        bad[bad.firstIndex { $0.0 == "city" }!] = ("city", " ")
        let rejected = try browser.post("/checkout", bad)
        #expect(rejected.status == .unprocessableContent)
        #expect(rejected.text.contains("Enter a ZIP code of 5 digits"))
        #expect(rejected.text.contains("Enter a city."))
        #expect(rejected.text.contains("value=\"12 Analytical Way\""))
        #expect(rejected.text.contains("aria-invalid=\"true\" aria-describedby=\"field-postal_code-error\""))
        #expect(try store.db.queryFirst("SELECT shipping_address IS NULL AS empty FROM carts")!.decode("empty", as: Bool.self))

        // Without a CSRF token nothing is saved.
        #expect(try browser.post("/checkout", address, csrf: "").status == .forbidden)

        let saved = try browser.post("/checkout", address)
        #expect(saved.status == .seeOther && saved.headers["Location"] == "/checkout/shipping")

        // Step 2: both rates with prices and delivery days.
        let shipping = try browser.get("/checkout/shipping").text
        #expect(shipping.contains("Standard") && shipping.contains("3–5 business days") && shipping.contains("$5.00"))
        #expect(shipping.contains("Express") && shipping.contains("1 business day") && shipping.contains("$15.00"))
        #expect(try browser.post("/checkout/shipping", [("shipping_rate", "999999")]).status == .unprocessableContent)
        let chosen = try browser.post("/checkout/shipping", [("shipping_rate", String(store.expressRateId))])
        #expect(chosen.headers["Location"] == "/checkout/payment")

        // Step 3: review with the sums, the method, the key.
        let payment = try browser.get("/checkout/payment").text
        #expect(payment.contains("Bank transfer"))
        #expect(payment.contains("Express"))
        #expect(payment.contains("$36.00"))        // subtotal 2 × 18.00
        #expect(payment.contains("$51.00"))        // + 15.00 express
        let key = try #require(CheckoutStore.key(in: payment))

        let placed = try browser.post("/checkout/complete", [("idempotency_key", key), ("payment_method", String(store.bankId))])
        #expect(placed.status == .seeOther)
        let location = try #require(placed.headers["Location"])
        #expect(location.hasPrefix("/orders/"))
        #expect(browser.cookies["sf_cart"] == nil)

        let order = try store.db.queryFirst("""
            SELECT number, total_minor, shipping_minor, shipping_method_name, payment_method_name, email, reserved_until,
                   public_token FROM orders
            """)!
        let number: Int64 = try order.decode("number")
        #expect(try order.decode("total_minor", as: Int64.self) == 5_100)
        #expect(try order.decode("shipping_method_name", as: String?.self) == "Express")
        #expect(try order.decode("payment_method_name", as: String?.self) == "Bank transfer")
        #expect(try order.decode("reserved_until", as: Date?.self) == nil)
        #expect(location == "/orders/" + (try order.decode("public_token", as: String.self)))
        #expect(try store.stock(mug.variantId) == 3)

        // The status page: number, lines, sums, address, how to pay.
        let status = try browser.get(location)
        #expect(status.status == .ok)
        #expect(status.text.contains("#\(number)"))
        #expect(status.text.contains("Glazed Mug"))
        #expect(status.text.contains("$51.00"))
        #expect(status.text.contains("12 Analytical Way"))
        #expect(status.text.contains("IBAN DE89 3704 0044 0532 0130 00"))
        #expect(try browser.get("/orders/not-a-real-token-at-all-xyz").status == .notFound)

        // The confirmation mail is queued for the buyer with the order in it.
        let mail = try #require(try CheckoutFlowTests.queuedMail(stack, to: email))
        #expect(mail.subject.contains("#\(number)"))
        #expect(mail.text.contains("2 × Glazed Mug"))
        #expect(mail.text.contains("$51.00"))
        #expect(mail.text.contains("IBAN DE89"))
        #expect(mail.text.contains(location))
        #expect(mail.html?.contains("12 Analytical Way") == true)
        // The order's timeline: placed, then the confirmation (written with the order itself).
        let timeline = try store.db.query("SELECT kind, message, actor FROM order_events ORDER BY id").map {
            [try $0.decode("kind", as: String.self), try $0.decode("message", as: String.self), try $0.decode("actor", as: String.self)]
        }
        #expect(timeline == [["placed", "Order placed by \(email) (Bank transfer).", "guest"],
                             ["email", "Order confirmation sent to \(email).", "system"]])

        // Back to checkout after the order: the cart is gone.
        #expect(try browser.get("/checkout").headers["Location"] == "/cart")
    }

    @Test("a merchant's change to rates, taxes or payment methods is in the next checkout step, and in an order placed at once")
    func settingsChangesReachCheckout() throws {
        guard let stack = try AppStack.required() else { return }
        let store = try CheckoutStore(stack, prefix: "co-settings")
        let kettle = try store.shop.product("Copper Kettle", priceMinor: 6_000, stock: 5)
        let browser = store.shop.shopper()
        // The worker keeps the store's checkout settings once a step has read them; a change
        // reaches it with its commit's notification, just after the committing client hears back.
        func page(_ path: String, until condition: (String) -> Bool) throws -> String {
            let deadline = ContinuousClock.now + .seconds(2)
            var text = try browser.get(path).text
            while !condition(text), ContinuousClock.now < deadline { text = try browser.get(path).text }
            return text
        }
        let first = try store.toPayment(browser, variantId: kettle.variantId)
        #expect(first.contains("$65.00") && first.contains("Bank transfer"))   // 60.00 + 5.00 standard

        try store.db.execute("UPDATE shipping_rates SET price_minor = 700 WHERE id = \(store.standardRateId)")
        #expect(try page("/checkout/shipping") { $0.contains("$7.00") }.contains("$7.00"))

        try store.db.execute("INSERT INTO tax_rates (country_code, name, rate_ppm) VALUES ('US', 'Sales tax', 100000)")
        let taxed = try page("/checkout/payment") { $0.contains("$6.00") }
        #expect(taxed.contains("$6.00") && taxed.contains("$73.00"))   // 10% of 60.00 (shipping is not taxed here)

        let cash: Int64 = try store.db.queryFirst("""
            INSERT INTO payment_providers (kind, name, enabled, instructions)
            VALUES ('cash_on_delivery', 'Cash on delivery', true, 'Pay the courier.') RETURNING id
            """)!.decode("id")
        try store.db.execute("UPDATE payment_providers SET enabled = false WHERE id = \(store.bankId)")
        let methods = try page("/checkout/payment") { $0.contains("Cash on delivery") && !$0.contains("Bank transfer") }
        #expect(methods.contains("Cash on delivery") && !methods.contains("Bank transfer"))

        // Placing the order right after a change (no waiting) prices it with the change.
        let key = try #require(CheckoutStore.key(in: methods))
        try store.db.execute("UPDATE shipping_rates SET price_minor = 900 WHERE id = \(store.standardRateId)")
        let placed = try browser.post("/checkout/complete", [("idempotency_key", key), ("payment_method", String(cash))])
        #expect(placed.status == .seeOther)
        let order = try #require(try store.db.queryFirst("SELECT shipping_minor, tax_minor, total_minor, payment_method_name FROM orders"))
        #expect(try order.decode("shipping_minor", as: Int64.self) == 900)
        #expect(try order.decode("tax_minor", as: Int64.self) == 600)
        #expect(try order.decode("total_minor", as: Int64.self) == 7_500)
        #expect(try order.decode("payment_method_name", as: String?.self) == "Cash on delivery")
    }

    @Test("the same 'Place order' form sent twice makes one order; a reload of the review after placing goes to it")
    func doubleSubmit() throws {
        guard let stack = try AppStack.required() else { return }
        let store = try CheckoutStore(stack, prefix: "co-twice")
        let lamp = try store.shop.product("Desk Lamp", priceMinor: 4_000, stock: 3)
        let browser = store.shop.shopper()
        let payment = try store.toPayment(browser, variantId: lamp.variantId)
        let key = try #require(CheckoutStore.key(in: payment))
        let cookies = browser.cookies
        let first = try browser.post("/checkout/complete", [("idempotency_key", key), ("payment_method", String(store.bankId))])
        // The second submit still carries the old cookies (sent before the first answer arrived).
        browser.cookies = cookies
        let second = try browser.post("/checkout/complete", [("idempotency_key", key), ("payment_method", String(store.bankId))])
        browser.cookies = cookies
        let other = try browser.post("/checkout/complete", [("idempotency_key", "another-key-0123456789"),
                                                            ("payment_method", String(store.bankId))])
        #expect(first.headers["Location"] != nil)
        #expect(second.headers["Location"] == first.headers["Location"])
        #expect(other.headers["Location"] == first.headers["Location"])
        #expect(try store.orderCount() == 1)
        #expect(try store.stock(lamp.variantId) == 2)
    }

    @Test("sold out between review and 'Place order': back to the cart with the reason, nothing placed")
    func soldOutAtTheEnd() throws {
        guard let stack = try AppStack.required() else { return }
        let store = try CheckoutStore(stack, prefix: "co-sold")
        let lamp = try store.shop.product("Last Lamp", priceMinor: 4_000, stock: 1)
        let browser = store.shop.shopper()
        let payment = try store.toPayment(browser, variantId: lamp.variantId)
        let key = try #require(CheckoutStore.key(in: payment))
        // Someone else bought it meanwhile.
        try store.db.execute("UPDATE variants SET inventory_quantity = 0 WHERE id = \(lamp.variantId)")
        let placed = try browser.post("/checkout/complete", [("idempotency_key", key), ("payment_method", String(store.bankId))])
        #expect(placed.status == .seeOther)
        let cart = try browser.follow(placed).text
        #expect(cart.contains("Last Lamp"))
        #expect(cart.contains("sold out") || cart.contains("Sold out"))
        #expect(try store.orderCount() == 0)
    }

    @Test("an empty cart goes to /cart; steps out of order go back to the first one")
    func guards() throws {
        guard let stack = try AppStack.required() else { return }
        let store = try CheckoutStore(stack, prefix: "co-guard")
        let mug = try store.shop.product("Mug", priceMinor: 1_000)
        let browser = store.shop.shopper()
        #expect(try browser.get("/checkout").headers["Location"] == "/cart")
        try browser.post("/cart/add", [("id", String(mug.variantId))], csrf: "")
        #expect(try browser.get("/checkout/payment").headers["Location"] == "/checkout")
        #expect(try browser.get("/checkout/shipping").headers["Location"] == "/checkout")
        // Canada: postal code format and province.
        try browser.get("/checkout")
        var canada = CheckoutStore.address
        canada[canada.firstIndex { $0.0 == "country_code" }!] = ("country_code", "CA")
        canada[canada.firstIndex { $0.0 == "postal_code" }!] = ("postal_code", "k1a0b1")
        canada[canada.firstIndex { $0.0 == "province_code" }!] = ("province_code", "ON")
        #expect(try browser.post("/checkout", canada).headers["Location"] == "/checkout/shipping")
        let saved = try store.db.queryFirst("SELECT shipping_address->>'postal_code' AS pc FROM carts")!
        #expect(try saved.decode("pc", as: String.self) == "K1A 0B1")
        // A country no zone ships to is refused.
        var france = CheckoutStore.address
        france[france.firstIndex { $0.0 == "country_code" }!] = ("country_code", "FR")
        france[france.firstIndex { $0.0 == "postal_code" }!] = ("postal_code", "75001")
        let refused = try browser.post("/checkout", france)
        #expect(refused.status == .unprocessableContent)
        #expect(refused.text.contains("We don&#39;t ship to France") || refused.text.contains("We don't ship to France")
                || refused.text.contains("We don&#x27;t ship to France"))
    }

    /// The newest queued `mail.send` job to `address`, opened with the keyring.
    static func queuedMail(_ stack: AppStack, to address: String) throws -> OutgoingMail? {
        let owner = try stack.ownerConnection()
        let keyring = try stack.keyring()
        for row in try owner.query("SELECT payload::text AS p FROM jobs WHERE kind = 'mail.send' ORDER BY id DESC LIMIT 200") {
            let mail = try MailJob.open(JSON(rawText: try row.decode("p")), keyring: keyring)
            if mail.to == address, mail.kind == "order_confirmation" { return mail }
        }
        return nil
    }
}

@Suite("Checkout with tax and a discount code")
struct CheckoutPricingTests {
    @Test("a wrong code shows its error next to the field; a good one lowers the total; tax added; the use is taken")
    func taxAndDiscount() throws {
        guard let stack = try AppStack.required() else { return }
        let store = try CheckoutStore(stack, prefix: "co-tax")
        try store.db.execute("INSERT INTO tax_rates (country_code, name, rate_ppm) VALUES ('US', 'Sales tax', 100000)")
        try store.db.execute("""
            INSERT INTO discount_codes (code, kind, percent_ppm, usage_limit) VALUES ('SAVE10', 'percentage', 100000, 5)
            """)
        let mug = try store.shop.product("Glazed Mug", priceMinor: 1_800, stock: 5)
        let browser = store.shop.shopper()
        let review = try store.toPayment(browser, variantId: mug.variantId, quantity: 2)
        #expect(review.contains("Tax"))
        #expect(review.contains("$3.60"))          // 10% of 36.00; shipping is not taxed by default

        let wrong = try browser.post("/checkout/discount", [("discount_code", "NOPE"), ("apply", "1")])
        #expect(wrong.status == .unprocessableContent)
        #expect(wrong.text.contains("id=\"field-discount_code-error\""))
        #expect(wrong.text.contains("value=\"NOPE\""))

        let applied = try browser.post("/checkout/discount", [("discount_code", "save10"), ("apply", "1")])
        #expect(applied.headers["Location"] == "/checkout/payment")
        let page = try browser.get("/checkout/payment").text
        #expect(page.contains("SAVE10"))
        #expect(page.contains("−$3.60"))
        let key = try #require(CheckoutStore.key(in: page))
        let placed = try browser.post("/checkout/complete", [("idempotency_key", key), ("payment_method", String(store.bankId))])
        #expect(placed.headers["Location"]?.hasPrefix("/orders/") == true)

        let order = try store.db.queryFirst("""
            SELECT subtotal_minor, discount_minor, shipping_minor, tax_minor, total_minor, discount_code,
                   (SELECT sum(discount_minor) FROM order_items WHERE order_id = o.id) AS line_discounts,
                   (SELECT sum(tax_minor) FROM order_items WHERE order_id = o.id) AS line_taxes
            FROM orders o
            """)!
        #expect(try order.decode("subtotal_minor", as: Int64.self) == 3_600)
        #expect(try order.decode("discount_minor", as: Int64.self) == 360)
        #expect(try order.decode("shipping_minor", as: Int64.self) == 500)
        #expect(try order.decode("tax_minor", as: Int64.self) == 324)
        #expect(try order.decode("total_minor", as: Int64.self) == 3_600 - 360 + 500 + 324)
        #expect(try order.decode("line_discounts", as: Int64.self) == 360)
        #expect(try order.decode("line_taxes", as: Int64.self) == 324)
        #expect(try order.decode("discount_code", as: String?.self) == "SAVE10")
        #expect(try store.db.queryFirst("SELECT times_used FROM discount_codes")!.decode("times_used", as: Int.self) == 1)
        #expect(try store.db.queryFirst("SELECT count(*) AS n FROM discount_uses")!.decode("n", as: Int.self) == 1)
        let status = try browser.follow(placed).text
        #expect(status.contains("$40.64"))
    }
}
