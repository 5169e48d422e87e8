import Commerce
import HTTP
import Liquid
import Postgres

/// Each store's last dashboard figures in this worker, with what they were computed from.
///
/// The key is `SalesReport.cacheKey`: the tenant's `reports_version` (moved by triggers in the
/// same transaction as any change to orders, their lines or refunds) and the store's local date
/// and timezone. So a dashboard costs one trivial query while nothing changed, and figures are
/// never stale: a new order or refund, or midnight in the store's timezone, recomputes them.
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
        if entries.count >= DashboardCache.maximumStores { entries.removeAll(keepingCapacity: true) }
        entries[storeId] = entry
    }

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
            let key = try SalesReport.cacheKey(on: db, timezone: context.route.timezone)
            var entry: DashboardCache.Entry
            if let cached = cache.entry(storeId: storeId, key: key, currency: money.currency) {
                entry = cached
            } else {
                let report = try SalesReport.load(on: db, timezone: context.route.timezone)
                entry = DashboardCache.Entry(key: key ?? "", currency: money.currency, report: report,
                                             assigns: StorefleetApp.dashboardAssigns(report, money: money))
                if key != nil { cache.store(entry, storeId: storeId) }
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
