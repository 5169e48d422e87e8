import Commerce
import HTTP
import Integrations
import Liquid
import Postgres

extension StorefleetApp {
    /// The card payment page on a store's host (Stripe Elements) (issue 7).
    func addPaymentRoutes(to router: inout SiteRouter<StoreSite>) {
        router.get("/checkout/pay/:token") { [unowned self] _, parameters, site in
            try payPage(site, token: parameters["token"] ?? "")
        }
    }

    /// `GET /checkout/pay/<public_token>`: the order's PaymentIntent (made once per order, then
    /// reused) and the theme's `pay` template with Stripe.js. The card goes from the browser to
    /// Stripe; the order becomes paid when `payment_intent.succeeded` arrives.
    private func payPage(_ site: StoreSite, token: String) throws -> Response {
        guard token.utf8.count >= 20, token.utf8.count <= 64,
              token.utf8.allSatisfy({ PaymentPageText.isTokenByte($0) }) else { throw HTTPError.notFound }
        let statusURL = "/orders/" + token
        let settings = config.stripe
        return try site.withTenant { db -> Response in
            let prepared: PaymentPageState = try db.transaction { db in
                guard let order = try db.queryFirst("""
                    SELECT o.id, o.number, o.status, o.financial_status, o.total_minor, o.currency, o.email,
                           p.id AS provider_id, p.kind, p.enabled, p.stripe_account_id, p.charges_enabled
                    FROM orders o LEFT JOIN payment_providers p ON p.id = o.payment_provider_id
                    WHERE o.public_token = \(token)
                    FOR UPDATE OF o
                    """) else { throw HTTPError.notFound }
                let orderId: Int64 = try order.decode("id")
                let summary = PaymentPageOrder(number: try order.decode("number"), totalMinor: try order.decode("total_minor"),
                                               currency: try order.decode("currency"), email: try order.decode("email"))
                if try order.decode("status", as: String.self) == "cancelled" { return .cancelled(summary) }
                if try order.decode("financial_status", as: String.self) != "pending" { return .done }
                guard try order.decode("kind", as: String?.self) == "stripe",
                      let account = try order.decode("stripe_account_id", as: String?.self),
                      try order.decode("charges_enabled", as: Bool?.self) == true,
                      let publishableKey = settings.publishableKey,
                      let client = try stripeClient() else { return .unavailable(summary) }
                let providerId: Int64? = try order.decode("provider_id")

                // An intent made for this order before (a reload, a second tab) is reused.
                if let row = try db.queryFirst("""
                    SELECT provider_reference, failure_message FROM payments
                    WHERE order_id = \(orderId) AND provider_kind = 'stripe' AND status IN ('pending', 'requires_action', 'failed')
                      AND provider_reference IS NOT NULL
                    ORDER BY id DESC LIMIT 1
                    """) {
                    let intent = try client.retrievePaymentIntent(try row.decode("provider_reference"))
                    switch intent.status {
                    case "succeeded", "processing": return .done
                    case "canceled": break
                    default:
                        // After a declined card the same intent takes another try.
                        if let secret = intent.clientSecret {
                            return .ready(summary, secret, publishableKey, try row.decode("failure_message"))
                        }
                    }
                }
                let fee = settings.fee.fee(forAmount: summary.totalMinor)
                let attempt = try db.queryFirst("SELECT count(*) AS n FROM payments WHERE order_id = \(orderId)")?
                    .decode("n", as: Int64.self) ?? 0
                let intent = try client.createPaymentIntent(
                    amountMinor: summary.totalMinor, currency: summary.currency, destination: account,
                    applicationFeeMinor: fee, description: "\(site.route.name) order #\(summary.number)",
                    metadata: [("store_id", String(site.route.storeId)), ("store_slug", site.route.slug),
                               ("order_id", String(orderId)), ("order_number", String(summary.number))],
                    idempotencyKey: "sf-pi-\(site.route.storeId)-\(orderId)-\(attempt)")
                try db.execute("""
                    INSERT INTO payments (order_id, provider_id, provider_kind, provider_reference, amount_minor, currency,
                                          application_fee_minor, status)
                    VALUES (\(orderId), \(providerId), 'stripe', \(intent.id), \(summary.totalMinor), \(summary.currency),
                            \(fee), 'pending')
                    ON CONFLICT (provider_reference) DO NOTHING
                    """)
                guard let secret = intent.clientSecret else { throw StripeError.malformedResponse("payment intent without client secret") }
                return .ready(summary, secret, publishableKey, nil)
            }
            switch prepared {
            case .done:
                return .redirect(to: statusURL)
            case .cancelled(let order):
                return try payTemplate(site, db: db, state: "cancelled", order: order, statusURL: statusURL, stripe: nil,
                                       status: .conflict)
            case .unavailable(let order):
                return try payTemplate(site, db: db, state: "unavailable", order: order, statusURL: statusURL, stripe: nil,
                                       status: .serviceUnavailable)
            case .ready(let order, let secret, let publishableKey, let lastError):
                let stripe: Value = ["js_url": .string(settings.jsURL), "publishable_key": .string(publishableKey),
                                     "client_secret": .string(secret), "last_error": lastError.map { .string($0) } ?? .nil]
                return try payTemplate(site, db: db, state: "ready", order: order, statusURL: statusURL, stripe: stripe,
                                       status: .ok)
            }
        }
    }

    private func payTemplate(_ site: StoreSite, db: Connection, state: String, order: PaymentPageOrder, statusURL: String,
                             stripe: Value?, status: Status) throws -> Response {
        let assigns: [String: Value] = [
            "payment": [
                "state": .string(state),
                "order_number": .string(String(order.number)),
                "total": .int(Int(order.totalMinor)),
                "currency": .string(order.currency),
                "email": .string(order.email),
                "status_url": .string(statusURL),
                "stripe": stripe ?? .nil,
            ],
        ]
        return try storefront.shopperPage(site, db: db, template: "pay", title: "Payment", assigns: assigns, status: status)
    }
}

/// What the pay page found.
enum PaymentPageState {
    /// Paid (or being processed): the order status page says so.
    case done
    case cancelled(PaymentPageOrder)
    /// Not a card order, or the store's Stripe account cannot take charges now.
    case unavailable(PaymentPageOrder)
    /// Show the card form: the client secret and publishable key for Stripe.js, and why the
    /// last attempt failed, if it did.
    case ready(PaymentPageOrder, String, String, String?)
}

struct PaymentPageOrder {
    let number: Int64
    let totalMinor: Int64
    let currency: String
    let email: String
}

enum PaymentPageText {
    /// `[A-Za-z0-9_-]`, the alphabet of `orders.public_token`.
    static func isTokenByte(_ c: UInt8) -> Bool {
        (c >= 0x30 && c <= 0x39) || (c >= 0x41 && c <= 0x5A) || (c >= 0x61 && c <= 0x7A) || c == 0x2D || c == 0x5F
    }
}
