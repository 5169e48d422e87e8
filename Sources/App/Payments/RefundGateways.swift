import Commerce
import Integrations
import Postgres
import Registry

extension StorefleetApp {
    /// The gateway that sends a refund back through a payment's provider, or nil for a manual
    /// method (bank transfer, cash), whose refunds the merchant pays out by hand and the admin
    /// records. For "stripe": refunds through Stripe's `/v1/refunds` with the PaymentIntent.
    /// Throws when the platform has no Stripe key.
    func refundGateway(forProvider kind: String, store: StoreRoute) throws -> (any RefundGateway)? {
        guard kind == "stripe" else { return nil }
        guard let client = try stripeClient() else { throw StripeError.notConfigured("no platform secret key") }
        return StripeRefundGateway(client: client)
    }
}

/// Refunds a destination charge: the transfer to the store's account is reversed by the same
/// amount and the platform's fee share goes back too, so the store and the platform each give
/// back what they got.
struct StripeRefundGateway: RefundGateway {
    let client: StripeClient

    func refund(paymentReference: String, amountMinor: Int64, idempotencyKey: String) throws -> String {
        try client.createRefund(paymentIntent: paymentReference, amountMinor: amountMinor, reverseTransfer: true,
                                idempotencyKey: idempotencyKey).id
    }
}
