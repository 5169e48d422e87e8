import Commerce
import Crypto
import Foundation
import Postgres
import Registry

/// The `orders.expire_hold` job: cancels an unpaid card order once its stock hold
/// (`orders.reserved_until`, `store_settings.order_hold_minutes` after placing) has run out,
/// which returns its stock (`OrderCancellation.cancel`, reason `payment_expired`).
///
/// Placing a card order writes an outbox row in the order's transaction, so the job exists
/// exactly when the order does; the relay queues it at once, and a run before the hold ends
/// queues the next look for the moment it does. Each run also cancels any other overdue order of
/// the store (a sweep behind lost jobs). Safe to run twice, early or late: a paid or already
/// cancelled order is left alone.
public enum OrderHoldExpiryJob {
    public static let kind = OrderPlacement.holdExpiryTopic

    public struct RunSummary: Equatable, Sendable {
        public var outcome: OrderHoldExpiry.Outcome
        /// Other overdue orders of the store cancelled by the sweep.
        public var swept: Int
    }

    /// The handler `storefleet jobs` registers. `registry` is the owner connection (it may read
    /// tenant credentials and queue jobs with a run-at time).
    public static func handler(registry: @escaping () throws -> Connection, keyring: @escaping () throws -> Keyring) -> JobHandler {
        { job in
            guard let storeId = job.storeId else { return }
            let registry = try registry()
            let db = try TenantConnector.open(storeId: storeId, registry: registry, keyring: try keyring())
            defer { db.close() }
            _ = try run(job.payload, storeId: storeId, db: db, registry: registry)
        }
    }

    /// One run for the order in `payload` (`{"order_id": N}`).
    public static func run(_ payload: JSON, storeId: Int64, db: Connection, registry: Connection,
                           now: Date = Date()) throws -> RunSummary {
        struct Payload: Decodable { let order_id: Int64 }
        let orderId = try payload.decode(Payload.self).order_id
        let outcome = try OrderHoldExpiry.expire(db, orderId: orderId)
        // One look queued per order for when its hold ends: another run (the relay's, a retry)
        // may have queued it already. A job queued to run before then does not count: it will
        // find the hold running too, and queue nothing once this look exists. The order's
        // advisory lock makes the check and the insert one step.
        if case .notYet(let until) = outcome {
            try registry.transaction { registry in
                _ = try registry.queryFirst("SELECT pg_advisory_xact_lock(hashtext(\(kind + ":\(storeId):\(orderId)")))")
                guard try registry.queryFirst("""
                    SELECT 1 FROM jobs WHERE kind = \(kind) AND store_id = \(storeId) AND status = 'queued'
                      AND payload->>'order_id' = \(String(orderId)) AND run_at >= \(until)
                    """) == nil else { return }
                try JobQueue.enqueue(registry, kind: kind, payload: payload, storeId: storeId,
                                     runAt: max(until, now).addingTimeInterval(1), maxAttempts: 8)
            }
        }
        var swept = 0
        for overdue in try OrderHoldExpiry.due(db) where overdue != orderId {
            if try OrderHoldExpiry.expire(db, orderId: overdue) == .cancelled { swept += 1 }
        }
        return RunSummary(outcome: outcome, swept: swept)
    }
}
