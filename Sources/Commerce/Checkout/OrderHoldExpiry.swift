import Foundation
import Postgres

/// The end of an unpaid card order's stock hold (`orders.reserved_until`, set at placement to
/// `store_settings.order_hold_minutes` ahead). The `orders.expire_hold` job runs this; it is
/// safe to run any number of times, early or late.
public enum OrderHoldExpiry {
    public enum Outcome: Equatable, Sendable {
        /// The hold ran out while the order was unpaid: it was cancelled and its stock returned.
        case cancelled
        /// The hold has not run out yet: look again at this time.
        case notYet(Date)
        /// Paid, cancelled already, or holding nothing: left as it is.
        case untouched
        /// No such order.
        case missing
    }

    /// Cancels the order through `OrderCancellation.cancel` (reason `payment_expired`, which
    /// returns the stock) when it is still open, unpaid and past its hold. The order row is
    /// locked while deciding, so a payment arriving at the same moment either lands first (and
    /// the order is left alone) or waits for the cancellation.
    public static func expire(_ db: Connection, orderId: Int64, actor: String = "system") throws -> Outcome {
        try db.transaction { db in
            guard let row = try db.queryFirst("""
                SELECT status, financial_status, reserved_until, reserved_until <= now() AS due
                FROM orders WHERE id = \(orderId) FOR UPDATE
                """) else { return .missing }
            guard try row.decode("status", as: String.self) == "open",
                  try row.decode("financial_status", as: String.self) == "pending",
                  let until: Date = try row.decode("reserved_until") else { return .untouched }
            guard try row.decode("due", as: Bool.self) else { return .notYet(until) }
            try OrderCancellation.cancel(db, orderId: orderId, reason: "payment_expired", actor: actor)
            return .cancelled
        }
    }

    /// Unpaid orders of this store whose hold ran out (a sweep behind the per-order jobs).
    public static func due(_ db: Connection, limit: Int = 100) throws -> [Int64] {
        try db.query("""
            SELECT id FROM orders
            WHERE financial_status = 'pending' AND status = 'open' AND reserved_until IS NOT NULL
              AND reserved_until <= now()
            ORDER BY reserved_until LIMIT \(limit)
            """).map { try $0.decode("id") }
    }
}
