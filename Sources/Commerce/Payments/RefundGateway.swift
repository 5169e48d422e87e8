/// Sends money back through the provider that took it (docs/CONTRACTS.md, "Orders and payments").
public protocol RefundGateway {
    /// Refunds `amountMinor` of the payment the provider knows as `paymentReference` (e.g. a
    /// PaymentIntent id). The same `idempotencyKey` never refunds twice. Returns the provider's
    /// refund id; throws when the provider refused or could not be reached (nothing was refunded).
    func refund(paymentReference: String, amountMinor: Int64, idempotencyKey: String) throws -> String
}
