import HTTP
import Liquid
import Postgres
import Registry

/// The store admin on the platform host: `/store/<slug>/admin/...` (docs/CONTRACTS.md,
/// "Platform web"). Every route resolves the store and the signed-in user's role first
/// (`AdminAccess`): no access is 403, a role without the area is 403.
extension StorefleetApp {
    func addAdminRoutes(to router: inout SiteRouter<PlatformSite>) {
        // Per-process dashboard figures, keyed by each store's reports version and date.
        let dashboards = DashboardCache()
        router.get("/store/:slug/admin") { [unowned self] _, parameters, site in
            let context = try AdminAccess.context(site, slug: parameters["slug"] ?? "")
            return try dashboard(site, context, cache: dashboards)
        }
        router.get("/store/:slug/admin/settings") { [unowned self] _, parameters, site in
            let context = try AdminAccess.context(site, slug: parameters["slug"] ?? "")
            try context.require(.settings)
            return try settingsPage(site, context)
        }
        router.post("/store/:slug/admin/settings") { [unowned self] _, parameters, site in
            let form = try site.verifiedForm()
            let context = try AdminAccess.context(site, slug: parameters["slug"] ?? "")
            try context.require(.settings)
            return try saveSettings(site, context, form: form)
        }
        router.get("/store/:slug/admin/audit") { [unowned self] request, parameters, site in
            let context = try AdminAccess.context(site, slug: parameters["slug"] ?? "")
            try context.require(.audit)
            return try auditPage(site, context, before: request.query["before"].flatMap { Int64($0) })
        }
        // Areas a later issue fills: the page says what will be there. Every other area's
        // routes come from its own file (docs/CONTRACTS.md: PlatformAreas.swift).
        for area in AdminArea.placeholderAreas {
            router.get("/store/:slug/admin/" + area.rawValue) { _, parameters, site in
                let context = try AdminAccess.context(site, slug: parameters["slug"] ?? "")
                try context.require(area)
                return try AdminPages.render(site, context, area: area, page: "admin/placeholder",
                                             title: area.title, assigns: AdminPages.placeholder(area, context, site))
            }
        }
    }
}

extension AdminArea {
    /// Areas with nothing to show yet (custom domains come with their own issue).
    static let placeholderAreas: [AdminArea] = [.domains]
}

/// Rendering inside the admin shell (`templates/admin/layout.liquid`).
enum AdminPages {
    /// An admin page: the shell's assigns (store, switcher, navigation) plus the page's own.
    static func render(_ site: PlatformSite, _ context: AdminContext, area: AdminArea, page: String, title: String,
                       assigns: [String: Value] = [:], form: FormData? = nil, errors: FormErrors? = nil,
                       status: Status? = nil) throws -> Response {
        var data = assigns
        if data["heading"] == nil { data["heading"] = .string(title) }
        for (key, value) in shell(site, context, area: area) where data[key] == nil { data[key] = value }
        return try site.adminPage(page, title: title + " · " + context.store.name, assigns: data,
                                  form: form, errors: errors, status: status)
    }

    /// What the layout needs: the store, the stores to switch to, the navigation.
    static func shell(_ site: PlatformSite, _ context: AdminContext, area: AdminArea) -> [String: Value] {
        let nav: [Value] = AdminArea.allCases.filter(context.allows).map { item in
            ["key": .string(item.rawValue), "title": .string(item.title),
             "url": .string(context.adminURL + item.path), "current": .bool(item == area)]
        }
        let switcher: [Value] = context.stores.map { store in
            let live = store.status == "active" || store.status == "suspended"
            return ["name": .string(store.name), "slug": .string(store.slug),
                    "url": .string(live ? "/store/\(store.slug)/admin" : "/store/\(store.slug)/setup"),
                    "current": .bool(store.slug == context.store.slug), "status": .string(store.status)]
        }
        return [
            "store": [
                "name": .string(context.store.name), "slug": .string(context.store.slug),
                "admin_url": .string(context.adminURL),
                "storefront_url": .string(storefrontURL(site, context)),
                "role": .string(context.role), "role_title": .string(context.role.capitalized),
                "status": .string(context.store.status),
                "currency": .string(context.route.currency), "timezone": .string(context.route.timezone),
            ],
            "stores": .array(switcher),
            "nav": .array(nav),
            "area": .string(area.rawValue),
        ]
    }

    /// The store's public address: its primary custom domain, else its subdomain (same scheme and
    /// port as the platform, so it works locally behind nginx on 8080).
    static func storefrontURL(_ site: PlatformSite, _ context: AdminContext) -> String {
        let platform = site.links.platformURL
        let scheme = platform.hasPrefix("https://") ? "https://" : "http://"
        if let host = context.route.primaryHost { return scheme + host }
        let rest = platform.dropFirst(scheme.count)
        return scheme + context.store.slug + "." + rest
    }

    static func placeholder(_ area: AdminArea, _ context: AdminContext, _ site: PlatformSite) -> [String: Value] {
        let text: (String, String)
        switch area {
        case .domains:
            text = ("Your store’s address",
                    "Your store is live at its Storefleet address. Connecting your own domain, with a certificate set up for you, will be done from this page.")
        default:
            text = (area.title, "Nothing here yet.")
        }
        return ["placeholder_heading": .string(text.0), "placeholder_text": .string(text.1)]
    }
}
