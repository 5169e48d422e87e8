import HTTP
import Liquid

/// The merchant-facing pages of the platform host (account, wizard, team, store admin), from
/// `templates/`: a page `platform/account/login` is `templates/platform/account/login.liquid`.
/// Parsed on first use and kept for the life of the worker (re-read each request in
/// development mode). Autoescape is on: every `{{ }}` is HTML-escaped.
final class WebPages {
    private let root: String
    private let reload: Bool
    private var folder: TemplateFolder
    private var environment: Environment
    let options = RenderOptions(assetBaseURL: "/assets/admin/")

    /// The layout of public and account pages (sign-up, log-in, wizard, account).
    static let appLayout = "platform/app"
    /// The store admin's shell: navigation and store switcher.
    static let adminLayout = "admin/layout"

    init(templateDirectory: String, developmentMode: Bool) {
        root = templateDirectory
        reload = developmentMode
        (folder, environment) = WebPages.load(root)
    }

    private static func load(_ root: String) -> (TemplateFolder, Environment) {
        let folder = TemplateFolder(root: root) { [$0 + ".liquid"] }
        return (folder, Environment(autoescape: true, loader: folder))
    }

    /// Renders `name` inside `layout` with `data`.
    func render(_ name: String, layout: String, data: [String: Value]) throws -> String {
        if reload { (folder, environment) = WebPages.load(root) }
        let template = try folder.require(name, environment: environment)
        return try template.render(data, options: options, defaultLayout: layout)
    }
}

extension PlatformSite {
    /// A page in the public/account layout (`templates/platform/app.liquid`).
    func page(_ name: String, title: String, assigns: [String: Value] = [:], form: FormData? = nil,
              errors: FormErrors? = nil, status: Status? = nil) throws -> Response {
        try render(name, layout: WebPages.appLayout, title: title, assigns: assigns, form: form, errors: errors, status: status)
    }

    /// A page in the store admin's shell (`templates/admin/layout.liquid`).
    func adminPage(_ name: String, title: String, assigns: [String: Value] = [:], form: FormData? = nil,
                   errors: FormErrors? = nil, status: Status? = nil) throws -> Response {
        try render(name, layout: WebPages.adminLayout, title: title, assigns: assigns, form: form, errors: errors, status: status)
    }

    /// Renders with the assigns every merchant page gets (see docs/CONTRACTS.md, "Platform web"):
    /// `csrf_token`, `current_user`, `flash`, `page_title`, `platform_url`, `request_path`,
    /// `form`, `errors`. A page with errors answers 422 unless `status` says otherwise.
    func render(_ name: String, layout: String, title: String, assigns: [String: Value], form: FormData?,
                errors: FormErrors?, status: Status?) throws -> Response {
        var data = assigns
        data["page_title"] = .string(title + " — Storefleet")
        data["heading"] = data["heading"] ?? .string(title)
        data["csrf_token"] = .string(try csrfToken())
        data["platform_url"] = .string(links.platformURL)
        data["platform_domain"] = .string(links.platformDomain)
        data["request_path"] = .string(request.path)
        if let user = try session() {
            data["current_user"] = ["id": .int(Int(user.userId)), "name": .string(user.userName),
                                    "email": .string(user.userEmail), "email_verified": .bool(user.emailVerified)]
        }
        if let flash = takeFlash() { data["flash"] = flash.liquidValue }
        if let form { data["form"] = formValues(form) } else if data["form"] == nil { data["form"] = .dictionary([:]) }
        data["errors"] = errors?.liquidValue ?? data["errors"] ?? .dictionary([:])
        let html = try app.webPages.render(name, layout: layout, data: data)
        let hasErrors = !(errors?.isEmpty ?? true)
        var response = Response.html(html, status: status ?? (hasErrors ? .unprocessableContent : .ok))
        WebPages.addPrivateHeaders(&response)
        return response
    }
}

extension WebPages {
    /// Merchant pages are private: never cached, never framed, no referrer with tokens in it.
    static func addPrivateHeaders(_ response: inout Response) {
        response.headers["Cache-Control"] = "no-store"
        response.headers["X-Frame-Options"] = "DENY"
        response.headers["X-Content-Type-Options"] = "nosniff"
        response.headers["Referrer-Policy"] = "same-origin"
    }
}
