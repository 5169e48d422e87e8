import HTTP
import Liquid
import Registry

/// `/invite/:token`: what an invitation link shows. A signed-in person whose email is the
/// invited one accepts it with one button; an anonymous visitor is sent to sign up or log in
/// and brought back here (`next=`); anyone else is told which address the invitation is for.
struct InvitationPage {
    let site: PlatformSite
    let token: String

    var path: String { "/invite/" + FormEncoding.encode(token) }

    func show() throws -> Response {
        let organizations = Organizations(registry: try site.registry())
        guard let invitation = try organizations.invitation(token: token) else {
            return try page(nil, problem: .invitationNotFound)
        }
        switch invitation.state {
        case .revoked: return try page(nil, problem: .invitationNotFound)
        case .expired: return try page(invitation, problem: .invitationExpired)
        case .accepted:
            if let user = try site.session(),
               try organizations.memberships(userId: user.userId).contains(where: { $0.orgId == invitation.orgId }) {
                return site.redirect(to: "/stores", flash: .info("You are already a member of \(invitation.orgName)."))
            }
            return try page(invitation, problem: .invitationUsed)
        case .open:
            if let user = try site.session(), user.userEmail.lowercased() != invitation.email.lowercased() {
                return try page(invitation, problem: .emailMismatch, status: .ok)
            }
            return try page(invitation, problem: nil)
        }
    }

    /// `POST /invite/:token` (CSRF checked by the route): joins the organization.
    func accept() throws -> Response {
        let user = try site.requireUser()
        let organizations = Organizations(registry: try site.registry())
        let orgId: Int64
        do {
            orgId = try organizations.acceptInvitation(token: token, by: site.auditOrigin(userId: user.userId))
        } catch RegistryError.refused(let refusal) {
            return try page(try organizations.invitation(token: token), problem: refusal)
        }
        let membership = try organizations.memberships(userId: user.userId).first { $0.orgId == orgId }
        let firstStore = try organizations.stores(userId: user.userId).first { $0.orgId == orgId }
        let welcome = "Welcome to \(membership?.orgName ?? "the team")! You joined as \(membership?.role.title.lowercased() ?? "a member")."
        if let store = firstStore, store.status == .active || store.status == .suspended {
            return site.redirect(to: "/store/\(store.slug)/admin", flash: .success(welcome))
        }
        return site.redirect(to: "/stores", flash: .success(welcome))
    }

    private func page(_ invitation: InvitationPreview?, problem: OrganizationRefusal?, status: Status? = nil) throws -> Response {
        var assigns: [String: Value] = ["invite_path": .string(path)]
        if let invitation {
            assigns["invitation"] = [
                "org_name": .string(invitation.orgName), "email": .string(invitation.email),
                "role": .string(invitation.role.rawValue), "role_title": .string(invitation.role.title),
                "role_summary": .string(invitation.role.summary), "inviter": .string(invitation.inviterName ?? ""),
                "expires": .string(TeamPage.date(invitation.expiresAt)),
            ]
            assigns["signup_url"] = .string("/signup?next=" + FormEncoding.encode(path) + "&email=" + FormEncoding.encode(invitation.email))
            assigns["login_url"] = .string("/login?next=" + FormEncoding.encode(path))
        }
        if let problem {
            assigns["problem"] = .string(problem.message)
            assigns["email_mismatch"] = .bool(problem == .emailMismatch)
        }
        let title = invitation.map { "Join \($0.orgName)" } ?? "Invitation"
        return try site.page("platform/team/invite", title: title, assigns: assigns,
                             status: status ?? InvitationPage.status(for: problem))
    }

    static func status(for problem: OrganizationRefusal?) -> Status {
        switch problem {
        case nil: return .ok
        case .invitationNotFound?: return .notFound
        case .invitationExpired?, .invitationUsed?: return .gone
        case .emailMismatch?, .notAnOwner?: return .forbidden
        default: return .unprocessableContent
        }
    }
}
