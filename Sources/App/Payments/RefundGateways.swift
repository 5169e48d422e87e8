import Commerce
import Postgres
import Registry

extension StorefleetApp {
    /// The gateway that sends a refund back through a payment's provider, or nil for a manual
    /// method (bank transfer, cash), whose refunds the merchant pays out by hand and the admin
    /// records. (Filled in by Stripe payments, issue 7.)
    func refundGateway(forProvider kind: String, store: StoreRoute) throws -> (any RefundGateway)? {
        nil
    }
}
