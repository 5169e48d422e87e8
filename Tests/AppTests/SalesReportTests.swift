import Commerce
import Foundation
import Postgres
import Testing
@testable import App

/// The dashboard's figures (Commerce.SalesReport) over a real tenant database, against sums
/// worked out by hand below, and the chart drawn from them.
@Suite("Sales report")
struct SalesReportTests {
    /// "Now" for every report here: 2026-03-10 12:00 UTC (13:00 in Berlin).
    static let now = Date(timeIntervalSince1970: 1_773_144_000)

    /// Orders around the day and window boundaries, in a fresh store.
    ///
    /// | order | status            | total  | refunds (ok / failed) | placed (UTC)      | Berlin day |
    /// |-------|-------------------|--------|-----------------------|-------------------|------------|
    /// | A     | paid              | 100.00 |                       | Mar 10 08:00      | Mar 10     |
    /// | B     | paid              |  50.00 |                       | Mar 9 23:30       | Mar 10     |
    /// | C     | partially_refunded|  80.00 | 30.00 / 10.00         | Mar 5 10:00       | Mar 5      |
    /// | D     | pending           |  70.00 |                       | Mar 10 09:00      | excluded   |
    /// | E     | paid, cancelled   |  60.00 |                       | Mar 10 09:30      | excluded   |
    /// | V     | voided            |  40.00 |                       | Mar 10 10:00      | excluded   |
    /// | F     | paid              |  20.00 |                       | Feb 20 12:00      | Feb 20     |
    /// | I     | paid              |  10.00 |                       | Feb 8 23:30       | Feb 9 (in) |
    /// | G     | paid              |  99.99 |                       | Jan 1 12:00       | outside    |
    static func seed(_ db: Connection) throws {
        let seeder = OrderSeeder(db: db)
        try seeder.order(total: 10000, at: "2026-03-10T08:00:00Z",
                         lines: [("Mug", 2, 2500, 0), ("Tee", 1, 5000, 0)])
        try seeder.order(total: 5000, at: "2026-03-09T23:30:00Z", lines: [("Tee", 1, 5000, 0)])
        try seeder.order(total: 8000, financial: "partially_refunded", at: "2026-03-05T10:00:00Z",
                         lines: [("Mug", 4, 2000, 1)], refunds: [(3000, "succeeded"), (1000, "failed")])
        try seeder.order(total: 7000, financial: "pending", at: "2026-03-10T09:00:00Z", lines: [("Tee", 10, 700, 0)])
        try seeder.order(total: 6000, cancelled: true, at: "2026-03-10T09:30:00Z", lines: [("Tee", 2, 3000, 0)])
        try seeder.order(total: 4000, financial: "voided", at: "2026-03-10T10:00:00Z")
        try seeder.order(total: 2000, at: "2026-02-20T12:00:00Z")
        try seeder.order(total: 1000, at: "2026-02-08T23:30:00Z")
        try seeder.order(total: 9999, at: "2026-01-01T12:00:00Z", lines: [("Old hat", 1, 9999, 0)])
    }

    @Test func sumsPaidOrdersNetOfRefundsInUTC() throws {
        guard let stack = try AppStack.required() else { return }
        let store = try stack.provisionStore(prefix: "report-utc", name: "Report UTC")
        let db = try stack.tenantConnection(store)
        try Self.seed(db)
        let report = try SalesReport.load(on: db, timezone: "UTC", now: Self.now)

        #expect(report.daily.count == 30)
        #expect(report.daily.first?.date == "2026-02-09")
        #expect(report.daily.last?.date == "2026-03-10")
        // Today: A only (B was yesterday in UTC; D, E, V do not count).
        #expect(report.today == SalesReport.Period(days: 1, orders: 1, netSalesMinor: 10000))
        // Mar 4–10: A + B + C net of its succeeded refund (80 − 30).
        #expect(report.last7Days == SalesReport.Period(days: 7, orders: 3, netSalesMinor: 20000))
        // Feb 9 – Mar 10: + F; I (Feb 8 23:30 UTC) and G are outside.
        #expect(report.last30Days == SalesReport.Period(days: 30, orders: 4, netSalesMinor: 22000))
        #expect(report.last30Days.averageOrderMinor == 5500)
        #expect(report.daily.first { $0.date == "2026-03-09" }?.netSalesMinor == 5000)
        #expect(report.daily.first { $0.date == "2026-03-05" }?.netSalesMinor == 5000)
        #expect(report.daily.filter { $0.orders > 0 }.count == 4)
    }

    @Test func cutsDaysAtMidnightInTheStoresTimezone() throws {
        guard let stack = try AppStack.required() else { return }
        let store = try stack.provisionStore(prefix: "report-berlin", name: "Report Berlin")
        let db = try stack.tenantConnection(store)
        try Self.seed(db)
        let report = try SalesReport.load(on: db, timezone: "Europe/Berlin", now: Self.now)

        // B at 23:30 UTC is 00:30 on Mar 10 in Berlin: today has A and B.
        #expect(report.today == SalesReport.Period(days: 1, orders: 2, netSalesMinor: 15000))
        #expect(report.daily.first { $0.date == "2026-03-09" }?.orders == 0)
        // The window starts at midnight Feb 9 in Berlin (23:00 UTC on Feb 8): I is in.
        #expect(report.daily.first?.date == "2026-02-09")
        #expect(report.daily.first?.netSalesMinor == 1000)
        #expect(report.last30Days == SalesReport.Period(days: 30, orders: 5, netSalesMinor: 23000))
        #expect(report.last30Days.averageOrderMinor == 4600)
    }

    @Test func ranksTopProductsByRevenueWithoutRefundedUnits() throws {
        guard let stack = try AppStack.required() else { return }
        let store = try stack.provisionStore(prefix: "report-top", name: "Report Top")
        let db = try stack.tenantConnection(store)
        try Self.seed(db)
        let report = try SalesReport.load(on: db, timezone: "UTC", now: Self.now)

        // Mug: 2 × 25.00 (A) + 3 of 4 × 20.00 (C, one refunded) = 110.00 for 5.
        // Tee: 50.00 (A) + 50.00 (B) = 100.00 for 2; the pending and cancelled Tees don't count.
        #expect(report.topProducts.map(\.title) == ["Mug", "Tee"])
        #expect(report.topProducts.map(\.revenueMinor) == [11000, 10000])
        #expect(report.topProducts.map(\.quantity) == [5, 2])
    }

    @Test func anEmptyStoreHasThirtyZeroDaysAndAnUnknownZoneFallsBackToUTC() throws {
        guard let stack = try AppStack.required() else { return }
        let store = try stack.provisionStore(prefix: "report-empty", name: "Report Empty")
        let db = try stack.tenantConnection(store)
        let report = try SalesReport.load(on: db, timezone: "Mars/Olympus_Mons", now: Self.now)
        #expect(report.isEmpty)
        #expect(report.timezone == "UTC")
        #expect(report.daily.count == 30)
        #expect(report.last30Days.averageOrderMinor == 0)
        #expect(report.topProducts.isEmpty)
    }

    @Test func theCacheKeyMovesWithOrdersAndRefunds() throws {
        guard let stack = try AppStack.required() else { return }
        let store = try stack.provisionStore(prefix: "report-key", name: "Report Key")
        let db = try stack.tenantConnection(store)
        let before = try SalesReport.cacheKey(on: db, timezone: "UTC")
        #expect(before != nil)
        #expect(try SalesReport.cacheKey(on: db, timezone: "UTC") == before)
        let id = try OrderSeeder(db: db).order(total: 500, at: "2026-03-10T08:00:00Z")
        let afterOrder = try SalesReport.cacheKey(on: db, timezone: "UTC")
        #expect(afterOrder != before)
        try db.execute("INSERT INTO refunds (order_id, amount_minor, status) VALUES (\(id), 100, 'succeeded')")
        #expect(try SalesReport.cacheKey(on: db, timezone: "UTC") != afterOrder)
    }

    @Test func theChartIsAnAccessibleImageWithItsFiguresInATable() {
        let days = (1...30).map { SalesReport.Day(date: String(format: "2026-03-%02d", $0), orders: $0 == 30 ? 2 : 0,
                                                  netSalesMinor: $0 == 30 ? 123456 : 0) }
        let html = SalesChart(days: days, money: AdminMoney(currency: "EUR")).html()
        #expect(html.contains("role=\"img\""))
        #expect(html.contains("<title id=\"sales-chart-title\">Net sales per day, last 30 days</title>"))
        #expect(html.contains("Best day Mar 30 with €1.234,56."))
        #expect(html.components(separatedBy: "<tr><th scope=\"row\">").count - 1 == 30)
        #expect(html.contains("<th scope=\"row\">Mar 30</th><td>€1.234,56</td><td>2</td>"))
        #expect(!html.contains("<script"))
    }

    @Test func axisTopsAndMoneyRead() {
        #expect(SalesChart.niceCeiling(0, places: 2) == 1000)
        #expect(SalesChart.niceCeiling(123456, places: 2) == 200000)
        #expect(SalesChart.niceCeiling(500000, places: 2) == 500000)
        #expect(SalesChart.niceCeiling(500001, places: 2) == 1000000)
        #expect(AdminMoney(currency: "USD").string(123456) == "$1,234.56")
        #expect(AdminMoney(currency: "USD").wholeUnits(123456) == "$1,235")
        #expect(AdminMoney(currency: "JPY").string(5000) == "¥5,000")
        #expect(AdminMoney(currency: "SEK").string(99) == "0,99 kr")
    }
}
