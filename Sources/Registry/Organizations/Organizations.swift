import Foundation
import Postgres

/// A user's organizations and the stores they reach, and the rules of each organization's team:
/// members, roles, store limits and invitations. Connect as the application role: each method
/// runs in `OrganizationScope`, so row-level security applies, except the two narrow lookups
/// that must work before an organization is known (`storefleet_member_stores`,
/// `storefleet_invitation_by_token`).
public struct Organizations {
    public let registry: Connection

    /// How long an invitation link stays valid.
    public static let invitationLifetimeSeconds = 7 * 24 * 3600
    /// How many invitations an organization may send in 24 hours.
    public static let invitationsPerDay = 50

    public init(registry: Connection) {
        self.registry = registry
    }

    /// Every organization `userId` belongs to, with their role and its store count and limit.
    public func memberships(userId: Int64) throws -> [OrganizationMembership] {
        let rows = try OrganizationScope.run(registry, orgId: nil, userId: userId) { db in
            try db.query("""
                SELECT m.org_id, o.name, m.role::text AS role, o.store_limit
                FROM memberships m JOIN organizations o ON o.id = m.org_id
                WHERE m.user_id = \(userId)
                ORDER BY o.name, o.id
                """)
        }
        // Stores are visible one organization at a time.
        return try rows.map { row in
            let orgId: Int64 = try row.decode("org_id")
            let count = try OrganizationScope.run(registry, orgId: orgId, userId: userId) { db in
                try Organizations.liveStoreCount(db, orgId: orgId)
            }
            return OrganizationMembership(orgId: orgId, orgName: try row.decode("name"), role: try row.decode("role"),
                                          storeCount: count, storeLimit: try row.decode("store_limit"))
        }
    }

    /// The stores `userId` reaches, with the role, ordered by organization and store name (the
    /// store switcher and `/stores`). Deleted stores are left out; stores still being set up are in.
    public func stores(userId: Int64) throws -> [StoreAccess] {
        try registry.query("SELECT * FROM storefleet_member_stores(\(userId), NULL)").map(StoreAccess.init)
    }

    /// The store `storeSlug` as `userId` reaches it, or nil when they may not (not a member of its
    /// organization, or limited to other stores, or no such store): the admin answers 403.
    public func access(userId: Int64, storeSlug: String) throws -> StoreAccess? {
        guard Organizations.isPlausibleSlug(storeSlug) else { return nil }
        return try registry.query("SELECT * FROM storefleet_member_stores(\(userId), \(storeSlug))")
            .first.map(StoreAccess.init)
    }

    /// How many stores the organization has and may have.
    public func storeAllowance(orgId: Int64) throws -> StoreAllowance {
        try OrganizationScope.run(registry, orgId: orgId) { db in
            let limit = try db.queryFirst("SELECT store_limit FROM organizations WHERE id = \(orgId)")?
                .decode("store_limit", as: Int.self) ?? 0
            return StoreAllowance(used: try Organizations.liveStoreCount(db, orgId: orgId), limit: limit)
        }
    }

    /// True when `error` is the store-limit trigger refusing a new store (for the wizard).
    public static func isStoreLimitViolation(_ error: any Error) -> Bool {
        (error as? PostgresError)?.constraintName == "organization_store_limit"
    }

    /// Live stores of an organization (inside its scope, or as the owner).
    static func liveStoreCount(_ db: Connection, orgId: Int64) throws -> Int {
        try db.queryFirst("""
            SELECT count(*)::bigint AS n FROM stores WHERE org_id = \(orgId) AND status <> 'deleted'
            """)?.decode("n", as: Int.self) ?? 0
    }
}

extension Organizations {
    /// Cheap shape check before a lookup: anything else cannot be a store's slug.
    static func isPlausibleSlug(_ text: String) -> Bool {
        !text.isEmpty && text.utf8.count <= 63 && text.utf8.allSatisfy { ($0 >= 97 && $0 <= 122) || ($0 >= 48 && $0 <= 57) || $0 == 45 }
    }
}
