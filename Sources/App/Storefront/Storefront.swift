import Commerce
import HTTP
import Liquid
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

    /// `GET /` on a store host: hero and the store's active products (one tenant query).
    func home(_ site: StoreSite, app: StorefleetApp) throws -> Response {
        if config.developmentMode { try reloadTheme() }
        let products = try app.withTenant(site.route) { connection in
            try Catalog.activeProducts(on: connection, limit: Storefront.homeProductLimit).products
        }
        // The page is a function of the products and the store's render state only: when both
        // are what they were, so is the page. Keyed by the data itself, so it is never stale.
        let state = renderState(for: site)
        if let cached = state.homePage, cached.products == products {
            return StorefleetApp.htmlResponse(cached.body)
        }
        let body = Array(try renderHome(site, products: products).utf8)
        state.homePage = (products, body)
        return StorefleetApp.htmlResponse(body)
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
    /// The last home page rendered, and the products it shows.
    var homePage: (products: [ProductSummary], body: [UInt8])?

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
