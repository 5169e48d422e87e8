import Commerce
import HTTP
import Liquid
import Postgres
import Registry

/// Storefront pages, rendered from the store's theme with data from the store's own database.
final class Storefront {
    private let config: AppConfiguration
    private var theme: Theme
    /// Per-store render state (money formats, `shop`, theme settings), rebuilt when the
    /// registry's routing fields of the store change (the directory applies NOTIFYs).
    private var stores: [Int64: StoreRenderState] = [:]
    /// Products on the home page.
    static let homeProductLimit = 20
    /// Stores whose render state one process keeps; past it the cache starts over.
    static let maximumCachedStores = 1000

    init(config: AppConfiguration) throws {
        self.config = config
        theme = try Theme(name: config.defaultTheme, templateDirectory: config.templateDirectory)
    }

    /// `GET /` on a store host: hero and the store's active products.
    func home(_ site: StoreSite, app: StorefleetApp) throws -> Response {
        if config.developmentMode { try reloadTheme() }
        let state = renderState(for: site)
        let body = try app.withTenant(site.route) { db in try homePage(site, state: state, db: db) }
        return StorefleetApp.htmlResponse(body)
    }

    /// The home page's bytes, from the per-store cache when it is provably current.
    ///
    /// With the tenant schema's `storefront_version` (bumped in the same transaction as any
    /// catalog or settings change), a request costs one trivial query while nothing changed;
    /// the version is read before the products, so a change racing the read only causes one
    /// more fetch, never a stale page. Without it, the products are fetched every time and the
    /// page is re-rendered only when they differ from the last ones (keyed by the data itself).
    ///
    /// Where the tenant connection may LISTEN, the trigger that bumps the version also sends
    /// `NOTIFY storefront_changed` (delivered at commit), so while no notification has arrived
    /// since the cached page was checked the page is served with no query at all. The LISTEN is
    /// issued before the version is read, so a change either shows in that read or notifies.
    private func homePage(_ site: StoreSite, state: StoreRenderState, db: Connection) throws -> [UInt8] {
        var version: Int64?
        if state.hasVersionSeam, config.tenantNotifications, let cached = state.homePage, cached.version != nil,
           unchangedSinceLastCheck(db) {
            return cached.body
        }
        if state.hasVersionSeam {
            do {
                if let row = try db.queryFirst(StorefrontVersion.query) {
                    version = try row.decode("version", as: Int64.self)
                }
            } catch {
                guard error.kind == .undefinedTable else { throw error }
                state.hasVersionSeam = false    // this tenant's schema predates it
            }
            if let version, let cached = state.homePage, cached.version == version { return cached.body }
        }
        let products = try Catalog.activeProducts(on: db, limit: Storefront.homeProductLimit).products
        if let cached = state.homePage, cached.products == products {
            state.homePage?.version = version
            return cached.body
        }
        let body = Array(try renderHome(site, products: products).utf8)
        state.homePage = HomePageCache(version: version, products: products, body: body)
        return body
    }

    /// True when `db` has listened on the storefront channel since before the last version read
    /// and no notification (nor a reconnect, which may have lost one) has arrived since.
    private func unchangedSinceLastCheck(_ db: Connection) -> Bool {
        guard db.isListening(StorefrontVersion.channel) else {
            // First use of this connection: listen now; the version read that follows validates.
            try? db.listen(StorefrontVersion.channel)
            return false
        }
        guard let arrived = try? db.pollNotifications() else { return false }
        return arrived.isEmpty
    }

    /// The home page's HTML for these products.
    func renderHome(_ site: StoreSite, products: [ProductSummary]) throws -> String {
        let state = renderState(for: site)
        var drops: [Value] = []
        drops.reserveCapacity(products.count)
        for product in products { drops.append(ProductDrops.value(product, mediaPrefix: state.mediaPrefix)) }
        return try theme.index.render([
            "shop": state.shop,
            "settings": state.settings,
            "products": .array(drops),
            "page_title": .string(site.route.name),
            "page_description": .string("Shop " + site.route.name + " online."),
            "template": "index",
        ], options: state.options, defaultLayout: Theme.layoutName)
    }

    private func renderState(for site: StoreSite) -> StoreRenderState {
        if let cached = stores[site.route.storeId], cached.route == site.route,
           cached.platformURL == site.links.platformURL {
            return cached
        }
        let state = StoreRenderState(route: site.route, theme: theme, platformURL: site.links.platformURL)
        if stores.count >= Storefront.maximumCachedStores { stores.removeAll(keepingCapacity: true) }
        stores[site.route.storeId] = state
        return state
    }

    /// Development mode: pick up template edits without restarting the worker.
    private func reloadTheme() throws {
        theme = try Theme(name: config.defaultTheme, templateDirectory: config.templateDirectory)
        stores.removeAll()
    }
}

/// What every page of one store renders with, built once per store and process.
final class StoreRenderState {
    let route: StoreRoute
    let platformURL: String
    let options: RenderOptions
    let shop: Value
    let settings: Value
    /// Where nginx serves this store's uploaded media.
    let mediaPrefix: String
    /// The last home page rendered, and what it was rendered from.
    var homePage: HomePageCache?
    /// Whether this store's database has `storefront_version`; assumed until it says otherwise.
    var hasVersionSeam = true

    init(route: StoreRoute, theme: Theme, platformURL: String) {
        self.route = route
        self.platformURL = platformURL
        let formats = MoneyFormats.forCurrency(route.currency)
        options = RenderOptions(moneyFormat: formats.money, moneyWithCurrencyFormat: formats.moneyWithCurrency,
                                currency: route.currency, translations: theme.translations,
                                assetBaseURL: theme.assetBaseURL,
                                imageBaseURL: "/media/sf_store_\(route.storeId)/")
        mediaPrefix = "/media/sf_store_\(route.storeId)"
        shop = .dictionary([
            "name": .string(route.name),
            "currency": .string(route.currency),
            "locale": .string(StoreRenderState.languageTag(route.locale)),
            "url": .string("/"),
            "permanent_domain": .string(route.slug),
            "platform_url": .string(platformURL),
        ])
        settings = .dictionary(theme.settingsDefaults)
    }

    /// `en_US` → `en-US`, for `<html lang>`.
    static func languageTag(_ locale: String) -> String {
        let tag = String(locale.map { $0 == "_" ? "-" : $0 })
        return tag.isEmpty ? "en" : tag
    }
}

/// A rendered home page and the data it was rendered from.
struct HomePageCache {
    /// `storefront_version` read before the products were; nil without the seam.
    var version: Int64?
    let products: [ProductSummary]
    let body: [UInt8]
}

/// The tenant schema's change counter for everything a storefront page shows (see
/// docs/CONTRACTS.md, "Tenant schema ↔ App").
enum StorefrontVersion {
    static let query: Query = "SELECT version FROM storefront_version"
    /// Notified (tenant migration 0007) in the transaction that bumps the version.
    static let channel = "storefront_changed"
}
