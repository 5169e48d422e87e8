import Foundation
import HTTP
import Liquid
import Postgres

/// A table of a store's rows for an admin area, rendered by `templates/admin/list.liquid`:
/// read-only until the area's own issue adds editing, with an empty state that says what to do.
struct AdminTable {
    struct Cell {
        var text: String
        var badge: String? = nil      // ok | warn | bad | plain
        var numeric = false
        var strong = false
    }
    var columns: [(label: String, numeric: Bool)]
    var rows: [[Cell]] = []
    var total = 0

    var liquidValue: [String: Value] {
        ["columns": .array(columns.map { ["label": .string($0.label), "numeric": .bool($0.numeric)] }),
         "rows": .array(rows.map { row in
             .array(row.map { cell in
                 ["text": .string(cell.text), "badge": cell.badge.map(Value.string) ?? .nil,
                  "numeric": .bool(cell.numeric), "strong": .bool(cell.strong)]
             })
         }),
         "total": .int(total), "shown": .int(rows.count)]
    }
}

extension StorefleetApp {
    /// Products, orders, customers or discounts of the store, newest first (at most 50).
    func listPage(_ site: PlatformSite, _ context: AdminContext, area: AdminArea) throws -> Response {
        let money = AdminMoney(currency: context.route.currency)
        let zone = TimeZone(identifier: context.route.timezone) != nil ? context.route.timezone : "UTC"
        let table = try withTenant(context.route) { db in try AdminLists.table(area, db: db, money: money, zone: zone) }
        var assigns = table.liquidValue.reduce(into: [String: Value]()) { $0[$1.key] = $1.value }
        let copy = AdminLists.copy(area)
        assigns["intro"] = .string(copy.intro)
        assigns["empty_heading"] = .string(copy.emptyHeading)
        assigns["empty_text"] = .string(copy.emptyText)
        assigns["noun"] = .string(copy.noun)
        assigns["storefront_url"] = .string(AdminPages.storefrontURL(site, context))
        return try AdminPages.render(site, context, area: area, page: "admin/list", title: area.title, assigns: assigns)
    }
}

enum AdminLists {
    static let limit: Int32 = 50

    static func table(_ area: AdminArea, db: Connection, money: AdminMoney, zone: String) throws -> AdminTable {
        switch area {
        case .products:
            var table = AdminTable(columns: [("Product", false), ("Status", false), ("Price", true), ("Stock", false)])
            table.total = try count(db, "SELECT count(*)::bigint AS n FROM products")
            for row in try db.query("""
                SELECT title, status, price_min_minor, price_max_minor, available FROM products
                ORDER BY updated_at DESC, id DESC LIMIT \(limit)
                """) {
                let status: String = try row.decode("status")
                let low: Int64? = try row.decode("price_min_minor")
                let high: Int64? = try row.decode("price_max_minor")
                var price = "—"
                if let low, let high { price = low == high ? money.string(low) : money.string(low) + " – " + money.string(high) }
                let available: Bool = try row.decode("available")
                table.rows.append([
                    .init(text: try row.decode("title"), strong: true),
                    .init(text: status.capitalized, badge: status == "active" ? "ok" : status == "draft" ? "warn" : "plain"),
                    .init(text: price, numeric: true),
                    .init(text: available ? "In stock" : "Sold out", badge: available ? "plain" : "bad"),
                ])
            }
            return table
        case .orders:
            var table = AdminTable(columns: [("Order", false), ("Date", false), ("Customer", false),
                                             ("Payment", false), ("Fulfilment", false), ("Total", true)])
            table.total = try count(db, "SELECT count(*)::bigint AS n FROM orders")
            for row in try db.query("""
                SELECT number, to_char(created_at AT TIME ZONE \(zone), 'Mon FMDD, YYYY HH24:MI') AS placed, email,
                       status, financial_status, fulfillment_status, total_minor
                FROM orders ORDER BY created_at DESC, id DESC LIMIT \(limit)
                """) {
                let number: Int64 = try row.decode("number")
                let status: String = try row.decode("status")
                let financial: String = try row.decode("financial_status")
                let fulfillment: String = try row.decode("fulfillment_status")
                let paymentBadge: String
                switch financial {
                case "paid": paymentBadge = "ok"
                case "pending", "authorized", "partially_refunded": paymentBadge = "warn"
                default: paymentBadge = "bad"
                }
                table.rows.append([
                    .init(text: "#\(number)", strong: true),
                    .init(text: try row.decode("placed")),
                    .init(text: try row.decode("email")),
                    .init(text: status == "cancelled" ? "Cancelled" : label(financial), badge: status == "cancelled" ? "bad" : paymentBadge),
                    .init(text: label(fulfillment), badge: fulfillment == "fulfilled" ? "ok" : "plain"),
                    .init(text: money.string(try row.decode("total_minor")), numeric: true),
                ])
            }
            return table
        case .customers:
            var table = AdminTable(columns: [("Customer", false), ("Email", false), ("Orders", true), ("Since", false)])
            table.total = try count(db, "SELECT count(*)::bigint AS n FROM customers")
            for row in try db.query("""
                SELECT c.first_name, c.last_name, c.email, c.password_hash IS NULL AS guest,
                       to_char(c.created_at AT TIME ZONE \(zone), 'Mon FMDD, YYYY') AS since,
                       (SELECT count(*) FROM orders o WHERE o.customer_id = c.id)::bigint AS orders
                FROM customers c ORDER BY c.created_at DESC, c.id DESC LIMIT \(limit)
                """) {
                let first: String = try row.decode("first_name")
                let last: String = try row.decode("last_name")
                let name = [first, last].filter { !$0.isEmpty }.joined(separator: " ")
                let guest: Bool = try row.decode("guest")
                table.rows.append([
                    .init(text: name.isEmpty ? (guest ? "Guest" : "—") : name, strong: true),
                    .init(text: try row.decode("email")),
                    .init(text: String(try row.decode("orders", as: Int64.self)), numeric: true),
                    .init(text: try row.decode("since")),
                ])
            }
            return table
        default:  // discounts
            var table = AdminTable(columns: [("Code", false), ("Discount", false), ("Used", true), ("Status", false)])
            table.total = try count(db, "SELECT count(*)::bigint AS n FROM discount_codes")
            for row in try db.query("""
                SELECT code, kind, percent_ppm, amount_minor, times_used, usage_limit, enabled,
                       (ends_at IS NOT NULL AND ends_at < now()) AS expired
                FROM discount_codes ORDER BY created_at DESC, id DESC LIMIT \(limit)
                """) {
                let kind: String = try row.decode("kind")
                let value: String
                switch kind {
                case "percentage":
                    let ppm: Int32 = try row.decode("percent_ppm")
                    value = "\(Double(ppm) / 10_000)% off".replacingOccurrences(of: ".0%", with: "%")
                case "fixed_amount": value = money.string(try row.decode("amount_minor")) + " off"
                default: value = "Free shipping"
                }
                let used: Int32 = try row.decode("times_used")
                let usageLimit: Int32? = try row.decode("usage_limit")
                let enabled: Bool = try row.decode("enabled")
                let expired: Bool = try row.decode("expired")
                table.rows.append([
                    .init(text: try row.decode("code"), strong: true),
                    .init(text: value),
                    .init(text: usageLimit.map { "\(used) of \($0)" } ?? String(used), numeric: true),
                    .init(text: !enabled ? "Disabled" : expired ? "Expired" : "Active",
                          badge: !enabled || expired ? "plain" : "ok"),
                ])
            }
            return table
        }
    }

    static func count(_ db: Connection, _ query: Query) throws -> Int {
        Int(try db.queryFirst(query)?.decode("n", as: Int64.self) ?? 0)
    }

    /// `partially_refunded` → `Partially refunded`.
    static func label(_ status: String) -> String {
        let spaced = status.replacingOccurrences(of: "_", with: " ")
        return spaced.prefix(1).uppercased() + spaced.dropFirst()
    }

    static func copy(_ area: AdminArea) -> (noun: String, intro: String, emptyHeading: String, emptyText: String) {
        switch area {
        case .products:
            return ("products", "Everything your store sells, most recently changed first.",
                    "Add your first product",
                    "Products are what your customers browse and buy. Once you add one with a photo and a price, it appears on your storefront right away.")
        case .orders:
            return ("orders", "Orders placed in your store, newest first.",
                    "No orders yet",
                    "When a customer checks out, the order shows up here with its payment and fulfilment status. Share your storefront link to get your first sale.")
        case .customers:
            return ("customers", "People who created an account or checked out in your store.",
                    "No customers yet",
                    "Customers appear here when they place an order or sign up on your storefront.")
        default:
            return ("discount codes", "Codes your customers can enter at checkout.",
                    "No discount codes yet",
                    "Discount codes help you run a sale or thank loyal customers: a percentage off, a fixed amount off, or free shipping.")
        }
    }
}
