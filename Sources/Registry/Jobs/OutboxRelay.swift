import Crypto
import Foundation
import Postgres

/// Moves rows from each store's `outbox` (written by store code in the same transaction as the
/// change) to the registry's job queue. A row is marked dispatched only after its job exists;
/// the job's `(store_id, outbox_id)` key makes a repeated move after a crash enqueue nothing twice.
/// A rolled-back change left no outbox row, so its job never runs.
public struct OutboxRelay {
    public let registry: Connection
    public let keyring: Keyring
    let connections: ConnectionLRU

    /// Store code may `NOTIFY storefleet_outbox, '<store id>'` on the registry after a commit to
    /// have the runner move that store's outbox at once instead of at the next sweep.
    public static let channel = "storefleet_outbox"

    /// That hint, after the commit that wrote store `storeId`'s outbox row.
    public static func hint(_ registry: Connection, storeId: Int64) throws {
        try registry.notify(channel, payload: String(storeId))
    }

    public init(registry: Connection, keyring: Keyring, connectionCapacity: Int = 16) {
        self.registry = registry
        self.keyring = keyring
        self.connections = ConnectionLRU(capacity: connectionCapacity)
    }

    /// Moves one store's pending outbox rows; returns how many.
    @discardableResult
    public func relay(storeId: Int64, batch: Int = 500) throws -> Int {
        let tenant = try connections.connection(key: String(storeId)) {
            try TenantConnector.open(storeId: storeId, registry: registry, keyring: keyring)
        }
        do {
            return try tenant.transaction { db in
                let rows = try db.query("""
                    SELECT id, topic, payload::text AS payload FROM outbox
                    WHERE dispatched_at IS NULL ORDER BY id LIMIT \(batch) FOR UPDATE SKIP LOCKED
                    """)
                if rows.isEmpty { return 0 }
                var ids: [Int] = []
                try registry.transaction { reg in
                    for row in rows {
                        let id: Int = try row.decode("id")
                        ids.append(id)
                        try reg.execute("""
                            INSERT INTO jobs (kind, payload, store_id, outbox_id)
                            VALUES (\(try row.decode("topic", as: String.self)), \(try row.decode("payload", as: String.self))::jsonb,
                                    \(storeId), \(id))
                            ON CONFLICT (store_id, outbox_id) WHERE outbox_id IS NOT NULL DO NOTHING
                            """)
                    }
                }
                try db.execute("UPDATE outbox SET dispatched_at = now() WHERE id = ANY(\(ids))")
                return rows.count
            }
        } catch {
            connections.evict(key: String(storeId))
            throw error
        }
    }

    /// Every live store's outbox; a store that fails is logged and skipped.
    @discardableResult
    public func relayAll(log: (String) -> Void = { _ in }) throws -> Int {
        var moved = 0
        for id in try liveStoreIds() {
            do { moved += try relay(storeId: id) } catch { log("outbox of store \(id): \(error)") }
        }
        return moved
    }

    /// The stores whose outboxes a sweep visits: live ones whose database still exists.
    public func liveStoreIds() throws -> [Int64] {
        try registry.query("""
            SELECT s.id FROM stores s JOIN tenant_databases td ON td.store_id = s.id
            WHERE s.status IN ('active', 'suspended') AND td.status <> 'dropped' ORDER BY s.id
            """).map { try $0.decode("id", as: Int64.self) }
    }
}
