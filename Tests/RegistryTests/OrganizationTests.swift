import Crypto
import Foundation
import Postgres
import Registry
import Testing
import TestSupport

/// An organization in a scratch registry: an owner, two stores, and people to invite.
private struct TeamFixture {
    let scratch: ScratchRegistry
    let owner: Connection
    let orgs: Organizations
    let orgId: Int64
    let ownerId: Int64
    let storeA: (id: Int64, slug: String)
    let storeB: (id: Int64, slug: String)

    init(_ f: RegistryFixture) throws {
        scratch = try ScratchRegistry(f)
        owner = try scratch.owner()
        orgs = Organizations(registry: try scratch.app())
        ownerId = try TeamFixture.user(owner, "owner")
        orgId = try owner.queryFirst("SELECT storefleet_create_organization('Acme', \(ownerId)) AS id")!.decode("id")
        storeA = try TeamFixture.store(owner, orgId: orgId, prefix: "a")
        storeB = try TeamFixture.store(owner, orgId: orgId, prefix: "b")
    }

    static func user(_ owner: Connection, _ name: String) throws -> Int64 {
        let email = "\(name)-\(RegistryFixture.uniqueSlug("u"))@example.test"
        return try owner.queryFirst("""
            INSERT INTO users (email, name, password_hash) VALUES (\(email), \(name), 'x') RETURNING id
            """)!.decode("id")
    }

    static func store(_ owner: Connection, orgId: Int64, prefix: String) throws -> (id: Int64, slug: String) {
        let slug = RegistryFixture.uniqueSlug(prefix)
        let id: Int64 = try owner.queryFirst("""
            INSERT INTO stores (org_id, slug, name, status) VALUES (\(orgId), \(slug), \(slug.uppercased()), 'active') RETURNING id
            """)!.decode("id")
        return (id, slug)
    }

    func email(_ userId: Int64) throws -> String {
        try owner.queryFirst("SELECT email FROM users WHERE id = \(userId)")!.decode("email")
    }

    /// A new user who joined through an invitation as `role`, limited to `stores`.
    func member(_ name: String, role: MembershipRole, stores: [Int64] = []) throws -> Int64 {
        let id = try TeamFixture.user(owner, name)
        let invitation = try orgs.invite(orgId: orgId, email: try email(id), role: role, storeIds: stores,
                                         by: AuditOrigin(userId: ownerId))
        try orgs.acceptInvitation(token: invitation.token, by: AuditOrigin(userId: id))
        return id
    }

    func drop(_ f: RegistryFixture) { try? scratch.drop(f) }
}

private func refusal(_ body: () throws -> Void) -> OrganizationRefusal? {
    do {
        try body()
        return nil
    } catch RegistryError.refused(let r) {
        return r
    } catch {
        Issue.record("expected a refusal, got \(error)")
        return nil
    }
}

@Suite("Organizations: roles, store limits, invitations")
struct OrganizationTests {
    @Test func rolesAllowWhatTheIssueSays() {
        for p in Permission.allCases { #expect(MembershipRole.owner.allows(p)) }
        #expect(Permission.allCases.filter { MembershipRole.admin.allows($0) }.count == Permission.allCases.count - 3)
        for p in [Permission.staff, .billing, .deleteStore] { #expect(!MembershipRole.admin.allows(p)) }
        #expect(Set(Permission.allCases.filter { MembershipRole.staff.allows($0) })
                == [.catalog, .orders, .customers, .discounts])
    }

    @Test func anInvitedStaffMemberReachesOnlyTheStoresOfTheInvitation() throws {
        try RegistryFixture.run { f in
            let t = try TeamFixture(f)
            defer { t.drop(f) }
            let staffId = try TeamFixture.user(t.owner, "staff")
            let issued = try t.orgs.invite(orgId: t.orgId, email: try t.email(staffId).uppercased(), role: .staff,
                                           storeIds: [t.storeA.id], by: AuditOrigin(userId: t.ownerId, ip: "192.0.2.7", userAgent: "Tests"))
            // A user agent of 600 combining sequences is cut to what the column allows, not refused.
            _ = try t.orgs.invite(orgId: t.orgId, email: "agent@example.test", role: .staff, storeIds: [],
                                  by: AuditOrigin(userId: t.ownerId, userAgent: String(repeating: "e\u{301}", count: 600)))
            #expect(issued.orgName == "Acme")

            let preview = try #require(try t.orgs.invitation(token: issued.token))
            #expect(preview.state == .open && preview.role == .staff && preview.orgName == "Acme")
            #expect(try t.orgs.invitation(token: "not-a-token") == nil)

            // Before accepting: no access; someone else signed in cannot take the invitation.
            #expect(try t.orgs.access(userId: staffId, storeSlug: t.storeA.slug) == nil)
            let stranger = try TeamFixture.user(t.owner, "stranger")
            #expect(refusal { try t.orgs.acceptInvitation(token: issued.token, by: AuditOrigin(userId: stranger)) } == .emailMismatch)

            try t.orgs.acceptInvitation(token: issued.token, by: AuditOrigin(userId: staffId))
            let a = try #require(try t.orgs.access(userId: staffId, storeSlug: t.storeA.slug))
            #expect(a.role == .staff && a.limited && a.storeId == t.storeA.id)
            #expect(try t.orgs.access(userId: staffId, storeSlug: t.storeB.slug) == nil)
            #expect(try t.orgs.stores(userId: staffId).map(\.slug) == [t.storeA.slug])
            #expect(try t.orgs.stores(userId: t.ownerId).count == 2)
            #expect(try t.orgs.access(userId: t.ownerId, storeSlug: t.storeB.slug)?.role == .owner)
            #expect(try t.orgs.access(userId: stranger, storeSlug: t.storeA.slug) == nil)
            #expect(try t.orgs.access(userId: t.ownerId, storeSlug: "no-such-store") == nil)
            #expect(try t.orgs.access(userId: t.ownerId, storeSlug: "Bad Slug'--") == nil)

            // The link works once.
            #expect(refusal { try t.orgs.acceptInvitation(token: issued.token, by: AuditOrigin(userId: staffId)) } == .invitationUsed)

            // Widening to every store, then deleting store A, never widens a limited member.
            try t.orgs.changeRole(orgId: t.orgId, userId: staffId, role: .admin, storeIds: [], by: AuditOrigin(userId: t.ownerId))
            #expect(try t.orgs.stores(userId: staffId).count == 2)
            try t.orgs.changeRole(orgId: t.orgId, userId: staffId, role: .staff, storeIds: [t.storeA.id], by: AuditOrigin(userId: t.ownerId))
            try t.owner.execute("DELETE FROM stores WHERE id = \(t.storeA.id)")
            #expect(try t.orgs.stores(userId: staffId).isEmpty)

            // Who, what, from where.
            let audit = try t.owner.query("""
                SELECT action, user_id, address, user_agent FROM audit_log WHERE org_id = \(t.orgId) ORDER BY id
                """)
            #expect(try audit.map { try $0.decode("action", as: String.self) }
                    == ["team.invite", "team.invite", "team.invitation_accept", "team.role_change", "team.role_change"])
            #expect(try audit[0].decode("address", as: String?.self) == "192.0.2.7")
            #expect(try audit[0].decode("user_agent", as: String?.self) == "Tests")
            #expect(try audit[1].decode("user_agent", as: String?.self)?.unicodeScalars.count == 512)
            #expect(try audit[2].decode("user_id", as: Int64?.self) == staffId)
        }
    }

    @Test func onlyOwnersManageTheTeamAndBadRequestsSaveNothing() throws {
        try RegistryFixture.run { f in
            let t = try TeamFixture(f)
            defer { t.drop(f) }
            let adminId = try t.member("admin", role: .admin)
            let staffId = try t.member("staff", role: .staff, stores: [t.storeB.id])
            let by = AuditOrigin(userId: t.ownerId)

            #expect(refusal { _ = try t.orgs.team(orgId: t.orgId, ownerId: adminId) } == .notAnOwner)
            #expect(refusal { _ = try t.orgs.invite(orgId: t.orgId, email: "x@example.test", role: .staff, storeIds: [],
                                                    by: AuditOrigin(userId: adminId)) } == .notAnOwner)
            #expect(refusal { try t.orgs.removeMember(orgId: t.orgId, userId: staffId, by: AuditOrigin(userId: adminId)) } == .notAnOwner)
            #expect(refusal { try t.orgs.changeRole(orgId: t.orgId, userId: adminId, role: .owner, storeIds: [],
                                                    by: AuditOrigin(userId: staffId)) } == .notAnOwner)

            // Another organization's store, a bad address, a member already in: refused, nothing kept.
            let other = try TeamFixture.user(t.owner, "other")
            let otherOrg: Int64 = try t.owner.queryFirst("SELECT storefleet_create_organization('Other', \(other)) AS id")!.decode("id")
            let foreign = try TeamFixture.store(t.owner, orgId: otherOrg, prefix: "f")
            #expect(refusal { _ = try t.orgs.invite(orgId: t.orgId, email: "new@example.test", role: .staff,
                                                    storeIds: [t.storeA.id, foreign.id], by: by) } == .unknownStore)
            for bad in ["", "no-at-sign", "two@@example.test", "a@b", "spa ce@example.test", "<script>@x.test"] {
                #expect(refusal { _ = try t.orgs.invite(orgId: t.orgId, email: bad, role: .staff, storeIds: [], by: by) } == .invalidEmail)
            }
            #expect(refusal { _ = try t.orgs.invite(orgId: t.orgId, email: try t.email(adminId), role: .staff, storeIds: [], by: by) }
                    == .alreadyMember)
            #expect(refusal { try t.orgs.changeRole(orgId: t.orgId, userId: staffId, role: .staff, storeIds: [foreign.id], by: by) }
                    == .unknownStore)
            let team = try t.orgs.team(orgId: t.orgId, ownerId: t.ownerId)
            #expect(team.invitations.isEmpty)
            #expect(team.members.map(\.role) == [.owner, .admin, .staff])
            #expect(team.members.last?.limitedTo == [t.storeB.id])
            #expect(team.stores.map(\.id).sorted() == [t.storeA.id, t.storeB.id])

            // Inviting the same address again replaces the open invitation.
            let first = try t.orgs.invite(orgId: t.orgId, email: "again@example.test", role: .staff, storeIds: [], by: by)
            let second = try t.orgs.invite(orgId: t.orgId, email: "Again@example.test", role: .admin, storeIds: [t.storeA.id], by: by)
            #expect(try t.orgs.invitation(token: first.token)?.state == .revoked)
            let pending = try t.orgs.team(orgId: t.orgId, ownerId: t.ownerId).invitations
            #expect(pending.map(\.id) == [second.id])
            #expect(pending.first?.limitedTo == [t.storeA.id])
            try t.orgs.revokeInvitation(orgId: t.orgId, invitationId: second.id, by: by)
            #expect(refusal { try t.orgs.acceptInvitation(token: second.token, by: by) } == .invitationNotFound)

            // An expired link is refused.
            let late = try TeamFixture.user(t.owner, "late")
            let old = try t.orgs.invite(orgId: t.orgId, email: try t.email(late), role: .staff, storeIds: [], by: by)
            try t.owner.execute("UPDATE invitations SET expires_at = now() - interval '1 minute' WHERE id = \(old.id)")
            #expect(try t.orgs.invitation(token: old.token)?.state == .expired)
            #expect(refusal { try t.orgs.acceptInvitation(token: old.token, by: AuditOrigin(userId: late)) } == .invitationExpired)
        }
    }

    @Test func anOrganizationAlwaysKeepsAnOwner() throws {
        try RegistryFixture.run { f in
            let t = try TeamFixture(f)
            defer { t.drop(f) }
            let by = AuditOrigin(userId: t.ownerId)
            #expect(refusal { try t.orgs.removeMember(orgId: t.orgId, userId: t.ownerId, by: by) } == .lastOwner)
            #expect(refusal { try t.orgs.changeRole(orgId: t.orgId, userId: t.ownerId, role: .admin, storeIds: [], by: by) } == .lastOwner)
            #expect(refusal { try t.orgs.removeMember(orgId: t.orgId, userId: 999_999_999, by: by) } == .memberNotFound)

            let second = try t.member("second", role: .owner, stores: [t.storeA.id])
            #expect(try t.orgs.stores(userId: second).count == 2)   // owners are never limited
            try t.orgs.changeRole(orgId: t.orgId, userId: t.ownerId, role: .admin, storeIds: [], by: by)
            #expect(refusal { try t.orgs.removeMember(orgId: t.orgId, userId: second, by: by) } == .notAnOwner)
            #expect(refusal { try t.orgs.removeMember(orgId: t.orgId, userId: second, by: AuditOrigin(userId: second)) } == .lastOwner)
            try t.orgs.removeMember(orgId: t.orgId, userId: t.ownerId, by: AuditOrigin(userId: second))
            #expect(try t.orgs.stores(userId: t.ownerId).isEmpty)
            #expect(try t.orgs.memberships(userId: second).map(\.role) == [.owner])
        }
    }

    @Test func anotherOrganizationsTeamIsInvisible() throws {
        try RegistryFixture.run { f in
            let t = try TeamFixture(f)
            defer { t.drop(f) }
            _ = try t.member("limited", role: .staff, stores: [t.storeA.id])
            _ = try t.orgs.invite(orgId: t.orgId, email: "pending@example.test", role: .admin, storeIds: [t.storeB.id],
                                  by: AuditOrigin(userId: t.ownerId))
            let otherOwner = try TeamFixture.user(t.owner, "rival")
            let otherOrg: Int64 = try t.owner.queryFirst("SELECT storefleet_create_organization('Rival', \(otherOwner)) AS id")!.decode("id")
            let app = try t.scratch.app()
            for table in ["invitations", "invitation_stores", "membership_stores", "memberships"] {
                let seen: Int = try OrganizationScope.run(app, orgId: otherOrg, userId: otherOwner) { db in
                    try db.queryFirst("SELECT count(*)::bigint AS n FROM \(unsafeSQL: table) WHERE org_id = \(t.orgId)")!.decode("n")
                }
                #expect(seen == 0, "\(table) of another organization is visible")
                #expect(try app.queryFirst("SELECT count(*)::bigint AS n FROM \(unsafeSQL: table)")!.decode("n", as: Int.self) == 0)
            }
            // The rival owner cannot manage Acme's team by naming its id.
            #expect(refusal { _ = try t.orgs.team(orgId: t.orgId, ownerId: otherOwner) } == .notAnOwner)
            #expect(refusal { _ = try t.orgs.invite(orgId: t.orgId, email: "x@example.test", role: .owner, storeIds: [],
                                                    by: AuditOrigin(userId: otherOwner)) } == .notAnOwner)
        }
    }

    @Test func theStoreLimitHoldsWhoeverCreatesTheStore() throws {
        try RegistryFixture.run { f in
            let t = try TeamFixture(f)
            defer { t.drop(f) }
            #expect(try t.orgs.storeAllowance(orgId: t.orgId) == StoreAllowance(used: 2, limit: 10))
            try t.owner.execute("UPDATE organizations SET store_limit = 3 WHERE id = \(t.orgId)")
            let third = try TeamFixture.store(t.owner, orgId: t.orgId, prefix: "c")
            #expect(try !t.orgs.storeAllowance(orgId: t.orgId).canCreate)
            do {
                _ = try TeamFixture.store(t.owner, orgId: t.orgId, prefix: "d")
                Issue.record("a fourth store was created over the limit")
            } catch {
                #expect(Organizations.isStoreLimitViolation(error))
            }
            // As the application, in the organization's scope, too.
            let app = try t.scratch.app()
            do {
                _ = try OrganizationScope.run(app, orgId: t.orgId) { db in
                    try db.execute("INSERT INTO stores (org_id, slug, name) VALUES (\(t.orgId), \(RegistryFixture.uniqueSlug("e")), 'E')")
                }
                Issue.record("the app created a store over the limit")
            } catch {
                #expect(Organizations.isStoreLimitViolation(error))
            }
            // A deleted store frees its place; bringing it back counts again.
            try t.owner.execute("UPDATE stores SET status = 'deleted' WHERE id = \(third.id)")
            #expect(try t.orgs.storeAllowance(orgId: t.orgId).remaining == 1)
            _ = try TeamFixture.store(t.owner, orgId: t.orgId, prefix: "g")
            #expect(throws: PostgresError.self) { try t.owner.execute("UPDATE stores SET status = 'active' WHERE id = \(third.id)") }
            #expect(try t.orgs.memberships(userId: t.ownerId).first?.storeCount == 3)
        }
    }
}

@Suite("Organizations: invitation brake")
struct InvitationBrakeTests {
    @Test func anOrganizationSendsAtMostFiftyInvitationsADay() throws {
        try RegistryFixture.run { f in
            let t = try TeamFixture(f)
            defer { t.drop(f) }
            try t.owner.execute("""
                INSERT INTO invitations (org_id, email, role, token_hash, expires_at, created_at)
                SELECT \(t.orgId), 'bulk' || n || '@example.test', 'staff', sha256(n::text::bytea), now() + interval '7 days',
                       now() - interval '1 hour'
                FROM generate_series(1, \(Organizations.invitationsPerDay)) n
                """)
            let by = AuditOrigin(userId: t.ownerId)
            #expect(refusal { _ = try t.orgs.invite(orgId: t.orgId, email: "one-more@example.test", role: .staff, storeIds: [], by: by) }
                    == .tooManyInvitations(limit: Organizations.invitationsPerDay))
            try t.owner.execute("UPDATE invitations SET created_at = now() - interval '25 hours' WHERE org_id = \(t.orgId)")
            _ = try t.orgs.invite(orgId: t.orgId, email: "one-more@example.test", role: .staff, storeIds: [], by: by)
        }
    }
}
