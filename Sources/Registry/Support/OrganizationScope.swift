import Postgres

/// Runs registry work as the application role for one organization: a transaction in which
/// `storefleet.org_id` (and optionally `storefleet.user_id`) is set transaction-locally, so the
/// row-level-security policies show that organization's rows only, and nothing leaks into the
/// next transaction on the same (possibly pooled) connection.
public enum OrganizationScope {
    public static func run<T>(_ registry: Connection, orgId: Int64?, userId: Int64? = nil,
                              _ body: (Connection) throws -> T) throws -> T {
        try registry.transaction { db in
            try db.execute("""
                SELECT set_config('storefleet.org_id', \(orgId.map(String.init) ?? ""), true),
                       set_config('storefleet.user_id', \(userId.map(String.init) ?? ""), true)
                """)
            return try body(db)
        }
    }
}
