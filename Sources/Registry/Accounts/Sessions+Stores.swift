import Crypto
import Postgres

extension Sessions {
    /// `find` and `Organizations.stores(userId:)` in one registry round trip, for pages that need
    /// both on every request (the store admin): the live session behind `token` with every store
    /// its user reaches, or nil when the token signs nobody in. Same rules as the two calls: the
    /// session as `find` reads it (stale sessions are touched), the stores through the
    /// `storefleet_member_stores` function (SECURITY DEFINER, keyed by the session's own user).
    public static func findWithStores(_ registry: Connection, token: String) throws -> (SessionRecord, [StoreAccess])? {
        guard !token.isEmpty, token.utf8.count <= 128 else { return nil }
        let hash = SHA256Digest.hash(token)
        // One row per store (or one with NULL store columns for a user without stores).
        let rows = try registry.query("""
            SELECT s.id, s.user_id, s.csrf_token, s.expires_at, u.name AS user_name, u.email, u.is_platform_admin,
                   u.email_verified_at IS NOT NULL AS email_verified,
                   s.last_seen_at < now() - make_interval(secs => \(touchIntervalSeconds)) AS stale,
                   a.org_id, a.org_name, a.role, a.store_id, a.slug, a.name, a.status, a.limited
            FROM sessions s JOIN users u ON u.id = s.user_id
            LEFT JOIN LATERAL storefleet_member_stores(s.user_id, NULL) a ON true
            WHERE s.token_hash = \(hash) AND s.expires_at > now() AND NOT s.second_factor_pending
            ORDER BY a.org_name, a.org_id, a.name, a.store_id
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
