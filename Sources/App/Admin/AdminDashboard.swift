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

    private var entries: [Int64: Entry] = [:]
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
        return try AdminPages.render(site, context, area: .dashboard, page: "admin/dashboard",
                                     title: "Dashboard", assigns: assigns)
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
