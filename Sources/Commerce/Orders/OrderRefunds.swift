import Postgres

/// What the merchant entered on the refund form.
public struct RefundInput: Sendable {
    /// Units refunded per order item id (may be empty for an amount-only refund).
    public var quantities: [Int64: Int] = [:]
    /// Put the refunded units back in stock (tracked variants; not for a cancelled order, whose
    /// stock came back when it was cancelled).
    public var restock = false
    /// The amount; nil refunds what the chosen units cost (their share of discount and tax included).
    public var amountMinor: Int64?
    public var reason = ""
    /// Everything still refundable: every unit and the whole remaining amount.
    public var full = false

    public init(quantities: [Int64: Int] = [:], restock: Bool = false, amountMinor: Int64? = nil, reason: String = "", full: Bool = false) {
        self.quantities = quantities
        self.restock = restock
        self.amountMinor = amountMinor
        self.reason = reason
        self.full = full
    }
}

public struct RefundResult: Sendable {
    public let refundId: Int64
    public let amountMinor: Int64
    public let financialStatus: String
    public let restockedUnits: Int
    /// The provider's refund id when the money went back through a gateway.
    public let providerReference: String?
}

public enum OrderRefunds {
    /// Methods whose money the merchant pays back by hand: the refund is only recorded.
    public static let manualKinds: Set<String> = ["bank_transfer", "cash_on_delivery"]

    /// Finds the gateway for a payment's provider kind (`stripe`, `bank_transfer`, ...); nil
    /// means a manual method whose refund the merchant pays out by hand and the admin records.
    public typealias GatewayLookup = (_ providerKind: String) throws -> (any RefundGateway)?

    /// Refunds part or all of what was paid, in one transaction with the order row locked.
    ///
    /// When the payment's provider has a gateway (Stripe), the gateway is called first, inside
    /// the transaction, with an idempotency key of the order and its refund count: if it fails,
    /// nothing is recorded and `OrderActionError(.gateway)` carries its message. Then: a
    /// `refunds` row (`succeeded`) with its `refund_items`, the lines' `refunded_quantity`,
    /// restocked units (`inventory_movements` reason `refund_restock`, variants locked in id
    /// order), `orders.refunded_minor`, `financial_status` `partially_refunded` or `refunded`
    /// (the dashboard's sales count the order's total less succeeded refunds), a timeline and an
    /// audit entry. Never more than was paid.
    public static func refund(_ db: Connection, orderId: Int64, _ input: RefundInput, gateway: GatewayLookup,
                              by actor: CatalogActor) throws -> RefundResult {
        let reason = input.reason.orderTrimmed
        if reason.count > 500 { throw OrderActionError(.invalid, "Keep the reason under 500 characters.", field: "reason") }
        return try db.transaction { db in
            guard let order = try db.queryFirst("""
                SELECT status, financial_status, currency, total_minor, refunded_minor, taxes_included,
                       (SELECT count(*) FROM refunds WHERE order_id = o.id)::bigint AS refunds
                FROM orders o WHERE id = \(orderId) FOR UPDATE
                """) else { throw OrderActionError.notFound }
            let financial: String = try order.decode("financial_status")
            let currency: String = try order.decode("currency")
            let total: Int64 = try order.decode("total_minor")
            let refunded: Int64 = try order.decode("refunded_minor")
            let taxesIncluded: Bool = try order.decode("taxes_included")
            let cancelled = try order.decode("status", as: String.self) == "cancelled"
            let payments = try db.query("""
                SELECT id, provider_kind, provider_reference, amount_minor FROM payments
                WHERE order_id = \(orderId) AND status = 'succeeded' ORDER BY succeeded_at DESC NULLS LAST, id DESC
                """)
            let succeeded = try payments.reduce(Int64(0)) { $0 + (try $1.decode("amount_minor", as: Int64.self)) }
            let paid = min(total, OrderMoney.paid(succeededPayments: succeeded, financialStatus: financial, totalMinor: total))
            let refundable = paid - refunded
            if paid == 0 { throw OrderActionError(.notAllowed, "Nothing was paid for this order, so there is nothing to refund.") }
            if refundable <= 0 { throw OrderActionError(.notAllowed, "This order has already been refunded in full.") }

            // The lines and what each chosen unit is worth.
            var chosen: [(id: Int64, variantId: Int64?, title: String, quantity: Int)] = []
            var computed: Int64 = 0
            for item in try db.query("""
                SELECT id, variant_id, title, quantity, refunded_quantity, unit_price_minor, discount_minor, tax_minor
                FROM order_items WHERE order_id = \(orderId) ORDER BY id
                """) {
                let id: Int64 = try item.decode("id")
                let title: String = try item.decode("title")
                let quantity = Int(try item.decode("quantity", as: Int32.self))
                let left = quantity - Int(try item.decode("refunded_quantity", as: Int32.self))
                let wanted = input.full ? left : (input.quantities[id] ?? 0)
                if wanted == 0 { continue }
                if wanted < 0 { throw OrderActionError(.invalid, "Enter a quantity of zero or more for “\(title)”.", field: "qty_\(id)") }
                if wanted > left {
                    throw OrderActionError(.invalid, left == 0 ? "“\(title)” has been refunded already."
                                                               : "Only \(left) of “\(title)” can still be refunded.", field: "qty_\(id)")
                }
                let unit: Int64 = try item.decode("unit_price_minor")
                let line = unit * Int64(quantity) - (try item.decode("discount_minor", as: Int64.self))
                    + (taxesIncluded ? 0 : try item.decode("tax_minor", as: Int64.self))
                computed += (line * Int64(wanted) * 2 + Int64(quantity)) / (Int64(quantity) * 2)
                chosen.append((id, try item.decode("variant_id"), title, wanted))
            }
            let unknown = input.quantities.filter { $0.value != 0 }.keys.filter { key in !chosen.contains { $0.id == key } }
            if !unknown.isEmpty && !input.full { throw OrderActionError(.invalid, "Choose items of this order.", field: "items") }

            let amount = input.full ? refundable : (input.amountMinor ?? min(computed, refundable))
            if amount <= 0 {
                throw OrderActionError(.invalid, "Enter an amount to refund, or choose items.", field: "amount")
            }
            if amount > refundable {
                throw OrderActionError(.invalid, "You can refund at most \(MoneyText.format(refundable, currency: currency)): that is what was paid and not refunded yet.", field: "amount")
            }

            // The money goes back first; if the provider refuses, nothing was written. A card
            // payment without a working gateway is refused rather than recorded as refunded.
            let payment = payments.first
            let paymentId: Int64? = try payment?.decode("id")
            let kind = try payment?.decode("provider_kind", as: String?.self)
            let paymentReference = try payment?.decode("provider_reference", as: String?.self)
            let title = PaymentLedger.providerTitle(kind ?? "")
            let found: (any RefundGateway)?
            do {
                found = try kind.flatMap(gateway)
            } catch {
                throw OrderActionError(.gateway, "Refunds through \(title) are not available right now (\(error)). Nothing was changed.")
            }
            var providerReference: String?
            if let found {
                guard let paymentReference else {
                    throw OrderActionError(.gateway, "The payment has no \(title) reference to refund. Nothing was changed.")
                }
                let key = "sf-order-\(orderId)-refund-\(try order.decode("refunds", as: Int64.self) + 1)-\(refunded)"
                do {
                    providerReference = try found.refund(paymentReference: paymentReference, amountMinor: amount, idempotencyKey: key)
                } catch {
                    throw OrderActionError(.gateway, "\(title) did not refund the payment: \(error). Nothing was changed.")
                }
            } else if let kind, !manualKinds.contains(kind) {
                throw OrderActionError(.gateway, "This order was paid through \(title), which cannot refund from here yet. Nothing was changed.")
            }

            let restock = input.restock && !cancelled
            let refundId: Int64 = try db.queryFirst("""
                INSERT INTO refunds (order_id, payment_id, provider_reference, amount_minor, reason, status, restock)
                VALUES (\(orderId), \(paymentId), \(providerReference), \(amount), \(reason), 'succeeded', \(restock))
                RETURNING id
                """)!.decode("id")
            for line in chosen {
                try db.execute("""
                    INSERT INTO refund_items (refund_id, order_item_id, quantity) VALUES (\(refundId), \(line.id), \(Int32(line.quantity)))
                    """)
                try db.execute("""
                    UPDATE order_items SET refunded_quantity = refunded_quantity + \(Int32(line.quantity)) WHERE id = \(line.id)
                    """)
            }
            var restocked = 0
            if restock {
                var byVariant: [Int64: Int] = [:]
                for line in chosen { if let v = line.variantId { byVariant[v, default: 0] += line.quantity } }
                for variant in byVariant.keys.sorted() {
                    let quantity = Int32(byVariant[variant]!)
                    if try db.queryFirst("""
                        WITH locked AS (SELECT id FROM variants WHERE id = \(variant) AND inventory_tracked FOR UPDATE),
                        moved AS (
                            UPDATE variants v SET inventory_quantity = v.inventory_quantity + \(quantity)
                            FROM locked WHERE v.id = locked.id RETURNING v.id, v.inventory_quantity
                        )
                        INSERT INTO inventory_movements (variant_id, delta, quantity_after, reason, order_id, actor)
                        SELECT id, \(quantity), inventory_quantity, 'refund_restock', \(orderId), \(actor.movementLabel) FROM moved
                        RETURNING id
                        """) != nil { restocked += Int(quantity) }
                }
            }
            let status: String = try db.queryFirst("""
                UPDATE orders SET refunded_minor = refunded_minor + \(amount),
                       financial_status = CASE WHEN refunded_minor + \(amount) >= \(paid) THEN 'refunded' ELSE 'partially_refunded' END,
                       fulfillment_status = CASE
                           WHEN fulfillment_status = 'unfulfilled' THEN 'unfulfilled'
                           WHEN EXISTS (SELECT 1 FROM order_items WHERE order_id = \(orderId)
                                        AND quantity - fulfilled_quantity - refunded_quantity > 0) THEN 'partial'
                           ELSE 'fulfilled' END
                WHERE id = \(orderId)
                RETURNING financial_status
                """)!.decode("financial_status")
            var message = "Refunded \(MoneyText.format(amount, currency: currency))"
            if let providerReference { message += " through \(title) (\(providerReference))" }
            message += reason.isEmpty ? "." : ": \(reason)."
            if restocked > 0 { message += " \(restocked) \(restocked == 1 ? "item" : "items") restocked." }
            try OrderEvents.add(db, orderId: orderId, kind: "refund", message: message,
                                details: try JSON(encoding: ["refund_id": refundId, "amount_minor": amount]), actor: actor.movementLabel)
            try CatalogAudit.record("order.refund", subjectType: "order", subjectId: orderId,
                                    details: ["refund_id": .number(refundId), "amount_minor": .number(amount),
                                              "restocked": .number(Int64(restocked)), "reason": .text(reason)],
                                    by: actor, on: db)
            return RefundResult(refundId: refundId, amountMinor: amount, financialStatus: status,
                                restockedUnits: restocked, providerReference: providerReference)
        }
    }
}
