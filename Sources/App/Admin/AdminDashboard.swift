import Commerce
import Foundation
import HTTP
import Liquid
import Postgres

/// Each store's last dashboard figures in this worker, with what they were computed from.
///
/// The key is `SalesReport.cacheState`: the tenant's `reports_version` (moved by triggers in the
/// same transaction as any change to orders, their lines or refunds) and the store's local date
/// and timezone. So figures are never stale: a new order or refund, or midnight in the store's
/// timezone, recomputes them. Where tenant connections may LISTEN, an entry whose key was read
/// on the store's connection is *trusted* until the store's next midnight, so a view costs no
/// tenant round trip at all while no `reports_changed` (tenant migration 0016) arrived on that
/// connection, as storefront pages do with `storefront_changed`. (Sessions are stricter: see
/// `StoreDirectory.sessionWithStores`, which waits for the registry's news before trusting.)
final class DashboardCache {
    struct Entry {
        let key: String
        let currency: String
        let report: SalesReport
        /// The page's figures, formatted once per key.
        let assigns: [String: Value]
    }

    /// A rendered dashboard with everything it was rendered from.
    struct Page {
        let inputs: [String: Value]
        let response: Response
    }

    private var entries: [Int64: Entry] = [:]
    /// Stores whose entry is current until this instant unless `reports_changed` arrives.
    private var trustedUntil: [Int64: Date] = [:]
    /// Each store's last rendered dashboard: a viewer who reloads it while nothing changed gets
    /// the same bytes without a render.
    private var pages: [Int64: Page] = [:]
    /// Stores one worker keeps figures for; past it the cache starts over.
    static let maximumStores = 1000

    func entry(storeId: Int64, key: String?, currency: String) -> Entry? {
        guard let key, let entry = entries[storeId], entry.key == key, entry.currency == currency else { return nil }
        return entry
    }

    func store(_ entry: Entry, storeId: Int64) {
        if entries.count >= DashboardCache.maximumStores {
            entries.removeAll(keepingCapacity: true)
            trustedUntil.removeAll(keepingCapacity: true)
        }
        entries[storeId] = entry
    }

    /// The store's entry if it was trusted (its key read after the connection listened, no
    /// notification since) and its local day has not ended.
    func trusted(storeId: Int64, currency: String, now: Date = Date()) -> Entry? {
        guard let until = trustedUntil[storeId], now < until,
              let entry = entries[storeId], entry.currency == currency else { return nil }
        return entry
    }

    func trust(storeId: Int64, until: Date) { trustedUntil[storeId] = until }

    func distrust(storeId: Int64) { trustedUntil[storeId] = nil }

    func page(storeId: Int64, inputs: [String: Value]) -> Response? {
        guard let page = pages[storeId], page.inputs == inputs else { return nil }
        return page.response
    }

    func store(_ page: Page, storeId: Int64) {
        if pages.count >= DashboardCache.maximumStores { pages.removeAll(keepingCapacity: true) }
        pages[storeId] = page
    }
}

extension StorefleetApp {
    /// `GET /store/:slug/admin`: sales today, last 7 and 30 days, orders, average order value,
    /// top products and the chart; a new store gets the steps to its first sale instead.
    func dashboard(_ site: PlatformSite, _ context: AdminContext, cache: DashboardCache) throws -> Response {
        let money = AdminMoney(currency: context.route.currency)
        let storeId = context.route.storeId
        let (entry, productCount) = try withTenant(context.route) { db -> (DashboardCache.Entry, Int?) in
            var trusted: DashboardCache.Entry?
            let listens = config.tenantNotifications
            if listens {
                // Any news drops the trust before anything else. No round trip: an order committed
                // by another process shows once its notification reaches this connection (well
                // under a millisecond after the commit), one committed on this connection at once.
                if db.takeNotified(SalesReport.changedChannel) { cache.distrust(storeId: storeId) }
                trusted = cache.trusted(storeId: storeId, currency: money.currency)
            }
            var entry: DashboardCache.Entry
            if let trusted {
                entry = trusted
            } else {
                let state = try SalesReport.cacheState(on: db, timezone: context.route.timezone)
                if let cached = cache.entry(storeId: storeId, key: state?.key, currency: money.currency) {
                    entry = cached
                } else {
                    let report = try SalesReport.load(on: db, timezone: context.route.timezone)
                    entry = DashboardCache.Entry(key: state?.key ?? "", currency: money.currency, report: report,
                                                 assigns: StorefleetApp.dashboardAssigns(report, money: money))
                    if state != nil { cache.store(entry, storeId: storeId) }
                }
                // Trusted only where the schema notifies and this connection listened before the
                // key was read (`takeNotified` listens on first use).
                if let state, state.notifies, listens, db.isListening(SalesReport.changedChannel) {
                    cache.trust(storeId: storeId, until: state.validUntil)
                }
            }
            // Only a store without sales needs to know whether it has products (its next step).
            var products: Int?
            if entry.report.isEmpty {
                products = try db.queryFirst("SELECT count(*)::bigint AS n FROM products")?.decode("n", as: Int.self)
            }
            return (entry, products)
        }
        var assigns = entry.assigns
        assigns["product_count"] = .int(productCount ?? 0)
        // The page is a function of these assigns, the admin shell (store, switcher, role) and
        // what every merchant page gets from the request and session (`PlatformSite.render`):
        // a flash message (taken once, so never cached), the CSRF token, the user, the links.
        guard site.request.cookies[WebCookie.flash] == nil else {
            return try AdminPages.render(site, context, area: .dashboard, page: "admin/dashboard",
                                         title: "Dashboard", assigns: assigns)
        }
        var inputs = assigns
        inputs["shell"] = .dictionary(AdminPages.shell(site, context, area: .dashboard))
        inputs["request"] = [
            "csrf_token": .string(context.session.csrfToken), "user_id": .int(Int(context.session.userId)),
            "user_name": .string(context.session.userName), "user_email": .string(context.session.userEmail),
            "email_verified": .bool(context.session.emailVerified), "path": .string(site.request.path),
            "platform_url": .string(site.links.platformURL), "platform_domain": .string(site.links.platformDomain),
        ]
        if let response = cache.page(storeId: storeId, inputs: inputs) { return response }
        let response = try AdminPages.render(site, context, area: .dashboard, page: "admin/dashboard",
                                             title: "Dashboard", assigns: assigns)
        if entry.key != "" { cache.store(DashboardCache.Page(inputs: inputs, response: response), storeId: storeId) }
        return response
    }

    /// The dashboard template's figures: periods, top products, the chart.
    static func dashboardAssigns(_ report: SalesReport, money: AdminMoney) -> [String: Value] {
        func period(_ label: String, _ p: SalesReport.Period) -> Value {
            ["label": .string(label), "sales": .string(money.string(p.netSalesMinor)), "orders": .int(p.orders),
             "orders_label": .string(SalesChart.orders(p.orders)),
             "average": .string(money.string(p.averageOrderMinor))]
        }
        let top: [Value] = report.topProducts.map { product in
            ["title": .string(product.title), "quantity": .int(product.quantity),
             "revenue": .string(money.string(product.revenueMinor))]
        }
        return [
            "periods": .array([period("Today", report.today), period("Last 7 days", report.last7Days),
                               period("Last 30 days", report.last30Days)]),
            "last30": period("Last 30 days", report.last30Days),
            "top_products": .array(top),
            "chart_html": .safe(SalesChart(days: report.daily, money: money).html()),
            "has_sales": .bool(!report.isEmpty),
            "timezone": .string(report.timezone),
        ]
    }
}
