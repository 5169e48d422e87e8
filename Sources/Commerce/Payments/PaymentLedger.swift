import Postgres

/// Why the ledger refused to record a payment.
public enum PaymentLedgerError: Error, Equatable, Sendable, CustomStringConvertible {
    /// No order has this id.
    case orderNotFound(Int64)
    /// The amount is not positive.
    case invalidAmount(Int64)

    public var description: String {
        switch self {
        case .orderNotFound(let id): return "payments: order \(id) does not exist"
        case .invalidAmount(let amount): return "payments: amount \(amount) is not positive"
        }
    }
}

/// The one way an order becomes paid (docs/CONTRACTS.md, "Payments"): the Stripe webhook and
/// the merchant's "Mark as paid" both come through here.
public enum PaymentLedger {
    /// Records a succeeded payment of `amountMinor` for the order and marks the order paid.
    ///
    /// In one transaction (a savepoint inside the caller's): the order row is locked; the
    /// `payments` row is found by `reference` (or the order's pending row of that kind) and set to
    /// succeeded, or inserted; the order gets `financial_status = 'paid'`, `paid_at`, no stock
    /// hold any more (`reserved_until` cleared), and a timeline entry.
    ///
    /// Returns false, changing nothing, when that payment was already recorded as succeeded or
    /// the order is no longer waiting for payment (already paid, refunded, voided) — so a
    /// replayed webhook or a second click is harmless. A **cancelled** order (e.g. the expiry job
    /// gave its stock back before a late webhook arrived) is not revived: the payment is recorded
    /// as succeeded, the order stays cancelled and unpaid, a timeline entry says the money must
    /// be refunded, and the result is false.
    @discardableResult
    public static func markPaid(_ db: Connection, orderId: Int64, providerKind: String, providerId: Int64?,
                                reference: String?, amountMinor: Int64, applicationFeeMinor: Int64,
                                actor: String) throws -> Bool {
        guard amountMinor > 0 else { throw PaymentLedgerError.invalidAmount(amountMinor) }
        return try db.transaction { db in
            guard let order = try db.queryFirst("""
                SELECT status, financial_status, currency, total_minor FROM orders WHERE id = \(orderId) FOR UPDATE
                """) else { throw PaymentLedgerError.orderNotFound(orderId) }
            let status: String = try order.decode("status")
            let financial: String = try order.decode("financial_status")
            let currency: String = try order.decode("currency")

            let existing: Row?
            if let reference {
                existing = try db.queryFirst("SELECT id, status FROM payments WHERE provider_reference = \(reference) FOR UPDATE")
            } else {
                existing = try db.queryFirst("""
                    SELECT id, status FROM payments
                    WHERE order_id = \(orderId) AND provider_kind = \(providerKind) AND status <> 'succeeded'
                    ORDER BY created_at DESC, id DESC LIMIT 1 FOR UPDATE
                    """)
            }
            if let existing, try existing.decode("status", as: String.self) == "succeeded" { return false }
            if existing == nil && financial != "pending" { return false }

            let fee = min(max(0, applicationFeeMinor), amountMinor)
            if let existing {
                let paymentId: Int64 = try existing.decode("id")
                try db.execute("""
                    UPDATE payments SET status = 'succeeded', amount_minor = \(amountMinor),
                           application_fee_minor = \(fee), succeeded_at = now(), failure_message = NULL,
                           provider_id = coalesce(provider_id, \(providerId))
                    WHERE id = \(paymentId)
                    """)
            } else {
                try db.execute("""
                    INSERT INTO payments (order_id, provider_id, provider_kind, provider_reference, amount_minor,
                                          currency, application_fee_minor, status, succeeded_at)
                    VALUES (\(orderId), \(providerId), \(providerKind), \(reference), \(amountMinor), \(currency),
                            \(fee), 'succeeded', now())
                    """)
            }

            let amount = MoneyText.format(amountMinor, currency: currency)
            let via = PaymentLedger.providerTitle(providerKind) + (reference.map { " (\($0))" } ?? "")
            let details = JSON(rawText: PaymentLedger.detailsJSON(kind: providerKind, reference: reference,
                                                                  amountMinor: amountMinor, feeMinor: fee))
            if status == "cancelled" {
                try OrderEvents.add(db, orderId: orderId, kind: "payment",
                                    message: "Payment of \(amount) received through \(via) after the order was cancelled. Refund it: the order stays cancelled.",
                                    details: details, actor: actor)
                return false
            }
            guard financial == "pending" else { return false }
            try db.execute("""
                UPDATE orders SET financial_status = 'paid', paid_at = now(), reserved_until = NULL,
                       payment_provider_id = coalesce(payment_provider_id, \(providerId))
                WHERE id = \(orderId)
                """)
            try OrderEvents.add(db, orderId: orderId, kind: "payment",
                                message: "Payment of \(amount) received through \(via).", details: details, actor: actor)
            return true
        }
    }

    /// What the timeline calls a provider.
    public static func providerTitle(_ kind: String) -> String {
        switch kind {
        case "stripe": return "Stripe"
        case "bank_transfer": return "bank transfer"
        case "cash_on_delivery": return "cash on delivery"
        default: return kind
        }
    }

    static func detailsJSON(kind: String, reference: String?, amountMinor: Int64, feeMinor: Int64) -> String {
        var text = "{\"provider\":" + jsonQuoted(kind) + ",\"amount_minor\":\(amountMinor),\"application_fee_minor\":\(feeMinor)"
        if let reference { text += ",\"reference\":" + jsonQuoted(reference) }
        return text + "}"
    }

    static func jsonQuoted(_ s: String) -> String {
        var out = "\""
        for scalar in s.unicodeScalars {
            switch scalar {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case _ where scalar.value < 0x20:
                let hex = Array("0123456789abcdef")
                out += "\\u00" + String(hex[Int(scalar.value >> 4)]) + String(hex[Int(scalar.value & 15)])
            default: out.unicodeScalars.append(scalar)
            }
        }
        return out + "\""
    }
}
