import Foundation
import Postgres

/// Taking a discount code's use when an order is placed.
public enum DiscountUsage {
    /// Inside the order's transaction: takes one use of the code and records it in
    /// `discount_uses`. The code's row is locked first (`FOR UPDATE`), so two orders racing
    /// for the last use, or for one customer's last use, are serialised: exactly one wins and
    /// the other gets a `DiscountUsageError` whose `message` is for the shopper.
    public static func take(_ db: Connection, discountId: Int64, orderId: Int64, customerId: Int64?, email: String,
                            amountMinor: Int64) throws {
        try db.transaction { db in
            guard let row = try db.queryFirst("""
                SELECT enabled, per_customer_limit FROM discount_codes WHERE id = \(discountId) FOR UPDATE
                """), try row.decode("enabled", as: Bool.self) else { throw DiscountUsageError.unavailable }
            if let limit = try row.decode("per_customer_limit", as: Int?.self),
               try usesByShopper(db, discountId: discountId, customerId: customerId, email: email) >= limit {
                throw DiscountUsageError.customerLimitReached
            }
            let taken = try db.execute("""
                UPDATE discount_codes SET times_used = times_used + 1
                WHERE id = \(discountId) AND (usage_limit IS NULL OR times_used < usage_limit)
                """)
            if taken == 0 { throw DiscountUsageError.limitReached }
            try db.execute("""
                INSERT INTO discount_uses (discount_code_id, order_id, customer_id, email, amount_minor)
                VALUES (\(discountId), \(orderId), \(customerId), \(email), \(max(0, amountMinor)))
                """)
        }
    }

    /// Past uses by this shopper: by customer id or, for guests and customers alike, by email
    /// (case-insensitive), so a guest cannot reuse a code by not logging in.
    public static func usesByShopper(_ db: Connection, discountId: Int64, customerId: Int64?, email: String?) throws -> Int {
        let email = email?.trimmingCharacters(in: .whitespacesAndNewlines) ?? ""
        if customerId == nil && email.isEmpty { return 0 }
        return try db.queryFirst("""
            SELECT count(*)::int AS n FROM discount_uses
            WHERE discount_code_id = \(discountId)
              AND ((\(customerId)::int8 IS NOT NULL AND customer_id = \(customerId))
                   OR (\(email) <> '' AND lower(email) = lower(\(email))))
            """)?.decode("n") ?? 0
    }
}
