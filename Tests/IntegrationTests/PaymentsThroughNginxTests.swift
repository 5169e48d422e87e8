import Crypto
import Foundation
import Integrations
import Postgres
import Registry
import Testing
import TestSupport

/// The whole card purchase through nginx with localstripe running: the pay page makes the
/// PaymentIntent, the payment is confirmed at localstripe the way its Stripe.js does, and
/// localstripe itself delivers the signed `payment_intent.succeeded` to /webhooks/stripe, which
/// marks the order paid. Then the webhook's refusals, and a refund through Stripe.
extension ThroughTheStack {
@Suite("Payments through nginx and localstripe")
struct PaymentsThroughNginxTests {
    struct Shop {
        let stack: StackEnvironment
        let slug: String
        let db: Connection
        let stripe: StripeClient
        let accountId: String
        let providerId: Int64

        init(_ stack: StackEnvironment) throws {
            self.stack = stack
            slug = StorefleetCLI.uniqueSlug("it-pay")
            try StorefleetCLI(stack: stack).run("provision", "--slug", slug, "--name", "Paid Through Nginx")
            let registry = try Connection(url: try stack.value("STOREFLEET_REGISTRY_OWNER_URL"))
            let storeId: Int64 = try registry.queryFirst("SELECT id FROM stores WHERE slug = \(slug)")!.decode("id")
            let keyring = try Keyring.load(file: try stack.value("STOREFLEET_MASTER_KEY_FILE"), environment: [:])
            let directory = StoreDirectory(registry: try Connection(url: try stack.value("STOREFLEET_REGISTRY_URL")),
                                           keyring: keyring, platformDomain: try stack.platformDomain())
            db = try directory.tenantConnection(storeId: storeId)
            stripe = try StripeClient(baseURL: try stack.value("STOREFLEET_STRIPE_API_BASE"),
                                      secretKey: try stack.value("STOREFLEET_STRIPE_SECRET_KEY"))
            // A connected account that finished onboarding (the stand-in's helper flips it).
            let account = try stripe.createExpressAccount(email: nil, country: nil, metadata: [],
                                                          idempotencyKey: "it-" + UUID().uuidString)
            let _: StripeAccount = try stripe.send(.post, "/_config/connect/accounts/" + account.id,
                                                   fields: ["charges_enabled": "true", "payouts_enabled": "true",
                                                            "details_submitted": "true"])
            accountId = account.id
            try registry.execute("INSERT INTO stripe_accounts (account_id, store_id) VALUES (\(accountId), \(storeId))")
            providerId = try db.queryFirst("""
                INSERT INTO payment_providers (kind, name, enabled, stripe_account_id, charges_enabled, payouts_enabled,
                                               details_submitted)
                VALUES ('stripe', 'Card', true, \(accountId), true, true, true) RETURNING id
                """)!.decode("id")
        }

        func order(totalMinor: Int64) throws -> (id: Int64, token: String) {
            let token = SecureRandom.token(bytes: 18)
            let id: Int64 = try db.queryFirst("""
                INSERT INTO orders (email, currency, subtotal_minor, total_minor, payment_provider_id, payment_method_name,
                                    reserved_until, public_token)
                VALUES ('buyer@example.com', 'USD', \(totalMinor), \(totalMinor), \(providerId), 'Card',
                        now() + interval '15 minutes', \(token))
                RETURNING id
                """)!.decode("id")
            return (id, token)
        }

        func financialStatus(_ id: Int64) throws -> String {
            try db.queryFirst("SELECT financial_status FROM orders WHERE id = \(id)")!.decode("financial_status")
        }

        /// Polls until the order's financial status is `wanted` or `seconds` pass (the webhook
        /// arrives asynchronously: localstripe waits a second before delivering).
        func waitFor(_ id: Int64, _ wanted: String, seconds: Double) throws -> String {
            let deadline = Date().addingTimeInterval(seconds)
            var status = try financialStatus(id)
            while status != wanted && Date() < deadline {
                _ = try db.query("SELECT pg_sleep(0.1)")
                status = try financialStatus(id)
            }
            return status
        }
    }

    @Test("A card purchase: pay page, confirmation at Stripe, Stripe's signed webhook marks the order paid; refund")
    func wholeCardPurchase() throws {
        guard let stack = stackOrRecordIssue() else { return }
        let port = try stack.httpPort()
        let shop = try Shop(stack)
        let order = try shop.order(totalMinor: 4_990)

        let page = try RawHTTPClient.request(port: port, target: "/checkout/pay/" + order.token,
                                             host: shop.slug + "." + (try stack.platformDomain()))
        #expect(page.status == 200)
        let html = page.text
        #expect(html.contains(try stack.value("STOREFLEET_STRIPE_JS_URL")))
        guard let start = html.range(of: "data-client-secret=\""),
              let end = html[start.upperBound...].firstIndex(of: "\"") else {
            Issue.record("no client secret on the pay page")
            return
        }
        let clientSecret = String(html[start.upperBound..<end])
        let intentId = String(clientSecret.prefix { $0 != "_" } + "_" + clientSecret.dropFirst(3).prefix { $0 != "_" })
        #expect(try shop.financialStatus(order.id) == "pending")

        // What localstripe's Stripe.js confirmCardPayment posts from the browser (publishable key).
        let confirmed: StripePaymentIntent = try StripeClient(
            baseURL: try stack.value("STOREFLEET_STRIPE_API_BASE"), secretKey: "sk_unused"
        ).send(.post, "/v1/payment_intents/\(intentId)/_authenticate",
               fields: ["success": "true", "client_secret": .string(clientSecret),
                        "key": .string(try stack.value("STOREFLEET_STRIPE_PUBLISHABLE_KEY"))])
        #expect(confirmed.status == "succeeded")
        #expect(confirmed.transferData?.destination == shop.accountId)
        #expect(confirmed.applicationFeeAmount == 130)  // 2 % of 49.90 = 0.998 → 1.00, + 0.30

        #expect(try shop.waitFor(order.id, "paid", seconds: 15) == "paid")
        let payment = try shop.db.queryFirst("""
            SELECT status, provider_reference, application_fee_minor FROM payments WHERE order_id = \(order.id)
            """)!
        #expect(try payment.decode("status", as: String.self) == "succeeded")
        #expect(try payment.decode("provider_reference", as: String.self) == intentId)
        #expect(try payment.decode("application_fee_minor", as: Int64.self) == 130)
        let events: Int64 = try shop.db.queryFirst("""
            SELECT count(*) AS n FROM order_events WHERE order_id = \(order.id) AND kind = 'payment'
            """)!.decode("n")
        #expect(events == 1)

        // The pay page now sends the shopper to the status page.
        let after = try RawHTTPClient.request(port: port, target: "/checkout/pay/" + order.token,
                                              host: shop.slug + "." + (try stack.platformDomain()))
        #expect(after.status == 303)
        #expect(after.header("Location") == "/orders/" + order.token)

        // A refund through Stripe, as the orders admin sends it.
        let refund = try shop.stripe.createRefund(paymentIntent: intentId, amountMinor: 990, reverseTransfer: true,
                                                  idempotencyKey: "it-refund-" + UUID().uuidString)
        #expect(refund.status == "succeeded")
        #expect(refund.amount == 990)
        #expect(refund.paymentIntent == intentId)
    }

    @Test("The webhook refuses bad and old signatures, ignores unknown events, and a replay changes nothing")
    func webhookRefusals() throws {
        guard let stack = stackOrRecordIssue() else { return }
        let port = try stack.httpPort()
        let shop = try Shop(stack)
        let order = try shop.order(totalMinor: 1_000)
        let secret = try stack.value("STOREFLEET_STRIPE_WEBHOOK_SECRET")
        let now = Int64(Date().timeIntervalSince1970)
        let eventId = "evt_it" + UUID().uuidString.replacingOccurrences(of: "-", with: "")
        func event(type: String) -> [UInt8] {
            Array("""
                {"id":"\(eventId)","object":"event","type":"\(type)","data":{"object":{"id":"pi_it\(order.id)x\(now)",
                 "object":"payment_intent","amount":1000,"currency":"usd","status":"succeeded","application_fee_amount":50,
                 "metadata":{"store_id":"0","store_slug":"\(shop.slug)","order_id":"\(order.id)"}}}}
                """.utf8)
        }
        func post(_ body: [UInt8], signature: String) throws -> RawHTTPResponse {
            try RawHTTPClient.request(port: port, method: "POST", target: "/webhooks/stripe", host: try stack.platformDomain(),
                                      headers: [("Content-Type", "application/json"), ("Stripe-Signature", signature)], body: body)
        }
        // store_id 0 in the metadata does not match the slug's store: signed but ignored.
        let mismatched = event(type: "payment_intent.succeeded")
        #expect(try post(mismatched, signature: StripeSignature.header(payload: mismatched, secret: secret, timestamp: now)).status == 200)
        #expect(try shop.financialStatus(order.id) == "pending")

        let body = Array(String(decoding: mismatched, as: UTF8.self)
            .replacingOccurrences(of: "\"store_id\":\"0\"", with: "\"store_id\":\"\(try storeId(stack, shop.slug))\"").utf8)
        #expect(try post(body, signature: StripeSignature.header(payload: body, secret: "whsec_wrong", timestamp: now)).status == 400)
        #expect(try post(body, signature: StripeSignature.header(payload: body, secret: secret, timestamp: now - 400)).status == 400)
        #expect(try shop.financialStatus(order.id) == "pending")

        let unknown = Array(String(decoding: body, as: UTF8.self)
            .replacingOccurrences(of: "payment_intent.succeeded", with: "invoice.created").utf8)
        #expect(try post(unknown, signature: StripeSignature.header(payload: unknown, secret: secret, timestamp: now)).status == 200)
        #expect(try shop.financialStatus(order.id) == "pending")

        let good = try post(body, signature: StripeSignature.header(payload: body, secret: secret, timestamp: now))
        #expect(good.status == 200)
        #expect(try shop.financialStatus(order.id) == "paid")
        let replay = try post(body, signature: StripeSignature.header(payload: body, secret: secret, timestamp: now))
        #expect(replay.status == 200)
        let entries: Int64 = try shop.db.queryFirst("""
            SELECT count(*) AS n FROM order_events WHERE order_id = \(order.id) AND kind = 'payment'
            """)!.decode("n")
        #expect(entries == 1)
    }

    func storeId(_ stack: StackEnvironment, _ slug: String) throws -> Int64 {
        try Connection(url: try stack.value("STOREFLEET_REGISTRY_OWNER_URL"))
            .queryFirst("SELECT id FROM stores WHERE slug = \(slug)")!.decode("id")
    }
}
}
