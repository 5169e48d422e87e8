import Crypto
import Foundation
import Postgres

/// A member of an organization as its owners see them on the team page.
public struct TeamMember: Sendable, Equatable {
    public let userId: Int64
    public let name: String
    public let email: String
    public let role: MembershipRole
    /// The stores the membership is limited to; nil means every store of the organization.
    public let limitedTo: [Int64]?
    public let joinedAt: Date
}

/// An invitation nobody has accepted or withdrawn yet.
public struct PendingInvitation: Sendable, Equatable {
    public let id: Int64
    public let email: String
    public let role: MembershipRole
    /// The stores the invitee will reach; nil means every store of the organization.
    public let limitedTo: [Int64]?
    public let invitedByName: String?
    public let createdAt: Date
    public let expiresAt: Date
}

/// A store of the organization, for the store checkboxes of the team page.
public struct OrganizationStore: Sendable, Equatable {
    public let id: Int64
    public let slug: String
    public let name: String
    public let status: StoreStatus
}

/// Everything the team page shows.
public struct Team: Sendable {
    public let orgId: Int64
    public let orgName: String
    public let members: [TeamMember]
    public let invitations: [PendingInvitation]
    public let stores: [OrganizationStore]
}

/// A new invitation: the token goes into the link mailed to `email`, and is never stored.
public struct IssuedInvitation: Sendable {
    public let id: Int64
    public let token: String
    public let orgName: String
    public let email: String
    public let role: MembershipRole
    public let expiresAt: Date
}

extension Organizations {
    /// The team of `orgId`, for one of its owners.
    public func team(orgId: Int64, ownerId: Int64) throws -> Team {
        try OrganizationScope.run(registry, orgId: orgId, userId: ownerId) { db in
            try Organizations.requireOwner(db, orgId: orgId, userId: ownerId)
            let orgName: String = try db.queryFirst("SELECT name FROM organizations WHERE id = \(orgId)")!.decode("name")
            let members = try db.query("""
                SELECT m.user_id, u.name, u.email, m.role::text AS role, m.created_at, m.stores_limited,
                       coalesce(array_agg(ms.store_id ORDER BY ms.store_id) FILTER (WHERE ms.store_id IS NOT NULL),
                                '{}') AS store_ids
                FROM memberships m
                JOIN users u ON u.id = m.user_id
                LEFT JOIN membership_stores ms ON ms.org_id = m.org_id AND ms.user_id = m.user_id
                WHERE m.org_id = \(orgId)
                GROUP BY m.user_id, u.name, u.email, m.role, m.created_at, m.stores_limited
                ORDER BY m.role, lower(u.name), m.user_id
                """).map { row in
                let role: MembershipRole = try row.decode("role")
                let storesLimited: Bool = try row.decode("stores_limited")
                let limited = role != .owner && storesLimited
                return TeamMember(userId: try row.decode("user_id"), name: try row.decode("name"),
                                  email: try row.decode("email"), role: role,
                                  limitedTo: limited ? try row.decode("store_ids", as: [Int64].self) : nil,
                                  joinedAt: try row.decode("created_at"))
            }
            let invitations = try db.query("""
                SELECT i.id, i.email, i.role::text AS role, i.created_at, i.expires_at, i.stores_limited,
                       u.name AS invited_by_name,
                       coalesce(array_agg(s.store_id ORDER BY s.store_id) FILTER (WHERE s.store_id IS NOT NULL),
                                '{}') AS store_ids
                FROM invitations i
                LEFT JOIN users u ON u.id = i.invited_by
                LEFT JOIN invitation_stores s ON s.invitation_id = i.id
                WHERE i.org_id = \(orgId) AND i.accepted_at IS NULL AND i.revoked_at IS NULL
                GROUP BY i.id, u.name
                ORDER BY i.created_at DESC, i.id DESC
                """).map { row in
                PendingInvitation(id: try row.decode("id"), email: try row.decode("email"), role: try row.decode("role"),
                                  limitedTo: try row.decode("stores_limited", as: Bool.self)
                                      ? try row.decode("store_ids", as: [Int64].self) : nil,
                                  invitedByName: try row.decode("invited_by_name"),
                                  createdAt: try row.decode("created_at"), expiresAt: try row.decode("expires_at"))
            }
            return Team(orgId: orgId, orgName: orgName, members: members, invitations: invitations,
                        stores: try Organizations.stores(db, orgId: orgId))
        }
    }

    /// Invites `email` to the organization as `role`, limited to `storeIds` (empty: every store;
    /// ignored for owners). Only an owner may. An open invitation to the same address is replaced.
    /// Returns the token for the mail; only its hash is kept.
    public func invite(orgId: Int64, email rawEmail: String, role: MembershipRole, storeIds: [Int64],
                       by origin: AuditOrigin) throws -> IssuedInvitation {
        guard let email = Organizations.normalizedEmail(rawEmail) else { throw RegistryError.refused(.invalidEmail) }
        let limits = role == .owner ? [] : Array(Set(storeIds)).sorted()
        return try OrganizationScope.run(registry, orgId: orgId, userId: origin.userId) { db in
            try Organizations.requireOwner(db, orgId: orgId, userId: origin.userId)
            try Organizations.requireStores(db, orgId: orgId, storeIds: limits)
            let member = try db.queryFirst("""
                SELECT 1 AS x FROM memberships m JOIN users u ON u.id = m.user_id
                WHERE m.org_id = \(orgId) AND lower(u.email) = lower(\(email))
                """)
            if member != nil { throw RegistryError.refused(.alreadyMember) }
            let sentToday = try db.queryFirst("""
                SELECT count(*)::bigint AS n FROM invitations WHERE org_id = \(orgId) AND created_at > now() - interval '1 day'
                """)?.decode("n", as: Int.self) ?? 0
            if sentToday >= Organizations.invitationsPerDay {
                throw RegistryError.refused(.tooManyInvitations(limit: Organizations.invitationsPerDay))
            }
            // Two owners inviting the same address at once: the second waits here for the
            // first to commit, then replaces its invitation instead of hitting the unique index.
            try db.execute("SELECT pg_advisory_xact_lock(hashtext('storefleet.invite:' || \(orgId)::text || ':' || lower(\(email))))")
            try db.execute("""
                UPDATE invitations SET revoked_at = now()
                WHERE org_id = \(orgId) AND lower(email) = lower(\(email)) AND accepted_at IS NULL AND revoked_at IS NULL
                """)
            let token = SecureRandom.token(bytes: 32)
            let row = try db.queryFirst("""
                INSERT INTO invitations (org_id, email, role, token_hash, invited_by, expires_at, stores_limited)
                VALUES (\(orgId), \(email), \(role.rawValue)::membership_role, \(SHA256Digest.hash(token)), \(origin.userId),
                        now() + make_interval(secs => \(Organizations.invitationLifetimeSeconds)), \(!limits.isEmpty))
                RETURNING id, expires_at, (SELECT name FROM organizations WHERE id = \(orgId)) AS org_name
                """)!
            let id: Int64 = try row.decode("id")
            for storeId in limits {
                try db.execute("INSERT INTO invitation_stores (invitation_id, org_id, store_id) VALUES (\(id), \(orgId), \(storeId))")
            }
            try origin.record(db, action: "team.invite", orgId: orgId, details: [
                "email": email, "role": role.rawValue, "stores": Organizations.storeList(limits),
                "invitation_id": String(id),
            ])
            return IssuedInvitation(id: id, token: token, orgName: try row.decode("org_name"), email: email,
                                    role: role, expiresAt: try row.decode("expires_at"))
        }
    }

    /// Withdraws an open invitation; its link stops working.
    public func revokeInvitation(orgId: Int64, invitationId: Int64, by origin: AuditOrigin) throws {
        try OrganizationScope.run(registry, orgId: orgId, userId: origin.userId) { db in
            try Organizations.requireOwner(db, orgId: orgId, userId: origin.userId)
            let row = try db.queryFirst("""
                UPDATE invitations SET revoked_at = now()
                WHERE id = \(invitationId) AND org_id = \(orgId) AND accepted_at IS NULL AND revoked_at IS NULL
                RETURNING email
                """)
            guard let row else { throw RegistryError.refused(.invitationNotFound) }
            try origin.record(db, action: "team.invitation_revoke", orgId: orgId,
                              details: ["email": try row.decode("email"), "invitation_id": String(invitationId)])
        }
    }

    /// Gives member `userId` the role `role`, limited to `storeIds` (empty: every store; ignored
    /// for owners). Only an owner may; the last owner cannot stop being one.
    public func changeRole(orgId: Int64, userId: Int64, role: MembershipRole, storeIds: [Int64],
                           by origin: AuditOrigin) throws {
        let limits = role == .owner ? [] : Array(Set(storeIds)).sorted()
        try OrganizationScope.run(registry, orgId: orgId, userId: origin.userId) { db in
            let roles = try Organizations.lockMembers(db, orgId: orgId)
            guard roles[origin.userId] == .owner else { throw RegistryError.refused(.notAnOwner) }
            guard let current = roles[userId] else { throw RegistryError.refused(.memberNotFound) }
            if current == .owner, role != .owner, roles.values.filter({ $0 == .owner }).count <= 1 {
                throw RegistryError.refused(.lastOwner)
            }
            try Organizations.requireStores(db, orgId: orgId, storeIds: limits)
            try db.execute("""
                UPDATE memberships SET role = \(role.rawValue)::membership_role, stores_limited = \(!limits.isEmpty)
                WHERE org_id = \(orgId) AND user_id = \(userId)
                """)
            try db.execute("DELETE FROM membership_stores WHERE org_id = \(orgId) AND user_id = \(userId)")
            for storeId in limits {
                try db.execute("INSERT INTO membership_stores (org_id, user_id, store_id) VALUES (\(orgId), \(userId), \(storeId))")
            }
            try origin.record(db, action: "team.role_change", orgId: orgId, details: [
                "member_id": String(userId), "from": current.rawValue, "role": role.rawValue,
                "stores": Organizations.storeList(limits),
            ])
        }
    }

    /// Removes member `userId` from the organization (and its stores). Only an owner may; the
    /// last owner cannot be removed.
    public func removeMember(orgId: Int64, userId: Int64, by origin: AuditOrigin) throws {
        try OrganizationScope.run(registry, orgId: orgId, userId: origin.userId) { db in
            let roles = try Organizations.lockMembers(db, orgId: orgId)
            guard roles[origin.userId] == .owner else { throw RegistryError.refused(.notAnOwner) }
            guard let current = roles[userId] else { throw RegistryError.refused(.memberNotFound) }
            if current == .owner, roles.values.filter({ $0 == .owner }).count <= 1 {
                throw RegistryError.refused(.lastOwner)
            }
            try db.execute("DELETE FROM memberships WHERE org_id = \(orgId) AND user_id = \(userId)")
            try origin.record(db, action: "team.remove", orgId: orgId,
                              details: ["member_id": String(userId), "role": current.rawValue])
        }
    }

    // MARK: - Rules shared by the operations

    /// An address we can send an invitation to, trimmed; nil otherwise. Deliberately plain:
    /// one `@`, a local part, a domain with a dot, no spaces or control characters, ≤ 254 bytes.
    public static func normalizedEmail(_ raw: String) -> String? {
        let email = raw.trimmingCharacters(in: .whitespacesAndNewlines)
        guard email.utf8.count <= 254 else { return nil }
        let parts = email.split(separator: "@", omittingEmptySubsequences: false)
        guard parts.count == 2, !parts[0].isEmpty, parts[0].utf8.count <= 64 else { return nil }
        let domain = parts[1]
        guard domain.contains("."), !domain.hasPrefix("."), !domain.hasSuffix("."), !domain.contains("..") else { return nil }
        let forbidden = CharacterSet.whitespacesAndNewlines.union(.controlCharacters).union(CharacterSet(charactersIn: "<>()[]\\,;:\""))
        guard email.unicodeScalars.allSatisfy({ !forbidden.contains($0) }) else { return nil }
        return email
    }

    static func requireOwner(_ db: Connection, orgId: Int64, userId: Int64) throws {
        let role = try db.queryFirst("""
            SELECT role::text AS role FROM memberships WHERE org_id = \(orgId) AND user_id = \(userId)
            """)?.decode("role", as: MembershipRole.self)
        guard role == .owner else { throw RegistryError.refused(.notAnOwner) }
    }

    /// Every member's role, with the rows locked, so two owners demoting each other at once
    /// cannot leave the organization without one.
    static func lockMembers(_ db: Connection, orgId: Int64) throws -> [Int64: MembershipRole] {
        var roles: [Int64: MembershipRole] = [:]
        for row in try db.query("""
            SELECT user_id, role::text AS role FROM memberships WHERE org_id = \(orgId) ORDER BY user_id FOR UPDATE
            """) {
            roles[try row.decode("user_id")] = try row.decode("role")
        }
        return roles
    }

    static func requireStores(_ db: Connection, orgId: Int64, storeIds: [Int64]) throws {
        guard !storeIds.isEmpty else { return }
        let known = Set(try stores(db, orgId: orgId).map(\.id))
        guard storeIds.allSatisfy(known.contains) else { throw RegistryError.refused(.unknownStore) }
    }

    static func stores(_ db: Connection, orgId: Int64) throws -> [OrganizationStore] {
        try db.query("""
            SELECT id, slug, name, status::text AS status FROM stores
            WHERE org_id = \(orgId) AND status <> 'deleted' ORDER BY lower(name), id
            """).map { row in
            let status: String = try row.decode("status")
            return OrganizationStore(id: try row.decode("id"), slug: try row.decode("slug"), name: try row.decode("name"),
                                     status: StoreStatus(rawValue: status) ?? .failed)
        }
    }

    static func storeList(_ ids: [Int64]) -> String {
        ids.isEmpty ? "all" : ids.map(String.init).joined(separator: ",")
    }
}
