import Postgres

/// The merchant's smaller order actions: mark paid, cancel, staff note, timeline comment. Each is
/// one transaction with a timeline entry (through the ledger or `OrderEvents`) and an audit entry.
public enum OrderAdmin {
    /// Records the payment of a manual method (bank transfer, cash on delivery) for the whole
    /// order total through `PaymentLedger.markPaid`. Refuses a cancelled, already paid or Stripe order.
    public static func markPaid(_ db: Connection, orderId: Int64, by actor: CatalogActor) throws {
        try db.transaction { db in
            guard let order = try db.queryFirst("""
                SELECT o.status, o.financial_status, o.total_minor, o.payment_provider_id, p.kind
                FROM orders o LEFT JOIN payment_providers p ON p.id = o.payment_provider_id
                WHERE o.id = \(orderId) FOR UPDATE OF o
                """) else { throw OrderActionError.notFound }
            if try order.decode("status", as: String.self) == "cancelled" {
                throw OrderActionError(.notAllowed, "This order is cancelled. A cancelled order cannot be marked as paid.")
            }
            let financial: String = try order.decode("financial_status")
            guard financial == "pending" else {
                throw OrderActionError(.notAllowed, "This order is \(financial.replacingOccurrences(of: "_", with: " ")) already: only a pending order can be marked as paid.")
            }
            let kind = try order.decode("kind", as: String?.self) ?? "bank_transfer"
            if kind == "stripe" {
                throw OrderActionError(.notAllowed, "Card payments are confirmed by Stripe: this order becomes paid when the payment goes through.")
            }
            let total: Int64 = try order.decode("total_minor")
            guard total > 0 else { throw OrderActionError(.notAllowed, "This order’s total is zero: there is nothing to mark as paid.") }
            let changed = try PaymentLedger.markPaid(db, orderId: orderId, providerKind: kind,
                                                     providerId: try order.decode("payment_provider_id"), reference: nil,
                                                     amountMinor: total, applicationFeeMinor: 0, actor: actor.movementLabel)
            guard changed else { throw OrderActionError(.notAllowed, "This order was already paid.") }
            try CatalogAudit.record("order.mark_paid", subjectType: "order", subjectId: orderId,
                                    details: ["amount_minor": .number(total), "method": .text(kind)], by: actor, on: db)
        }
    }

    /// The merchant cancels through `OrderCancellation.cancel` (stock back, pending payments
    /// void). A paid order stays paid: the page then offers a refund. False when already cancelled.
    @discardableResult
    public static func cancel(_ db: Connection, orderId: Int64, reason: String, by actor: CatalogActor) throws -> Bool {
        try db.transaction { db in
            guard try OrderCancellation.cancel(db, orderId: orderId, reason: reason, actor: actor.movementLabel) else { return false }
            try CatalogAudit.record("order.cancel", subjectType: "order", subjectId: orderId,
                                    details: ["reason": .text(reason)], by: actor, on: db)
            return true
        }
    }

    public static let maximumNoteLength = 5000

    /// Replaces the staff note (only staff see it).
    public static func setStaffNote(_ db: Connection, orderId: Int64, note raw: String, by actor: CatalogActor) throws {
        let note = raw.orderTrimmed
        if note.count > maximumNoteLength { throw OrderActionError(.invalid, "Keep the note under \(maximumNoteLength) characters.", field: "staff_note") }
        try db.transaction { db in
            guard try db.execute("UPDATE orders SET staff_note = \(note) WHERE id = \(orderId)") == 1 else { throw OrderActionError.notFound }
            try OrderEvents.add(db, orderId: orderId, kind: "note", message: note.isEmpty ? "Staff note removed." : "Staff note updated.",
                                actor: actor.movementLabel)
            try CatalogAudit.record("order.note", subjectType: "order", subjectId: orderId, by: actor, on: db)
        }
    }

    /// Adds a staff comment to the timeline.
    public static func comment(_ db: Connection, orderId: Int64, text raw: String, by actor: CatalogActor) throws {
        let text = raw.orderTrimmed
        if text.isEmpty { throw OrderActionError(.invalid, "Write a comment first.", field: "comment") }
        if text.count > maximumNoteLength { throw OrderActionError(.invalid, "Keep the comment under \(maximumNoteLength) characters.", field: "comment") }
        try db.transaction { db in
            guard try db.queryFirst("SELECT 1 AS one FROM orders WHERE id = \(orderId)") != nil else { throw OrderActionError.notFound }
            try OrderEvents.add(db, orderId: orderId, kind: "comment", message: text,
                                details: try JSON(encoding: ["by": actor.label]), actor: actor.movementLabel)
            try CatalogAudit.record("order.comment", subjectType: "order", subjectId: orderId, by: actor, on: db)
        }
    }
}
