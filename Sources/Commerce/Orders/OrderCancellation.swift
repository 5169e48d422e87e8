import Postgres

/// Cancels an order and gives its stock back. The checkout's expiry job cancels unpaid orders
/// whose hold ran out through this, and the merchant's "Cancel order" button does too.
public enum OrderCancellation {
    /// The reasons `orders.cancel_reason` accepts.
    public static let reasons: [String] = ["customer", "inventory", "fraud", "declined", "payment_expired", "other"]

    /// Cancels the order in one transaction (a savepoint inside the caller's): the order row is
    /// locked first, so two cancellations (the expiry job and a merchant) cannot both return stock.
    ///
    /// - Sets status `cancelled`, `cancelled_at`, `cancel_reason` and clears the stock hold.
    /// - Puts back each line's units not yet restocked by a refund, for variants that track stock
    ///   (`inventory_movements` reason `order_cancelled`), locking variants in id order.
    /// - Pending payments become `cancelled`; an order with nothing paid becomes `voided`. A paid
    ///   order keeps its financial status: the merchant refunds it afterwards.
    /// - Adds a `cancel` entry to the timeline.
    ///
    /// Returns false, changing nothing, when the order was already cancelled. Throws
    /// `OrderActionError` for an unknown order or reason, or an order with fulfilled items.
    @discardableResult
    public static func cancel(_ db: Connection, orderId: Int64, reason: String, actor: String) throws -> Bool {
        guard reasons.contains(reason) else {
            throw OrderActionError(.invalid, "Choose a reason for cancelling.", field: "reason")
        }
        return try db.transaction { db in
            guard let order = try db.queryFirst("""
                SELECT status, financial_status, fulfillment_status,
                       (SELECT coalesce(sum(fulfilled_quantity), 0)::bigint FROM order_items WHERE order_id = o.id) AS fulfilled
                FROM orders o WHERE id = \(orderId) FOR UPDATE
                """) else { throw OrderActionError.notFound }
            let status: String = try order.decode("status")
            if status == "cancelled" { return false }
            let fulfilled: Int64 = try order.decode("fulfilled")
            if fulfilled > 0 {
                throw OrderActionError(.notAllowed, "Items of this order have been fulfilled, so it can no longer be cancelled. Refund it instead.")
            }
            let returned = try returnStock(db, orderId: orderId, actor: actor)
            let paidNothing = try db.queryFirst("""
                SELECT NOT EXISTS (SELECT 1 FROM payments WHERE order_id = \(orderId) AND status = 'succeeded') AS none
                """)?.decode("none", as: Bool.self) ?? true
            try db.execute("""
                UPDATE payments SET status = 'cancelled'
                WHERE order_id = \(orderId) AND status IN ('pending', 'requires_action')
                """)
            try db.execute("""
                UPDATE orders SET status = 'cancelled', cancelled_at = now(), cancel_reason = \(reason),
                       reserved_until = NULL,
                       financial_status = CASE WHEN \(paidNothing) AND financial_status IN ('pending', 'authorized')
                                               THEN 'voided' ELSE financial_status END
                WHERE id = \(orderId)
                """)
            let units = returned.reduce(0) { $0 + $1.quantity }
            var message = "Order cancelled (\(label(reason)))."
            if units > 0 { message += " \(units) \(units == 1 ? "item" : "items") returned to stock." }
            let details = try JSON(encoding: CancelDetails(reason: reason, restocked: returned))
            try OrderEvents.add(db, orderId: orderId, kind: "cancel", message: message, details: details, actor: actor)
            return true
        }
    }

    /// The reason as the admin shows it.
    public static func label(_ reason: String) -> String {
        switch reason {
        case "customer": return "customer changed or cancelled order"
        case "inventory": return "items unavailable"
        case "fraud": return "fraudulent order"
        case "declined": return "payment declined"
        case "payment_expired": return "payment not received in time"
        default: return "other"
        }
    }

    struct Restocked: Encodable {
        let variant_id: Int64
        let quantity: Int64
    }

    private struct CancelDetails: Encodable {
        let reason: String
        let restocked: [Restocked]
    }

    /// Adds back, per tracked variant, the units its lines hold that no refund restocked already.
    private static func returnStock(_ db: Connection, orderId: Int64, actor: String) throws -> [Restocked] {
        let rows = try db.query("""
            WITH held AS (
                SELECT i.variant_id,
                       sum(i.quantity - coalesce((SELECT sum(ri.quantity) FROM refund_items ri
                                                  JOIN refunds r ON r.id = ri.refund_id
                                                  WHERE ri.order_item_id = i.id AND r.restock AND r.status <> 'failed'), 0))::int AS quantity
                FROM order_items i
                WHERE i.order_id = \(orderId) AND i.variant_id IS NOT NULL
                GROUP BY i.variant_id
            ), locked AS (
                SELECT v.id, v.inventory_quantity, held.quantity
                FROM variants v JOIN held ON held.variant_id = v.id
                WHERE v.inventory_tracked AND held.quantity > 0
                ORDER BY v.id
                FOR UPDATE OF v
            ), moved AS (
                UPDATE variants v SET inventory_quantity = v.inventory_quantity + locked.quantity
                FROM locked WHERE v.id = locked.id
                RETURNING v.id, locked.quantity, v.inventory_quantity AS after
            ), logged AS (
                INSERT INTO inventory_movements (variant_id, delta, quantity_after, reason, order_id, actor)
                SELECT id, quantity, after, 'order_cancelled', \(orderId), \(actor) FROM moved
            )
            SELECT id, quantity::bigint AS quantity FROM moved ORDER BY id
            """)
        return try rows.map { Restocked(variant_id: try $0.decode("id"), quantity: try $0.decode("quantity")) }
    }
}
