import Crypto
import Foundation
import HTTP
import Integrations
import Postgres
import Registry
import TestSupport
@testable import App

/// A store that takes card payments through a connected account, and orders waiting for payment,
/// for the payments tests.
struct PaymentShop {
    let stack: AppStack
    let store: ProvisionedStore
    let db: Connection
    let accountId: String
    let providerId: Int64

    /// `orgId` for admin tests; the account is made in localstripe when `realAccount`, else a
    /// made-up id (the webhook tests never call Stripe).
    init(_ stack: AppStack, prefix: String, orgId: Int64? = nil, realAccount: Bool = false, chargesEnabled: Bool = true) throws {
        self.stack = stack
        store = try orgId.map { try stack.provisionStore(prefix: prefix, orgId: $0) }
            ?? stack.provisionStore(prefix: prefix, name: "Card Shop")
        db = try stack.tenantConnection(store)
        if realAccount {
            let account = try PaymentShop.stripe(stack).createExpressAccount(
                email: nil, country: nil, metadata: [], idempotencyKey: "sf-test-" + UUID().uuidString)
            accountId = account.id
        } else {
            accountId = "acct_test" + String(UUID().uuidString.prefix(12)).replacingOccurrences(of: "-", with: "")
        }
        providerId = try db.queryFirst("""
            INSERT INTO payment_providers (kind, name, enabled, stripe_account_id, charges_enabled, payouts_enabled,
                                           details_submitted)
            VALUES ('stripe', 'Card', true, \(accountId), \(chargesEnabled), \(chargesEnabled), \(chargesEnabled))
            RETURNING id
            """)!.decode("id")
        try stack.ownerConnection().execute("""
            INSERT INTO stripe_accounts (account_id, store_id) VALUES (\(accountId), \(store.storeId))
            """)
    }

    static func stripe(_ stack: AppStack) throws -> StripeClient {
        try StripeClient(baseURL: try stack.stack.value("STOREFLEET_STRIPE_API_BASE"),
                         secretKey: try stack.stack.value("STOREFLEET_STRIPE_SECRET_KEY"))
    }

    /// An open, unpaid card order holding its stock for 15 minutes. Returns (id, public token).
    func pendingOrder(totalMinor: Int64 = 2_500) throws -> (id: Int64, token: String) {
        let token = SecureRandom.token(bytes: 18).replacingOccurrences(of: "+", with: "-").replacingOccurrences(of: "/", with: "_")
            .replacingOccurrences(of: "=", with: "")
        let id: Int64 = try db.queryFirst("""
            INSERT INTO orders (email, currency, subtotal_minor, total_minor, payment_provider_id, payment_method_name,
                                reserved_until, public_token)
            VALUES ('buyer@example.com', 'USD', \(totalMinor), \(totalMinor), \(providerId), 'Card',
                    now() + interval '15 minutes', \(token))
            RETURNING id
            """)!.decode("id")
        return (id, token)
    }

    func order(_ id: Int64) throws -> (status: String, financial: String, paidAt: Date?, reserved: Bool) {
        let row = try db.queryFirst("""
            SELECT status, financial_status, paid_at, reserved_until IS NOT NULL AS reserved FROM orders WHERE id = \(id)
            """)!
        return (try row.decode("status"), try row.decode("financial_status"), try row.decode("paid_at"), try row.decode("reserved"))
    }

    func timeline(_ id: Int64) throws -> [String] {
        try db.query("SELECT message FROM order_events WHERE order_id = \(id) AND kind = 'payment' ORDER BY id").map { try $0.decode("message") }
    }

    func payments(_ id: Int64) throws -> [(reference: String?, status: String, amount: Int64, fee: Int64)] {
        try db.query("""
            SELECT provider_reference, status, amount_minor, application_fee_minor FROM payments WHERE order_id = \(id) ORDER BY id
            """).map { (try $0.decode("provider_reference"), try $0.decode("status"), try $0.decode("amount_minor"),
                        try $0.decode("application_fee_minor")) }
    }

    /// A `payment_intent.succeeded` event for the order, as Stripe would send it.
    func succeededEvent(orderId: Int64, amount: Int64 = 2_500, fee: Int64 = 80, intent: String? = nil,
                        eventId: String? = nil) -> [UInt8] {
        let pi = intent ?? "pi_test" + String(UUID().uuidString.prefix(8))
        let evt = eventId ?? "evt_test" + UUID().uuidString.replacingOccurrences(of: "-", with: "")
        return Array("""
            {"id":"\(evt)","object":"event","type":"payment_intent.succeeded","created":1800000000,
             "data":{"object":{"id":"\(pi)","object":"payment_intent","amount":\(amount),"currency":"usd",
             "status":"succeeded","application_fee_amount":\(fee),"client_secret":"\(pi)_secret_x",
             "transfer_data":{"destination":"\(accountId)"},
             "metadata":{"store_id":"\(store.storeId)","store_slug":"\(store.slug)","order_id":"\(orderId)"}}}}
            """.utf8)
    }
}

extension AppStack {
    var webhookSecret: String { (try? stack.value("STOREFLEET_STRIPE_WEBHOOK_SECRET")) ?? "" }

    /// `POST /webhooks/stripe` on the platform host, signed with `secret` at `timestamp`.
    func webhook(_ handle: (Request) -> Response, _ payload: [UInt8], secret: String? = nil,
                 timestamp: Int64 = Int64(Date().timeIntervalSince1970), signature: String? = nil) throws -> Response {
        let header = signature ?? StripeSignature.header(payload: payload, secret: secret ?? webhookSecret, timestamp: timestamp)
        return handle(try Request(method: .post, uri: "/webhooks/stripe", host: platformDomain,
                                  headers: [("Content-Type", "application/json"), ("Stripe-Signature", header)],
                                  body: payload))
    }
}
