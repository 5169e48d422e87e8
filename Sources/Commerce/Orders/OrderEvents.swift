import Postgres

/// An order's timeline (`order_events`): what happened and who did it, oldest first in the admin.
public enum OrderEvents {
    /// Adds one entry. `kind` is one of placed, payment, fulfillment, refund, cancel, email,
    /// comment, note, stock; `actor` is `user:<id>`, `customer:<id>` or `system`.
    public static func add(_ db: Connection, orderId: Int64, kind: String, message: String,
                           details: JSON = JSON(rawText: "{}"), actor: String) throws {
        _ = try db.execute("""
            INSERT INTO order_events (order_id, kind, message, details, actor)
            VALUES (\(orderId), \(kind), \(message), \(details)::jsonb, \(actor))
            """)
    }
}
