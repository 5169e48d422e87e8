import Foundation
import Postgres

/// The dashboard's sales figures for one store, in the store's own timezone.
///
/// Sales are **paid orders net of refunds**: orders whose `financial_status` is `paid`,
/// `partially_refunded` or `refunded` and that are not cancelled, at their total, less the
/// refunds that succeeded; unpaid (pending, authorized), voided and cancelled orders count for
/// nothing. An order belongs to the day it was placed (`created_at`) in the store's timezone,
/// and so do its refunds. All money is minor units of the store's currency.
public struct SalesReport: Sendable, Hashable {
    /// One local calendar day of the series.
    public struct Day: Sendable, Hashable {
        /// `YYYY-MM-DD` in the store's timezone.
        public let date: String
        public let orders: Int
        public let netSalesMinor: Int64

        public init(date: String, orders: Int, netSalesMinor: Int64) {
            self.date = date
            self.orders = orders
            self.netSalesMinor = netSalesMinor
        }
    }

    /// A window of the last `days` days, today included.
    public struct Period: Sendable, Hashable {
        public let days: Int
        public let orders: Int
        public let netSalesMinor: Int64

        public init(days: Int, orders: Int, netSalesMinor: Int64) {
            self.days = days
            self.orders = orders
            self.netSalesMinor = netSalesMinor
        }

        /// Net sales divided by orders, rounded half up; 0 without orders.
        public var averageOrderMinor: Int64 {
            orders == 0 ? 0 : (netSalesMinor * 2 + Int64(orders)) / (Int64(orders) * 2)
        }
    }

    /// A product among the best sellers of the last `seriesDays` days.
    public struct TopProduct: Sendable, Hashable {
        /// nil when the product has since been deleted (the order line keeps its title).
        public let productId: Int64?
        public let title: String
        public let quantity: Int
        /// Line revenue: unit price × quantity less the line's discount, refunded units excluded.
        public let revenueMinor: Int64
    }

    /// Days in `daily`, today last.
    public static let seriesDays = 30
    public static let topProductLimit = 5

    /// The last `seriesDays` local days, oldest first, days without sales included with zeros.
    public let daily: [Day]
    public let topProducts: [TopProduct]
    /// The IANA timezone the days were cut in.
    public let timezone: String

    public var today: Period { period(days: 1) }
    public var last7Days: Period { period(days: 7) }
    public var last30Days: Period { period(days: 30) }
    /// True when the store has had no paid order in the whole series.
    public var isEmpty: Bool { daily.allSatisfy { $0.orders == 0 } }

    /// The last `days` days of the series (1 = today).
    public func period(days: Int) -> Period {
        let window = daily.suffix(max(0, min(days, daily.count)))
        return Period(days: days, orders: window.reduce(0) { $0 + $1.orders },
                      netSalesMinor: window.reduce(0) { $0 + $1.netSalesMinor })
    }

    public init(daily: [Day], topProducts: [TopProduct], timezone: String) {
        self.daily = daily
        self.topProducts = topProducts
        self.timezone = timezone
    }
}

extension SalesReport {
    /// Computes the report as of `now` (the server's clock unless a test fixes it) for a store
    /// in `timezone`; an unknown timezone name falls back to UTC rather than failing the page.
    /// Two statements; with tenant migration 0009's partial index both read only the window's
    /// paid orders, whatever the size of the order history.
    public static func load(on db: Connection, timezone: String, now: Date = Date()) throws -> SalesReport {
        let zone = TimeZone(identifier: timezone) != nil ? timezone : "UTC"
        let daysBack = Int32(seriesDays - 1)
        // The window is local midnight `seriesDays - 1` days ago up to now, as timestamptz.
        let window: Query = """
            (date_trunc('day', \(now)::timestamptz AT TIME ZONE \(zone)) - make_interval(days => \(daysBack)))
                AT TIME ZONE \(zone)
            """
        let paid: Query = """
            o.financial_status IN ('paid', 'partially_refunded', 'refunded') AND o.status <> 'cancelled'
            """
        let dayRows = try db.query("""
            WITH sales AS (
                SELECT (o.created_at AT TIME ZONE \(zone))::date AS day,
                       count(*)::bigint AS orders,
                       sum(o.total_minor - coalesce((SELECT sum(r.amount_minor) FROM refunds r
                                                     WHERE r.order_id = o.id AND r.status = 'succeeded'), 0))::bigint AS net
                FROM orders o
                WHERE \(paid) AND o.created_at >= \(window) AND o.created_at <= \(now)::timestamptz
                GROUP BY 1
            )
            SELECT to_char(d.day, 'YYYY-MM-DD') AS day, coalesce(s.orders, 0)::bigint AS orders,
                   coalesce(s.net, 0)::bigint AS net
            FROM generate_series((\(now)::timestamptz AT TIME ZONE \(zone))::date - \(daysBack),
                                 (\(now)::timestamptz AT TIME ZONE \(zone))::date, interval '1 day') AS d (day)
            LEFT JOIN sales s ON s.day = d.day::date
            ORDER BY d.day
            """)
        let daily = try dayRows.map { row in
            Day(date: try row.decode("day"), orders: Int(try row.decode("orders", as: Int64.self)),
                netSalesMinor: try row.decode("net"))
        }
        let productRows = try db.query("""
            SELECT i.product_id, min(i.title) AS title,
                   sum(i.quantity - i.refunded_quantity)::bigint AS quantity,
                   sum((i.unit_price_minor * i.quantity - i.discount_minor)
                       * (i.quantity - i.refunded_quantity) / i.quantity)::bigint AS revenue
            FROM orders o JOIN order_items i ON i.order_id = o.id
            WHERE \(paid) AND o.created_at >= \(window) AND o.created_at <= \(now)::timestamptz
            GROUP BY i.product_id, CASE WHEN i.product_id IS NULL THEN i.title END
            HAVING sum(i.quantity - i.refunded_quantity) > 0
            ORDER BY revenue DESC, quantity DESC, title
            LIMIT \(Int32(topProductLimit))
            """)
        let top = try productRows.map { row in
            TopProduct(productId: try row.decode("product_id"), title: try row.decode("title"),
                       quantity: Int(try row.decode("quantity", as: Int64.self)),
                       revenueMinor: try row.decode("revenue"))
        }
        return SalesReport(daily: daily, topProducts: top, timezone: zone)
    }

    /// Notified in the transaction that moves `reports_version` (tenant migration 0016).
    public static let changedChannel = "reports_changed"

    /// What a cached report depends on, read in one statement: `key` is the order data's change
    /// counter (tenant migration 0009) with the store's local date; the report stays right until
    /// `validUntil` (the store's next local midnight) unless the counter moves, which `notifies`
    /// says is announced on `changedChannel` (tenant migration 0016).
    public struct CacheState: Sendable, Equatable {
        public let key: String
        public let validUntil: Date
        public let notifies: Bool
    }

    /// The cache state, or nil when the tenant schema predates `reports_version` (then nothing
    /// may be cached).
    public static func cacheState(on db: Connection, timezone: String) throws -> CacheState? {
        let zone = TimeZone(identifier: timezone) != nil ? timezone : "UTC"
        do {
            guard let row = try db.queryFirst("""
                SELECT r.version AS reports, to_jsonb(r) ? 'notifies' AS notifies,
                       to_char(now() AT TIME ZONE \(zone), 'YYYY-MM-DD') AS day,
                       (date_trunc('day', now() AT TIME ZONE \(zone)) + interval '1 day') AT TIME ZONE \(zone) AS midnight
                FROM reports_version r
                """) else { return nil }
            let version: Int64 = try row.decode("reports")
            let day: String = try row.decode("day")
            return CacheState(key: "\(version)/\(day)/\(zone)", validUntil: try row.decode("midnight"),
                              notifies: try row.decode("notifies"))
        } catch {
            if error.kind == .undefinedTable { return nil }
            throw error
        }
    }

    /// `cacheState`'s key: the order data's change counter and the store's local date.
    public static func cacheKey(on db: Connection, timezone: String) throws -> String? {
        try cacheState(on: db, timezone: timezone)?.key
    }
}
