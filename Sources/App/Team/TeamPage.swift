import Foundation
import HTTP
import Liquid
import Registry

/// `/org/team`: an owner's view of the organization's members, their roles and store limits,
/// the invitations still open, and the form to invite someone. Everyone else gets 403.
struct TeamPage {
    let site: PlatformSite
    let session: SessionRecord
    let organizations: Organizations
    /// The organization shown, and the other organizations the user owns (a picker).
    let membership: OrganizationMembership
    let ownedOrganizations: [OrganizationMembership]

    static let forbidden = HTTPError(.forbidden, "Only owners of an organization can manage its team. Ask an owner to change your role.")

    /// The page for the organization named by `orgField` (a form's or the query's `org`), else
    /// the first organization the user owns.
    static func open(_ site: PlatformSite, orgField: String?) throws -> TeamPage {
        let session = try site.requireUser()
        let organizations = Organizations(registry: try site.registry())
        let memberships = try organizations.memberships(userId: session.userId)
        let chosen: OrganizationMembership?
        if let field = orgField, !field.isEmpty {
            chosen = Int64(field).flatMap { id in memberships.first { $0.orgId == id } }
        } else {
            chosen = memberships.first { $0.role == .owner } ?? memberships.first
        }
        guard let chosen, chosen.role == .owner else { throw forbidden }
        return TeamPage(site: site, session: session, organizations: organizations, membership: chosen,
                        ownedOrganizations: memberships.filter { $0.role == .owner })
    }

    static func id(_ text: String?) throws -> Int64 {
        guard let text, let id = Int64(text), id > 0 else { throw HTTPError.notFound }
        return id
    }

    var orgId: Int64 { membership.orgId }
    var origin: AuditOrigin { site.auditOrigin(userId: session.userId) }
    var selfURL: String { "/org/team?org=\(orgId)" }

    // MARK: - Page

    func show(form: FormData? = nil, errors: FormErrors? = nil, inviteStores: [String] = [],
              status: Status? = nil) throws -> Response {
        let team = try load()
        return try site.page("platform/team/index", title: "Team", assigns: assigns(team, inviteStores: inviteStores),
                             form: form, errors: errors, status: status)
    }

    func load() throws -> Team {
        do {
            return try organizations.team(orgId: orgId, ownerId: session.userId)
        } catch RegistryError.refused(.notAnOwner) {
            throw TeamPage.forbidden
        }
    }

    func assigns(_ team: Team, inviteStores: [String]) -> [String: Value] {
        let storeNames = Dictionary(team.stores.map { ($0.id, $0.name) }, uniquingKeysWith: { a, _ in a })
        func limitLabel(_ ids: [Int64]?) -> String {
            guard let ids else { return "All stores" }
            let names = ids.compactMap { storeNames[$0] }
            return names.isEmpty ? "No stores" : names.joined(separator: ", ")
        }
        let owners = team.members.filter { $0.role == .owner }.count
        let members: [Value] = team.members.map { m in
            [
                "id": .int(Int(m.userId)), "name": .string(m.name.isEmpty ? m.email : m.name), "email": .string(m.email),
                "role": .string(m.role.rawValue), "role_title": .string(m.role.title),
                "stores_label": .string(limitLabel(m.limitedTo)),
                "store_ids": .array((m.limitedTo ?? []).map { .string(String($0)) }),
                "limited": .bool(m.limitedTo != nil),
                "is_you": .bool(m.userId == session.userId),
                "is_last_owner": .bool(m.role == .owner && owners == 1),
                "joined": .string(TeamPage.date(m.joinedAt)),
            ]
        }
        let invitations: [Value] = team.invitations.map { i in
            [
                "id": .int(Int(i.id)), "email": .string(i.email), "role": .string(i.role.rawValue),
                "role_title": .string(i.role.title), "store_ids": .array((i.limitedTo ?? []).map { .string(String($0)) }),
                "stores_label": .string(limitLabel(i.limitedTo)),
                "invited_by": .string(i.invitedByName ?? ""), "expires": .string(TeamPage.date(i.expiresAt)),
                "expired": .bool(i.expiresAt <= Date()),
            ]
        }
        let stores: [Value] = team.stores.map { ["id": .string(String($0.id)), "name": .string($0.name), "slug": .string($0.slug)] }
        let roles: [Value] = MembershipRole.allCases.map {
            ["value": .string($0.rawValue), "title": .string($0.title), "summary": .string($0.summary)]
        }
        let owned: [Value] = ownedOrganizations.map { ["id": .int(Int($0.orgId)), "name": .string($0.orgName)] }
        return [
            "org": ["id": .int(Int(orgId)), "name": .string(team.orgName)],
            "owned_orgs": .array(owned),
            "members": .array(members),
            "invitations": .array(invitations),
            "stores": .array(stores),
            "roles": .array(roles),
            "invite_stores": .array(inviteStores.map { .string($0) }),
        ]
    }

    static func date(_ date: Date) -> String {
        let f = DateFormatter()
        f.locale = Locale(identifier: "en_US_POSIX")
        f.timeZone = TimeZone(identifier: "UTC")
        f.dateFormat = "d MMM yyyy"
        return f.string(from: date)
    }

    // MARK: - Actions

    /// `POST /org/team/invite`: `email`, `role`, `stores` (repeated; none = every store).
    func invite(_ form: FormData) throws -> Response {
        var errors = FormErrors()
        let team = try load()
        let rawEmail = (form["email"] ?? "").trimmingWhitespace()
        let email = Organizations.normalizedEmail(rawEmail)
        if rawEmail.isEmpty {
            errors.add("email", "Enter the email address of the person to invite.")
        } else if email == nil {
            errors.add("email", OrganizationRefusal.invalidEmail.message)
        }
        let role = MembershipRole(rawValue: form["role"] ?? "")
        if role == nil { errors.add("role", "Choose owner, admin or staff.") }
        let rawStores = form.all("stores")
        let storeIds = TeamPage.storeIds(rawStores, of: team)
        if storeIds == nil { errors.add("stores", OrganizationRefusal.unknownStore.message) }
        guard errors.isEmpty, let email, let role, let storeIds else {
            return try show(form: form, errors: errors, inviteStores: rawStores)
        }
        let issued: IssuedInvitation
        do {
            // The invitation and its mail commit together: no invitation without its link sent.
            issued = try organizations.registry.transaction { db in
                let issued = try organizations.invite(orgId: orgId, email: email, role: role, storeIds: storeIds, by: origin)
                try InvitationMail(site: site, invitation: issued, inviterName: session.userName).enqueue(on: db)
                return issued
            }
        } catch RegistryError.refused(let refusal) {
            switch refusal {
            case .alreadyMember, .invalidEmail: errors.add("email", refusal.message)
            case .unknownStore: errors.add("stores", refusal.message)
            case .notAnOwner: throw TeamPage.forbidden
            default: errors.add("email", refusal.message)
            }
            return try show(form: form, errors: errors, inviteStores: rawStores)
        }
        return site.redirect(to: selfURL, flash: .success("Invitation sent to \(issued.email). The link works for 7 days."))
    }

    /// `POST /org/team/:userId/role`: `role`, `stores` (repeated; none = every store).
    func changeRole(of userId: Int64, _ form: FormData) throws -> Response {
        let team = try load()
        guard team.members.contains(where: { $0.userId == userId }) else { throw HTTPError.notFound }
        var errors = FormErrors()
        let field = "member_\(userId)"
        let role = MembershipRole(rawValue: form["role"] ?? "")
        let storeIds = TeamPage.storeIds(form.all("stores"), of: team)
        if role == nil {
            errors.add(field, "Choose owner, admin or staff.")
        } else if storeIds == nil {
            errors.add(field, OrganizationRefusal.unknownStore.message)
        }
        guard errors.isEmpty, let role, let storeIds else { return try show(errors: errors) }
        do {
            try organizations.changeRole(orgId: orgId, userId: userId, role: role, storeIds: storeIds, by: origin)
        } catch RegistryError.refused(let refusal) {
            if refusal == .notAnOwner { throw TeamPage.forbidden }
            errors.add(field, refusal.message)
            return try show(errors: errors)
        }
        let name = team.members.first { $0.userId == userId }.map { $0.name.isEmpty ? $0.email : $0.name } ?? "The member"
        if userId == session.userId && role != .owner {
            return site.redirect(to: "/stores", flash: .success("You are now \(role.title.lowercased()) of \(team.orgName)."))
        }
        return site.redirect(to: selfURL, flash: .success("\(name) is now \(role.title.lowercased())."))
    }

    /// `POST /org/team/:userId/remove`.
    func remove(_ userId: Int64) throws -> Response {
        let team = try load()
        guard let member = team.members.first(where: { $0.userId == userId }) else { throw HTTPError.notFound }
        do {
            try organizations.removeMember(orgId: orgId, userId: userId, by: origin)
        } catch RegistryError.refused(let refusal) {
            if refusal == .notAnOwner { throw TeamPage.forbidden }
            var errors = FormErrors()
            errors.add("member_\(userId)", refusal.message)
            return try show(errors: errors)
        }
        if userId == session.userId {
            return site.redirect(to: "/stores", flash: .success("You left \(team.orgName)."))
        }
        let name = member.name.isEmpty ? member.email : member.name
        return site.redirect(to: selfURL, flash: .success("\(name) no longer has access to \(team.orgName)."))
    }

    /// `POST /org/team/invitations/:id/revoke`.
    func revoke(_ invitationId: Int64) throws -> Response {
        do {
            try organizations.revokeInvitation(orgId: orgId, invitationId: invitationId, by: origin)
        } catch RegistryError.refused(let refusal) {
            if refusal == .notAnOwner { throw TeamPage.forbidden }
            return site.redirect(to: selfURL, flash: .error("That invitation was already accepted or withdrawn."))
        }
        return site.redirect(to: selfURL, flash: .success("Invitation withdrawn. Its link no longer works."))
    }

    /// The checked store ids, or nil when one is not a store of this organization.
    static func storeIds(_ raw: [String], of team: Team) -> [Int64]? {
        let known = Set(team.stores.map(\.id))
        var ids: [Int64] = []
        for text in raw {
            guard let id = Int64(text), known.contains(id) else { return nil }
            if !ids.contains(id) { ids.append(id) }
        }
        return ids
    }
}
