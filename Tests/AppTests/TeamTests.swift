import Crypto
import Foundation
import HTTP
import Postgres
import Registry
import TestSupport
import Testing
@testable import App

/// An owner with two live stores, and helpers to bring people into the team.
private struct TeamScene {
    let stack: AppStack
    let owner: (userId: Int64, orgId: Int64, email: String)
    let storeA: ProvisionedStore
    let storeB: ProvisionedStore
    let ownerClient: WebClient

    init() throws {
        stack = try AppStack()
        owner = try stack.createUser(name: "Olive Owner")
        storeA = try TeamScene.provision(stack, orgId: owner.orgId, prefix: "team-a", name: "Store A")
        storeB = try TeamScene.provision(stack, orgId: owner.orgId, prefix: "team-b", name: "Store B")
        ownerClient = try stack.signedInClient(userId: owner.userId)
    }

    static func provision(_ stack: AppStack, orgId: Int64, prefix: String, name: String) throws -> ProvisionedStore {
        let migrations = try MigrationSet(directory: StackEnvironment.packageRoot() + "/migrations/tenant")
        let provisioner = Provisioner(registry: try stack.ownerConnection(), keyring: try stack.keyring(),
                                      options: ProvisioningOptions(migrations: migrations))
        return try provisioner.provision(ProvisionRequest(slug: AppStack.uniqueSlug(prefix), name: name, orgId: orgId,
                                                          currency: "USD", country: "US", timezone: "UTC", locale: "en"))
    }

    /// A person with an account and no organization of their own (as after signing up from an invitation).
    func person(_ name: String) throws -> (userId: Int64, email: String) {
        let email = "\(name.lowercased())-\(Hex.encode(SecureRandom.bytes(5)))@example.com"
        let id: Int64 = try stack.ownerConnection().queryFirst("""
            INSERT INTO users (email, name, password_hash) VALUES (\(email), \(name), 'x') RETURNING id
            """)!.decode("id")
        return (id, email)
    }

    /// Invites through the team page and returns the link's token, read from the queued mail.
    func invite(_ email: String, role: String, stores: [ProvisionedStore] = []) throws -> String {
        try ownerClient.get("/org/team?org=\(owner.orgId)")
        var fields = [("org", String(owner.orgId)), ("email", email), ("role", role)]
        for s in stores { fields.append(("stores", String(s.storeId))) }
        let response = try ownerClient.post("/org/team/invite", fields)
        #expect(response.status == .seeOther, "invite answered \(response.status.code): \(response.text.prefix(300))")
        let mail = try #require(try lastMail(to: email))
        #expect(mail.subject.contains("Olive Owner invited you"))
        let link = try #require(mail.text.split(separator: "\n").first { $0.contains("/invite/") })
        return String(link.split(separator: "/").last!)
    }

    /// The newest queued `mail.send` to `address`, opened with the keyring.
    func lastMail(to address: String) throws -> OutgoingMail? {
        let rows = try stack.ownerConnection().query("""
            SELECT payload FROM jobs WHERE kind = 'mail.send' AND created_at > now() - interval '5 minutes' ORDER BY id DESC LIMIT 50
            """)
        for row in rows {
            let mail = try MailJob.open(try row.decode("payload", as: JSON.self), keyring: try stack.keyring())
            if mail.to == address { return mail }
        }
        return nil
    }

    /// Someone who joined through the team page as `role`, with a signed-in client.
    func member(_ name: String, role: String, stores: [ProvisionedStore] = []) throws -> (userId: Int64, client: WebClient) {
        let p = try person(name)
        let token = try invite(p.email, role: role, stores: stores)
        let client = try stack.signedInClient(userId: p.userId)
        try client.get("/invite/\(token)")
        let accepted = try client.post("/invite/\(token)", [])
        #expect(accepted.status == .seeOther)
        return (p.userId, client)
    }

    func count(_ sql: Query) throws -> Int {
        try stack.ownerConnection().queryFirst(sql)!.decode(0, as: Int.self)
    }

    func invitationCount() throws -> Int {
        try count("SELECT count(*)::bigint FROM invitations WHERE org_id = \(owner.orgId)")
    }

    func role(of userId: Int64) throws -> String? {
        try stack.ownerConnection().queryFirst("""
            SELECT role::text AS role FROM memberships WHERE org_id = \(owner.orgId) AND user_id = \(userId)
            """)?.decode("role", as: String.self)
    }
}

@Suite("Team: roles, invitations, store limits")
struct TeamTests {
    @Test func aStaffMemberLimitedToOneStoreReachesOnlyItsDashboard() throws {
        let scene = try TeamScene()
        let staff = try scene.person("Sam")
        let token = try scene.invite(staff.email, role: "staff", stores: [scene.storeA])

        // The team page lists the invitation, limited to store A.
        let team = try scene.ownerClient.get("/org/team")
        #expect(team.status == .ok)
        #expect(team.text.contains(staff.email))
        #expect(team.text.contains("Pending"))

        // The invitee sees what they are invited to, accepts, and lands in store A's admin.
        let client = try scene.stack.signedInClient(userId: staff.userId)
        let page = try client.get("/invite/\(token)")
        #expect(page.status == .ok)
        #expect(page.text.contains("Join Olive Owner"))
        #expect(page.text.contains("staff"))
        let accepted = try client.post("/invite/\(token)", [])
        #expect(accepted.status == .seeOther)
        #expect(accepted.headers["Location"] == "/store/\(scene.storeA.slug)/admin")
        #expect(try scene.role(of: staff.userId) == "staff")

        #expect(try client.get("/store/\(scene.storeA.slug)/admin").status == .ok)
        #expect(try client.get("/store/\(scene.storeB.slug)/admin").status == .forbidden)
        let list = try client.get("/stores").text
        #expect(list.contains(scene.storeA.slug) && !list.contains(scene.storeB.slug))
        #expect(try client.get("/store/\(scene.storeA.slug)/admin/settings").status == .forbidden)
        #expect(try client.get("/org/team").status == .forbidden)
        #expect(try client.get("/org/team?org=\(scene.owner.orgId)").status == .forbidden)
        #expect(try client.post("/org/team/invite", [("org", String(scene.owner.orgId)), ("email", "x@example.com"),
                                                      ("role", "owner")]).status == .forbidden)
        // The owner reaches both.
        #expect(try scene.ownerClient.get("/store/\(scene.storeB.slug)/admin").status == .ok)

        // The link is spent.
        #expect(try client.get("/invite/\(token)", follow: true).status == .ok)   // "already a member" → stores
        #expect(try scene.stack.signedInClient(userId: try scene.person("Late").userId).get("/invite/\(token)").status == .gone)

        // Every change was audited with where it came from.
        let actions = try scene.stack.ownerConnection().query("""
            SELECT action FROM audit_log WHERE org_id = \(scene.owner.orgId) AND action LIKE 'team.%' ORDER BY id
            """).map { try $0.decode("action", as: String.self) }
        #expect(actions == ["team.invite", "team.invitation_accept"])
    }

    @Test func adminsCannotManageTheTeam() throws {
        let scene = try TeamScene()
        let admin = try scene.member("Ada", role: "admin")
        #expect(try admin.client.get("/store/\(scene.storeB.slug)/admin/settings").status == .ok)
        #expect(try admin.client.get("/org/team?org=\(scene.owner.orgId)").status == .forbidden)
        try admin.client.get("/stores")
        let before = try scene.invitationCount()
        let response = try admin.client.post("/org/team/invite", [("org", String(scene.owner.orgId)),
                                                                  ("email", "friend@example.com"), ("role", "staff")])
        #expect(response.status == .forbidden)
        #expect(try admin.client.post("/org/team/\(scene.owner.userId)/remove",
                                      [("org", String(scene.owner.orgId))]).status == .forbidden)
        #expect(try scene.invitationCount() == before)
        #expect(try scene.role(of: scene.owner.userId) == "owner")
    }

    @Test func theLastOwnerStaysAndRoleChangesApply() throws {
        let scene = try TeamScene()
        try scene.ownerClient.get("/org/team")
        let removal = try scene.ownerClient.post("/org/team/\(scene.owner.userId)/remove", [("org", String(scene.owner.orgId))])
        #expect(removal.status == .unprocessableContent)
        #expect(removal.text.contains("needs at least one owner"))
        let demotion = try scene.ownerClient.post("/org/team/\(scene.owner.userId)/role",
                                                  [("org", String(scene.owner.orgId)), ("role", "staff")])
        #expect(demotion.status == .unprocessableContent)
        #expect(try scene.role(of: scene.owner.userId) == "owner")

        // A staff member promoted to admin of store B only; then removed.
        let staff = try scene.member("Stan", role: "staff")
        try scene.ownerClient.get("/org/team")
        let change = try scene.ownerClient.post("/org/team/\(staff.userId)/role", [
            ("org", String(scene.owner.orgId)), ("role", "admin"), ("stores", String(scene.storeB.storeId)),
        ])
        #expect(change.status == .seeOther)
        #expect(try scene.role(of: staff.userId) == "admin")
        #expect(try staff.client.get("/store/\(scene.storeA.slug)/admin").status == .forbidden)
        #expect(try staff.client.get("/store/\(scene.storeB.slug)/admin/settings").status == .ok)
        let removed = try scene.ownerClient.post("/org/team/\(staff.userId)/remove", [("org", String(scene.owner.orgId))])
        #expect(removed.status == .seeOther)
        #expect(try scene.role(of: staff.userId) == nil)
        #expect(try staff.client.get("/store/\(scene.storeB.slug)/admin").status == .forbidden)
    }

    @Test func everyTeamFormRefusesAMissingOrWrongCSRFToken() throws {
        let scene = try TeamScene()
        let staff = try scene.member("Cy", role: "staff")
        let token = try scene.invite("pending-\(Hex.encode(SecureRandom.bytes(4)))@example.com", role: "staff")
        let invitationId = try scene.count("SELECT max(id) FROM invitations WHERE org_id = \(scene.owner.orgId)")
        let org = ("org", String(scene.owner.orgId))
        let posts: [(String, [(String, String)])] = [
            ("/org/team/invite", [org, ("email", "csrf@example.com"), ("role", "staff")]),
            ("/org/team/\(staff.userId)/role", [org, ("role", "owner")]),
            ("/org/team/\(staff.userId)/remove", [org]),
            ("/org/team/invitations/\(invitationId)/revoke", [org]),
        ]
        let before = try scene.invitationCount()
        for (path, fields) in posts {
            for bad in ["", "forged-token-of-the-right-length-xx"] {
                let response = try scene.ownerClient.post(path, fields, csrf: bad)
                #expect(response.status == .forbidden, "\(path) with csrf \"\(bad)\"")
            }
        }
        // Accepting an invitation needs the token too.
        let invitee = try scene.person("Dee")
        let joining = try scene.stack.signedInClient(userId: invitee.userId)
        let inviteToken = try scene.invite(invitee.email, role: "staff")
        #expect(try joining.post("/invite/\(inviteToken)", [], csrf: "").status == .forbidden)
        #expect(try scene.role(of: invitee.userId) == nil)

        #expect(try scene.invitationCount() == before + 1)
        #expect(try scene.role(of: staff.userId) == "staff")
        #expect(try scene.count("SELECT count(*)::bigint FROM invitations WHERE id = \(invitationId) AND revoked_at IS NULL") == 1)
        _ = token
    }

    @Test func badInvitationsAreAnsweredWithFieldErrorsAndSaveNothing() throws {
        let scene = try TeamScene()
        let rival = try scene.stack.createUser(name: "Rival")
        let foreign = try TeamScene.provision(scene.stack, orgId: rival.orgId, prefix: "team-f", name: "Foreign")
        try scene.ownerClient.get("/org/team")
        let before = try scene.invitationCount()
        let org = ("org", String(scene.owner.orgId))
        let cases: [([(String, String)], String, String)] = [
            ([org, ("email", "not-an-email"), ("role", "staff")], "invite-email-error", "Enter an email address like"),
            ([org, ("email", ""), ("role", "staff")], "invite-email-error", "Enter the email address"),
            ([org, ("email", "<script>alert(1)</script>@x.com"), ("role", "staff")], "invite-email-error", "Enter an email address like"),
            ([org, ("email", String(repeating: "a", count: 250) + "@example.com"), ("role", "staff")], "invite-email-error", "Enter an email address like"),
            ([org, ("email", "ok@example.com"), ("role", "emperor")], "invite-role-error", "Choose owner, admin or staff."),
            ([org, ("email", "ok@example.com"), ("role", "staff"), ("stores", String(foreign.storeId))], "invite-stores-error", "Pick stores of this organization only."),
            ([org, ("email", "ok@example.com"), ("role", "staff"), ("stores", "abc")], "invite-stores-error", "Pick stores of this organization only."),
            ([org, ("email", scene.owner.email), ("role", "admin")], "invite-email-error", "already a member"),
        ]
        for (fields, errorId, message) in cases {
            let response = try scene.ownerClient.post("/org/team/invite", fields)
            #expect(response.status == .unprocessableContent, "\(fields)")
            let html = response.text
            let at = try #require(html.range(of: "id=\"\(errorId)\">"), "no \(errorId) in the page")
            #expect(html[at.upperBound...].prefix(200).contains(message), "\(errorId) should say \(message)")
            #expect(!html.contains("<script>alert(1)"))
        }
        #expect(try scene.invitationCount() == before)
        // A role change naming another organization's store changes nothing either.
        let staff = try scene.member("Flo", role: "staff")
        try scene.ownerClient.get("/org/team")
        let response = try scene.ownerClient.post("/org/team/\(staff.userId)/role", [
            org, ("role", "admin"), ("stores", String(foreign.storeId)),
        ])
        #expect(response.status == .unprocessableContent)
        #expect(try scene.role(of: staff.userId) == "staff")
    }

    @Test func someoneNewSignsUpFromTheInvitationAndLandsInTheStore() throws {
        let scene = try TeamScene()
        let email = "newcomer-\(Hex.encode(SecureRandom.bytes(5)))@example.com"
        let token = try scene.invite(email, role: "staff", stores: [scene.storeA])
        let browser = WebClient(handler: try scene.stack.handler(), host: scene.stack.platformDomain)
        let invitation = try browser.get("/invite/\(token)").text
        let signUpPath = try #require(invitation.range(of: "href=\"/signup?").map { r in
            "/signup?" + invitation[r.upperBound...].prefix { $0 != "\"" }.replacingOccurrences(of: "&amp;", with: "&")
        })
        let form = try browser.get(signUpPath)
        #expect(form.text.contains(email), "the sign-up form is prefilled with the invited address")
        let next = "/invite/" + token
        let signedUp = try browser.post("/signup", [("name", "Nora Newcomer"), ("email", email),
                                                    ("password", "a long enough passphrase"), ("next", next)])
        #expect(signedUp.status == .seeOther)
        // The verification mail carries the invitation on as `next`; then log in, then accept.
        let verify = try #require(try scene.lastMail(to: email)?.text.split(whereSeparator: \.isWhitespace)
            .first { $0.contains("/verify-email/") }.map { WebClient.pathOf(String($0)) })
        let verified = try browser.get(verify)
        #expect(verified.headers["Location"]?.contains(FormEncoding.encode(next)) == true)
        try browser.get(WebClient.pathOf(verified.headers["Location"] ?? "/login"))
        let loggedIn = try browser.post("/login", [("email", email), ("password", "a long enough passphrase"), ("next", next)])
        #expect(loggedIn.headers["Location"] == next)
        #expect(try browser.get(next).text.contains("Accept and join"))
        let accepted = try browser.post(next, [])
        #expect(accepted.headers["Location"] == "/store/\(scene.storeA.slug)/admin")
        #expect(try browser.get("/store/\(scene.storeA.slug)/admin").status == .ok)
        #expect(try browser.get("/store/\(scene.storeB.slug)/admin").status == .forbidden)
    }

    @Test func anInvitationLinkSendsVisitorsToSignUpOrLogInAndChecksTheAddress() throws {
        let scene = try TeamScene()
        let invitee = try scene.person("Ivy")
        let token = try scene.invite(invitee.email, role: "admin", stores: [scene.storeB])

        let anonymous = WebClient(handler: try scene.stack.handler(), host: scene.stack.platformDomain)
        let page = try anonymous.get("/invite/\(token)")
        #expect(page.status == .ok)
        #expect(page.text.contains("/signup?next=%2Finvite%2F"))
        #expect(page.text.contains("/login?next=%2Finvite%2F"))
        // (The page has no form for them; a forged post with the visitor's own cookie token.)
        let post = try anonymous.post("/invite/\(token)", [], csrf: try #require(anonymous.cookies["sf_csrf"]))
        #expect(post.status == .seeOther)
        #expect(post.headers["Location"]?.hasPrefix("/login?next=") == true)

        // Someone signed in with another address is told so, and cannot accept it.
        let other = try scene.person("Otto")
        let wrong = try scene.stack.signedInClient(userId: other.userId)
        let shown = try wrong.get("/invite/\(token)")
        #expect(shown.text.contains("sent to another email address"))
        #expect(try wrong.post("/invite/\(token)", []).status == .forbidden)
        #expect(try scene.role(of: other.userId) == nil)

        #expect(try anonymous.get("/invite/not-a-real-token").status == .notFound)

        // "Send again" replaces the link: the old one stops working, the new one keeps the role and store.
        let page2 = try scene.ownerClient.get("/org/team").text
        #expect(page2.contains("Send again"))
        let fresh = try scene.invite(invitee.email, role: "admin", stores: [scene.storeB])
        #expect(fresh != token)
        #expect(try anonymous.get("/invite/\(token)").status == .notFound)
        let joining = try scene.stack.signedInClient(userId: invitee.userId)
        try joining.get("/invite/\(fresh)")
        #expect(try joining.post("/invite/\(fresh)", []).headers["Location"] == "/store/\(scene.storeB.slug)/admin")
    }
}
