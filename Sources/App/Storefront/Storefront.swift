import Commerce
import HTTP
import Liquid
import Postgres
import Registry

/// Storefront pages, rendered from the store's theme with data from the store's own database.
///
/// Every page is cached per store and URL (`PageCache`, bounded per worker) and tagged with the
/// tenant's `storefront_version`, which moves in the same transaction as any change to what a
/// page shows (see docs/CONTRACTS.md). A request costs one trivial query while nothing changed,
/// and none at all while no `storefront_changed` notification has arrived on the store's
/// connection since the version was last read (where tenant connections may LISTEN).
final class Storefront {
    let config: AppConfiguration
    private var themes: [String: Theme] = [:]
    private var defaultTheme: Theme
    /// Per-store state: the look at the last version read, and whether the seam exists.
    private var stores: [Int64: StoreRenderState] = [:]
    let cache: PageCache
    /// Products on the home page when no featured collection is set.
    static let homeProductLimit = 20
    /// Stores whose render state one process keeps; past it the cache starts over.
    static let maximumCachedStores = 1000
    /// Rendered pages one worker keeps, in bytes.
    static let pageCacheBytes = 64 << 20

    init(config: AppConfiguration) throws {
        self.config = config
        defaultTheme = try Theme(name: config.defaultTheme, templateDirectory: config.templateDirectory)
        themes[defaultTheme.name] = defaultTheme
        cache = PageCache(byteBudget: Storefront.pageCacheBytes)
    }

    // MARK: - Serving a page

    /// What a page handler gets: the store's database, its look, and where its pages live.
    struct PageContext {
        let db: Connection
        let look: StoreLook
        let site: StoreSite
        let request: Request
        /// `https://shop.example.com` (the primary domain, else the store's subdomain).
        let baseURL: String
    }

    enum PageOutcome {
        case page(String, status: Status = .ok)
        case redirect(String)
        case notFound
    }

    /// Answers a GET with the page `build` renders, from the cache when it is provably current.
    func respond(_ request: Request, _ site: StoreSite, app: StorefleetApp,
                 _ build: (PageContext) throws -> PageOutcome) throws -> Response {
        if config.developmentMode { try reloadThemes() }
        let state = renderState(for: site)
        let baseURL = StoreURLs.baseURL(site, request: request)
        let key = PageCache.Key(storeId: site.route.storeId, url: baseURL + StoreURLs.cacheKey(request))
        return try app.withTenant(site.route) { db in
            if state.hasVersionSeam, config.tenantNotifications {
                let quiet = unchangedSinceLastCheck(db)
                if quiet, let version = state.lookVersion, let page = cache.page(key), page.version == version {
                    return response(page)
                }
            }
            let (look, version) = try currentLook(state, site: site, baseURL: baseURL, db: db)
            if let version, let page = cache.page(key), page.version == version { return response(page) }
            let context = PageContext(db: db, look: look, site: site, request: request, baseURL: baseURL)
            switch try build(context) {
            case .redirect(let location):
                return .redirect(to: location, status: .movedPermanently)
            case .notFound:
                return StorefleetApp.htmlResponse(Array(try renderNotFound(context).utf8), status: .notFound)
            case .page(let html, let status):
                let page = PageCache.Page(version: version ?? 0, status: status.code,
                                          contentType: "text/html; charset=utf-8", body: Array(html.utf8))
                if let version, status == .ok { cache.store(key, PageCache.Page(
                    version: version, status: page.status, contentType: page.contentType, body: page.body)) }
                return response(page)
            }
        }
    }

    /// The themed 404 for a path no route knows, with the store's look.
    func notFound(_ request: Request, _ site: StoreSite, app: StorefleetApp) throws -> Response {
        try respond(request, site, app: app) { _ in .notFound }
    }

    private func response(_ page: PageCache.Page) -> Response {
        Response(status: Status(code: page.status), headers: ["Content-Type": page.contentType], body: .bytes(page.body))
    }

    /// The store's look, re-read only when `look_version` moved (settings, theme, pages,
    /// collections: tenant migration 0017), and the current `storefront_version` for the page
    /// cache; nil for a store whose schema predates the seam, whose pages are never cached.
    ///
    /// `pageVersion: false` is for pages that are never cached (cart, checkout, account): with
    /// notifications on, a look no `storefront_look_changed` has disturbed is used without any
    /// statement, so the store's orders (each moves `version`) cost these pages nothing.
    func currentLook(_ state: StoreRenderState, site: StoreSite, baseURL: String, db: Connection,
                     pageVersion: Bool = true) throws -> (StoreLook, Int64?) {
        if !pageVersion, config.tenantNotifications, state.hasLookSeam, let look = state.look,
           state.lookBaseURL == baseURL, !db.takeNotified(StorefrontVersion.lookChannel) {
            return (look, nil)
        }
        var version: Int64?
        var lookVersion: Int64?
        if state.hasVersionSeam {
            do {
                if state.hasLookSeam, let row = try db.queryFirst(StorefrontVersion.query) {
                    version = try row.decode("version", as: Int64.self)
                    lookVersion = try row.decode("look_version", as: Int64.self)
                } else if !state.hasLookSeam, let row = try db.queryFirst(StorefrontVersion.versionOnlyQuery) {
                    version = try row.decode("version", as: Int64.self)
                    lookVersion = version   // before 0017 every change may touch the look
                }
            } catch {
                switch error.kind {
                case .undefinedTable:
                    state.hasVersionSeam = false    // this tenant's schema predates 0006
                    state.hasLookSeam = false
                case .undefinedObject where error.sqlState == "42703" && state.hasLookSeam:   // no look_version: predates 0017
                    state.hasLookSeam = false
                    return try currentLook(state, site: site, baseURL: baseURL, db: db, pageVersion: pageVersion)
                default:
                    throw error
                }
            }
        }
        if let version { state.lookVersion = version }
        if let look = state.look, let lookVersion, state.lookRevision == lookVersion, state.lookBaseURL == baseURL {
            return (look, version)
        }
        let context = try StorefrontContext.load(on: db)
        let look = StoreLook(route: site.route, theme: theme(named: context.themeName), context: context,
                             platformURL: site.links.platformURL, baseURL: baseURL)
        state.look = look
        state.lookRevision = lookVersion
        state.lookBaseURL = baseURL
        return (look, version)
    }

    /// True when `db` has listened on the storefront channel since before the last version read
    /// and no notification (nor a reconnect, which may have lost one) has arrived since.
    /// Other channels on the same connection (the dashboard's `reports_changed`) are latched for
    /// their own readers (`Connection.takeNotified`), never consumed here.
    private func unchangedSinceLastCheck(_ db: Connection) -> Bool {
        // The first use of a connection listens and counts as a change: the version read that
        // follows validates.
        !db.takeNotified(StorefrontVersion.channel)
    }

    // MARK: - Rendering

    /// Renders `template` inside the theme's layout with what every page gets.
    func render(_ template: Template, _ context: PageContext, assigns: [String: Value], seo: PageSEO) throws -> String {
        try render(template, look: context.look, assigns: assigns, seo: seo, path: context.request.path)
    }

    func render(_ template: Template, look: StoreLook, assigns: [String: Value], seo: PageSEO, path: String) throws -> String {
        var data = assigns
        data["shop"] = look.shop
        data["settings"] = look.settings
        data["navigation"] = look.navigation
        data["page_title"] = .string(seo.title)
        data["page_description"] = seo.description.map { .string($0) } ?? .nil
        data["canonical_url"] = seo.canonicalURL.map { .string($0) } ?? .nil
        data["og"] = seo.openGraph
        data["structured_data"] = seo.structuredData.map { .safe($0) } ?? .nil
        data["robots"] = seo.robots.map { .string($0) } ?? .nil
        data["current_path"] = .string(path)
        return try template.render(data, options: look.options, defaultLayout: Theme.layoutName)
    }

    func renderNotFound(_ context: PageContext) throws -> String {
        let title = StorefrontText.translate("not_found.title", context.look, fallback: "Page not found")
        return try render(context.look.theme.notFound, context, assigns: ["template": "404"],
                          seo: PageSEO(title: title + " – " + context.site.route.name, robots: "noindex"))
    }

    /// The home page's HTML for these products with the default theme's defaults (tests, previews).
    func renderHome(_ site: StoreSite, products: [ProductSummary]) throws -> String {
        let look = StoreLook(route: site.route, theme: defaultTheme, context: nil,
                             platformURL: site.links.platformURL, baseURL: "")
        return try render(look.theme.index, look: look,
                          assigns: homeAssigns(look, products: products, collection: nil),
                          seo: PageSEO(title: site.route.name, description: "Shop " + site.route.name + " online."),
                          path: "/")
    }

    // MARK: - Themes and per-store state

    /// The theme with this folder name; the default one when it is missing or does not load.
    func theme(named name: String?) -> Theme {
        guard let name, name != defaultTheme.name else { return defaultTheme }
        if let theme = themes[name] { return theme }
        guard Theme.isValidName(name) else { return defaultTheme }
        do {
            let theme = try Theme(name: name, templateDirectory: config.templateDirectory)
            themes[name] = theme
            return theme
        } catch {
            StandardError.write("{\"level\":\"error\",\"theme\":\(jsonString(name)),\"error\":\(jsonString(String(describing: error)))}\n")
            themes[name] = defaultTheme
            return defaultTheme
        }
    }

    func renderState(for site: StoreSite) -> StoreRenderState {
        if let cached = stores[site.route.storeId], cached.route == site.route,
           cached.platformURL == site.links.platformURL {
            return cached
        }
        let state = StoreRenderState(route: site.route, platformURL: site.links.platformURL)
        if stores.count >= Storefront.maximumCachedStores { stores.removeAll(keepingCapacity: true) }
        stores[site.route.storeId] = state
        return state
    }

    /// Development mode: pick up template edits without restarting the worker.
    func reloadThemes() throws {
        defaultTheme = try Theme(name: config.defaultTheme, templateDirectory: config.templateDirectory)
        themes = [defaultTheme.name: defaultTheme]
        stores.removeAll()
    }
}

/// One store's state in this process.
final class StoreRenderState {
    let route: StoreRoute
    let platformURL: String
    /// The look, the `look_version` it was read at, and the base URL it was built for.
    var look: StoreLook?
    var lookRevision: Int64?
    var lookBaseURL: String?
    /// The `storefront_version` last read: cached pages at this version are current.
    var lookVersion: Int64?
    /// Whether this store's database has `storefront_version`; assumed until it says otherwise.
    var hasVersionSeam = true
    /// Whether it has `storefront_version.look_version` (tenant migration 0017).
    var hasLookSeam = true
    /// Its checkout configuration (pricing rules, shipping countries, payment methods).
    let checkout = CheckoutSettings()

    init(route: StoreRoute, platformURL: String) {
        self.route = route
        self.platformURL = platformURL
    }
}

/// The tenant schema's change counter for everything a storefront page shows (see
/// docs/CONTRACTS.md, "Tenant schema ↔ App").
enum StorefrontVersion {
    static let query: Query = "SELECT version, look_version FROM storefront_version"
    static let versionOnlyQuery: Query = "SELECT version FROM storefront_version"
    /// Notified (tenant migration 0007) in the transaction that bumps the version.
    static let channel = "storefront_changed"
    /// Notified (tenant migration 0017) when `look_version` moves.
    static let lookChannel = "storefront_look_changed"
}

extension Storefront {
    /// A page that belongs to one shopper (cart, checkout, account, order status): rendered
    /// fresh from the store's current theme, `templates/<name>.liquid` inside its layout, never
    /// cached. Besides the page's own assigns it gets `csrf_token` (for its forms), `flash`, and
    /// `cart_count` from the `sf_cart_count` cookie.
    func shopperPage(_ site: StoreSite, db: Connection, template name: String, title: String,
                     assigns: [String: Value] = [:], status: Status = .ok) throws -> Response {
        if config.developmentMode { try reloadThemes() }
        let state = renderState(for: site)
        let baseURL = StoreURLs.baseURL(site, request: site.request)
        let (look, _) = try currentLook(state, site: site, baseURL: baseURL, db: db, pageVersion: false)
        let template = try look.theme.template(named: name)
        var data = assigns
        data["csrf_token"] = .string(site.csrfToken())
        if data["template"] == nil { data["template"] = .string(name.replacingOccurrences(of: "/", with: "-")) }
        if let flash = site.takeFlash() { data["flash"] = flash.liquidValue }
        if data["cart_count"] == nil {
            data["cart_count"] = .int(site.request.cookies[ShopCookie.cartCount].flatMap { Int($0) } ?? 0)
        }
        let html = try render(template, look: look, assigns: data,
                              seo: PageSEO(title: title + " – " + site.route.name, robots: "noindex"),
                              path: site.request.path)
        var response = StorefleetApp.htmlResponse(Array(html.utf8), status: status)
        response.headers["Cache-Control"] = "no-store"
        return response
    }
}
