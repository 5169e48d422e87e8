import Crypto
import Postgres

extension Sessions {
    /// `find` and `Organizations.stores(userId:)` in one registry round trip, for pages that need
    /// both on every request (the store admin): the live session behind `token` with every store
    /// its user reaches, or nil when the token signs nobody in. Same rules as the two calls: the
    /// session as `find` reads it (stale sessions are touched), the stores by the rules
    /// of `storefleet_member_stores`, through `storefleet_session_stores` (SECURITY DEFINER).
    public static func findWithStores(_ registry: Connection, token: String) throws -> (SessionRecord, [StoreAccess])? {
        guard !token.isEmpty, token.utf8.count <= 128 else { return nil }
        let hash = SHA256Digest.hash(token)
        // One row per store (or one with NULL store columns for a user without stores), from a
        // PL/pgSQL function whose plan each connection keeps (registry migration 0005).
        let rows = try registry.query("""
            SELECT * FROM storefleet_session_stores(\(hash), \(Int32(touchIntervalSeconds)))
            """)
        guard let first = rows.first else { return nil }
        let record = try SessionRecord(first, nameColumn: "user_name")
        var stores: [StoreAccess] = []
        for row in rows where try row.decode("store_id", as: Int64?.self) != nil {
            stores.append(try StoreAccess(row))
        }
        if try first.decode("stale", as: Bool.self) { try touch(registry, sessionId: record.id) }
        return (record, stores)
    }
}
