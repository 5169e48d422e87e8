import Commerce
import Foundation
import HTTP
import Integrations
import Postgres
import Registry

extension StorefleetApp {
    /// Payment provider webhooks on the platform host: `POST /webhooks/stripe` (issue 7).
    ///
    /// No CSRF token here: the request comes from Stripe, and its `Stripe-Signature` is what is
    /// checked — before a byte of the body is parsed. Answers: 400 for a bad or old signature or
    /// a body that is not an event; 200 for everything handled, replayed or ignored (so Stripe
    /// stops retrying); 503 while the platform has no webhook secret or the store's database is
    /// down (Stripe retries later).
    func addPaymentWebhookRoutes(to router: inout SiteRouter<PlatformSite>) {
        router.post("/webhooks/stripe") { [unowned self] request, _, site in
            try stripeWebhook(request, site)
        }
    }

    private func stripeWebhook(_ request: Request, _ site: PlatformSite) throws -> Response {
        let keys = try PlatformStripeKeys.load(registry: try site.registry(), keyring: site.keyring, settings: config.stripe)
        guard !keys.webhookSecrets.isEmpty else {
            logWebhook(request, "no webhook secret configured")
            return webhookAnswer(.serviceUnavailable, "webhooks are not configured")
        }
        do {
            try StripeSignature.verify(header: request.header("Stripe-Signature"), payload: request.body,
                                       secrets: keys.webhookSecrets, now: Int64(Date().timeIntervalSince1970))
        } catch {
            logWebhook(request, "refused: \(error)")
            return webhookAnswer(.badRequest, "signature verification failed")
        }
        let event: StripeEvent
        do {
            event = try StripeEvent(payload: request.body)
        } catch {
            logWebhook(request, "signed body is not an event")
            return webhookAnswer(.badRequest, "not an event")
        }
        switch event.type {
        case "payment_intent.succeeded":
            let intent: StripePaymentIntent
            do { intent = try event.object(as: StripePaymentIntent.self) } catch {
                return webhookAnswer(.badRequest, "event without a payment intent")
            }
            return try paymentSucceeded(event, intent, request, site)
        case "payment_intent.payment_failed":
            let intent: StripePaymentIntent
            do { intent = try event.object(as: StripePaymentIntent.self) } catch {
                return webhookAnswer(.badRequest, "event without a payment intent")
            }
            return try paymentFailed(event, intent, request, site)
        case "account.updated":
            let account: StripeAccount
            do { account = try event.object(as: StripeAccount.self) } catch {
                return webhookAnswer(.badRequest, "event without an account")
            }
            return try accountUpdated(event, account, request, site)
        default:
            logWebhook(request, "ignored \(event.type) \(event.id)")
            return webhookAnswer(.ok, "ignored")
        }
    }

    /// Marks the order paid (PaymentLedger), once per event and once per payment.
    private func paymentSucceeded(_ event: StripeEvent, _ intent: StripePaymentIntent, _ request: Request,
                                  _ site: PlatformSite) throws -> Response {
        guard let slug = intent.metadata["store_slug"], let storeId = intent.metadata["store_id"].flatMap({ Int64($0) }),
              let orderId = intent.metadata["order_id"].flatMap({ Int64($0) }) else {
            logWebhook(request, "ignored \(event.id): payment intent \(intent.id) is not a Storefleet order")
            return webhookAnswer(.ok, "ignored")
        }
        guard let route = try site.directory().resolve(slug: slug), route.storeId == storeId else {
            logWebhook(request, "ignored \(event.id): store \(storeId) (\(slug)) not found")
            return webhookAnswer(.ok, "ignored")
        }
        let outcome: String = try withTenant(route) { db in
            try db.transaction { db in
                guard try PaymentProviders.recordEvent(db, providerKind: "stripe", eventId: event.id, eventType: event.type) else {
                    return "replayed"
                }
                guard try db.queryFirst("SELECT 1 FROM orders WHERE id = \(orderId)") != nil else { return "unknown order" }
                let provider = try PaymentProviders.find(db, kind: "stripe")
                let storedFee: Int64? = try db.queryFirst("""
                    SELECT application_fee_minor FROM payments WHERE provider_reference = \(intent.id)
                    """)?.decode("application_fee_minor")
                let paid = try PaymentLedger.markPaid(db, orderId: orderId, providerKind: "stripe", providerId: provider?.id,
                                                      reference: intent.id, amountMinor: intent.amount,
                                                      applicationFeeMinor: intent.applicationFeeAmount ?? storedFee ?? 0,
                                                      actor: "system")
                return paid ? "paid" : "already recorded"
            }
        }
        logWebhook(request, "\(event.type) \(event.id) for \(slug) order \(orderId): \(outcome)")
        return webhookAnswer(.ok, outcome)
    }

    /// Notes a failed attempt on the order's payment row (the order stays pending: the shopper
    /// may try another card on the same PaymentIntent until the stock hold runs out).
    private func paymentFailed(_ event: StripeEvent, _ intent: StripePaymentIntent, _ request: Request,
                               _ site: PlatformSite) throws -> Response {
        guard let slug = intent.metadata["store_slug"], let storeId = intent.metadata["store_id"].flatMap({ Int64($0) }),
              let route = try site.directory().resolve(slug: slug), route.storeId == storeId else {
            logWebhook(request, "ignored \(event.id): payment intent \(intent.id) is not a Storefleet order")
            return webhookAnswer(.ok, "ignored")
        }
        let message = intent.lastPaymentError?.message ?? "The payment failed."
        let outcome: String = try withTenant(route) { db in
            try db.transaction { db in
                guard try PaymentProviders.recordEvent(db, providerKind: "stripe", eventId: event.id, eventType: event.type) else {
                    return "replayed"
                }
                let changed = try db.execute("""
                    UPDATE payments SET status = 'failed', failure_message = \(message)
                    WHERE provider_reference = \(intent.id) AND status <> 'succeeded'
                    """)
                return changed > 0 ? "failure noted" : "no pending payment"
            }
        }
        logWebhook(request, "\(event.type) \(event.id) for \(slug): \(outcome)")
        return webhookAnswer(.ok, outcome)
    }

    /// Copies the connected account's state onto the store that owns it.
    private func accountUpdated(_ event: StripeEvent, _ account: StripeAccount, _ request: Request,
                                _ site: PlatformSite) throws -> Response {
        guard let row = try site.registry().queryFirst("SELECT store_id, slug FROM storefleet_store_for_stripe_account(\(account.id))"),
              let route = try site.directory().resolve(slug: try row.decode("slug")) else {
            logWebhook(request, "ignored \(event.id): no store owns \(account.id)")
            return webhookAnswer(.ok, "ignored")
        }
        let outcome: String = try withTenant(route) { db in
            try db.transaction { db in
                guard try PaymentProviders.recordEvent(db, providerKind: "stripe", eventId: event.id, eventType: event.type) else {
                    return "replayed"
                }
                let found = try PaymentProviders.updateStripeState(db, accountId: account.id, chargesEnabled: account.chargesEnabled,
                                                                   payoutsEnabled: account.payoutsEnabled,
                                                                   detailsSubmitted: account.detailsSubmitted)
                return found ? "updated" : "no provider"
            }
        }
        logWebhook(request, "\(event.type) \(event.id) for \(route.slug): \(outcome)")
        return webhookAnswer(.ok, outcome)
    }

    private func webhookAnswer(_ status: Status, _ message: String) -> Response {
        var response = Response.json("{\"status\":" + jsonString(message) + "}\n", status: status)
        response.headers["Cache-Control"] = "no-store"
        return response
    }

    /// One JSON line on stderr per delivery (no payload: it may hold customer data).
    private func logWebhook(_ request: Request, _ message: String) {
        StandardError.write("{\"level\":\"info\",\"request_id\":" + jsonString(request.requestId)
            + ",\"webhook\":\"stripe\",\"message\":" + jsonString(message) + "}\n")
    }
}
