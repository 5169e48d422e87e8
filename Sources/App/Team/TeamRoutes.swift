import HTTP
import Liquid
import Registry

extension StorefleetApp {
    /// The organization's team (owners only) and invitation links (docs/CONTRACTS.md,
    /// "Platform web": `/org/team...`, `/invite/:token`).
    func addTeamRoutes(to router: inout SiteRouter<PlatformSite>) {
        router.get("/org/team") { request, _, site in
            let page = try TeamPage.open(site, orgField: request.query["org"])
            return try page.show()
        }
        router.post("/org/team/invite") { _, _, site in
            let form = try site.verifiedForm()
            return try TeamPage.open(site, orgField: form["org"]).invite(form)
        }
        router.post("/org/team/:userId/role") { _, parameters, site in
            let form = try site.verifiedForm()
            let page = try TeamPage.open(site, orgField: form["org"])
            return try page.changeRole(of: try TeamPage.id(parameters["userId"]), form)
        }
        router.post("/org/team/:userId/remove") { _, parameters, site in
            let form = try site.verifiedForm()
            let page = try TeamPage.open(site, orgField: form["org"])
            return try page.remove(try TeamPage.id(parameters["userId"]))
        }
        router.post("/org/team/invitations/:id/revoke") { _, parameters, site in
            let form = try site.verifiedForm()
            let page = try TeamPage.open(site, orgField: form["org"])
            return try page.revoke(try TeamPage.id(parameters["id"]))
        }
        router.get("/invite/:token") { _, parameters, site in
            try InvitationPage(site: site, token: parameters["token"] ?? "").show()
        }
        router.post("/invite/:token") { _, parameters, site in
            _ = try site.verifiedForm()
            return try InvitationPage(site: site, token: parameters["token"] ?? "").accept()
        }
    }
}

extension PlatformSite {
    /// The signed-in person as the audit log records them: who, from which address, with what.
    func auditOrigin(userId: Int64) -> AuditOrigin {
        AuditOrigin(userId: userId, ip: request.remoteAddress, userAgent: request.headers["user-agent"])
    }
}
