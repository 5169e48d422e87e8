import Foundation
import HTTP
import Liquid
import Registry

extension StorefleetApp {
    /// The store creation wizard and the set-up page that follows the provisioning job.
    func addWizardRoutes(to router: inout SiteRouter<PlatformSite>) {
        for step in WizardStep.allCases {
            router.get(step.path) { _, _, site in
                try StoreWizard.guarded(site) { try StoreWizard.open(site).show(step) }
            }
            router.post(step.path) { _, _, site in
                try StoreWizard.guarded(site) {
                    var wizard = try StoreWizard.open(site)
                    return try wizard.submit(step)
                }
            }
        }
        router.get("/stores/new/check") { request, _, site in
            _ = try site.requireUser()
            let verdict = try SubdomainCheck.check(request.query["subdomain"] ?? "", registry: try site.registry())
            var response = Response.json("{\"available\":\(verdict.isAvailable),\"subdomain\":\(jsonString(verdict.subdomain)),"
                                         + "\"reason\":\(jsonString(verdict.reason))}")
            response.headers["Cache-Control"] = "no-store"
            return response
        }
        router.get("/stores/new/themes/:theme/preview") { _, parameters, site in
            _ = try site.requireUser()
            let id = parameters["theme"] ?? ""
            guard StarterTheme.isValidID(id),
                  let theme = StarterTheme.load(id: id, directory: site.config.templateDirectory + "/themes/" + id),
                  let file = theme.previewFile, let bytes = FileManager.default.contents(atPath: file) else {
                throw HTTPError.notFound
            }
            var response = Response(status: .ok, headers: ["Content-Type": theme.previewContentType], body: .bytes(Array(bytes)))
            response.headers["Cache-Control"] = "private, max-age=3600"
            response.headers["X-Content-Type-Options"] = "nosniff"
            response.headers["Content-Security-Policy"] = "default-src 'none'; style-src 'unsafe-inline'"
            return response
        }
        router.get("/store/:slug/setup") { _, parameters, site in
            try SetupPage(site: site, slug: parameters["slug"] ?? "").show()
        }
        router.get("/store/:slug/setup/status") { _, parameters, site in
            try SetupPage(site: site, slug: parameters["slug"] ?? "").statusJSON()
        }
        router.post("/store/:slug/setup/retry") { _, parameters, site in
            try SetupPage(site: site, slug: parameters["slug"] ?? "").retry()
        }
    }
}

extension StoreWizard {
    /// Runs a wizard handler; a refusal becomes the page that explains it.
    static func guarded(_ site: PlatformSite, _ body: () throws -> Response) throws -> Response {
        do {
            return try body()
        } catch let refusal as WizardRefusal {
            switch refusal {
            case .emailNotVerified(let email):
                return try site.page("wizard/refused", title: "Verify your email first", assigns: [
                    "reason": "verify",
                    "email": .string(email),
                ], status: .forbidden)
            case .storeLimitReached(let limit):
                return try site.page("wizard/refused", title: "Your organization has all its stores", assigns: [
                    "reason": "limit",
                    "limit": .int(limit),
                ], status: .forbidden)
            case .noOrganization:
                return try site.page("wizard/refused", title: "You can’t create stores here", assigns: [
                    "reason": "role",
                ], status: .forbidden)
            }
        }
    }
}
