import Crypto
import Foundation
import Postgres

/// What an invitation link shows to whoever opens it (they hold the token that was mailed).
public struct InvitationPreview: Sendable, Equatable {
    public enum State: String, Sendable { case open, expired, accepted, revoked }

    public let id: Int64
    public let orgId: Int64
    public let orgName: String
    public let email: String
    public let role: MembershipRole
    public let inviterName: String?
    public let expiresAt: Date
    public let state: State
}

extension Organizations {
    /// The invitation behind a link's token, or nil for a token nobody issued.
    public func invitation(token: String) throws -> InvitationPreview? {
        guard Organizations.isPlausibleToken(token) else { return nil }
        guard let row = try registry.queryFirst("""
            SELECT *, expires_at <= now() AS expired FROM storefleet_invitation_by_token(\(SHA256Digest.hash(token)))
            """) else { return nil }
        let state: InvitationPreview.State
        if !row.isNull("accepted_at") {
            state = .accepted
        } else if !row.isNull("revoked_at") {
            state = .revoked
        } else if try row.decode("expired", as: Bool.self) {
            state = .expired
        } else {
            state = .open
        }
        return InvitationPreview(id: try row.decode("id"), orgId: try row.decode("org_id"),
                                 orgName: try row.decode("org_name"), email: try row.decode("email"),
                                 role: try row.decode("role"), inviterName: try row.decode("inviter_name"),
                                 expiresAt: try row.decode("expires_at"), state: state)
    }

    /// Makes the signed-in user `origin.userId` a member as the invitation says. The token proves
    /// the invitee reads mail at the invited address; the account must carry that same address,
    /// so a forwarded link does not let someone else in. A user who already belongs to the
    /// organization keeps their role. Returns the organization's id.
    @discardableResult
    public func acceptInvitation(token: String, by origin: AuditOrigin) throws -> Int64 {
        guard let invitation = try invitation(token: token) else { throw RegistryError.refused(.invitationNotFound) }
        switch invitation.state {
        case .open: break
        case .expired: throw RegistryError.refused(.invitationExpired)
        case .accepted: throw RegistryError.refused(.invitationUsed)
        case .revoked: throw RegistryError.refused(.invitationNotFound)
        }
        let email = try registry.queryFirst("SELECT email FROM users WHERE id = \(origin.userId)")?
            .decode("email", as: String.self)
        guard let email, email.lowercased() == invitation.email.lowercased() else {
            throw RegistryError.refused(.emailMismatch)
        }
        let orgId = invitation.orgId
        try OrganizationScope.run(registry, orgId: orgId, userId: origin.userId) { db in
            // Only one acceptance wins, and only while the invitation is still open.
            guard let claimed = try db.queryFirst("""
                UPDATE invitations SET accepted_at = now(), accepted_by = \(origin.userId)
                WHERE id = \(invitation.id) AND accepted_at IS NULL AND revoked_at IS NULL AND expires_at > now()
                RETURNING role::text AS role, stores_limited
                """) else { throw RegistryError.refused(.invitationUsed) }
            let role: MembershipRole = try claimed.decode("role")
            let storesLimited: Bool = try claimed.decode("stores_limited")
            let limited = role != .owner && storesLimited
            let joined = try db.execute("""
                INSERT INTO memberships (org_id, user_id, role, stores_limited)
                VALUES (\(orgId), \(origin.userId), \(role.rawValue)::membership_role, \(limited))
                ON CONFLICT (org_id, user_id) DO NOTHING
                """)
            if joined == 1, limited {
                try db.execute("""
                    INSERT INTO membership_stores (org_id, user_id, store_id)
                    SELECT org_id, \(origin.userId), store_id FROM invitation_stores WHERE invitation_id = \(invitation.id)
                    """)
            }
            try origin.record(db, action: "team.invitation_accept", orgId: orgId, details: [
                "invitation_id": String(invitation.id), "email": invitation.email, "role": role.rawValue,
                "joined": joined == 1 ? "true" : "false",
            ])
        }
        return orgId
    }

    static func isPlausibleToken(_ token: String) -> Bool {
        !token.isEmpty && token.utf8.count <= 128
    }
}
