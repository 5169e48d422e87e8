import Foundation
import Postgres

/// Customers in the store admin: the list with their order counts and what they spent, and one
/// customer's page. "Spent" follows the dashboard's sales (`SalesReport`): orders that are paid
/// (`paid`, `partially_refunded`, `refunded`) and not cancelled, at their total less refunds.
public enum CustomerAdmin {
    public struct Row: Sendable {
        public let id: Int64
        public let name: String
        public let email: String
        public let hasAccount: Bool
        public let acceptsMarketing: Bool
        public let orders: Int
        public let spentMinor: Int64
        public let lastOrderAt: Date?
        public let lastOrderNumber: Int64?
        public let createdAt: Date
    }

    public struct Page: Sendable {
        public var rows: [Row]
        /// The offset of the next page, when there is one.
        public var nextOffset: Int?
        public var matching: Int
    }

    /// The SQL of a customer's totals, as columns `orders`, `spent`, `last_at`, `last_number`.
    static let totals: Query = """
        (SELECT count(*) FROM orders o WHERE o.customer_id = c.id)::bigint AS orders,
        (SELECT coalesce(sum(o.total_minor - o.refunded_minor), 0) FROM orders o
         WHERE o.customer_id = c.id AND o.status <> 'cancelled'
           AND o.financial_status IN ('paid', 'partially_refunded', 'refunded'))::bigint AS spent,
        (SELECT max(o.created_at) FROM orders o WHERE o.customer_id = c.id) AS last_at,
        (SELECT o.number FROM orders o WHERE o.customer_id = c.id ORDER BY o.created_at DESC, o.id DESC LIMIT 1) AS last_number
        """

    /// Newest customers first; `search` matches name or email (part of either).
    public static func page(search raw: String, offset: Int, limit: Int = 50, on db: Connection) throws -> Page {
        let search = raw.orderTrimmed
        var filter: Query = ""
        if !search.isEmpty {
            let pattern = "%" + search.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "%", with: "\\%")
                .replacingOccurrences(of: "_", with: "\\_") + "%"
            filter = " WHERE (c.email ILIKE \(pattern) OR (c.first_name || ' ' || c.last_name) ILIKE \(pattern))"
        }
        var rows = try db.query("""
            SELECT c.id, c.first_name, c.last_name, c.email, c.password_hash IS NOT NULL AS account, c.accepts_marketing,
                   c.created_at, \(totals)
            FROM customers c\(filter)
            ORDER BY c.created_at DESC, c.id DESC LIMIT \(Int32(limit + 1)) OFFSET \(Int32(max(0, offset)))
            """).map(row)
        let more = rows.count > limit
        if more { rows.removeLast() }
        let matching = Int(try db.queryFirst("SELECT count(*)::bigint AS n FROM customers c\(filter)")?.decode("n", as: Int64.self) ?? 0)
        return Page(rows: rows, nextOffset: more ? offset + limit : nil, matching: matching)
    }

    static func row(_ r: Row_) throws -> Row {
        let name = [try r.decode("first_name", as: String.self), try r.decode("last_name", as: String.self)]
            .filter { !$0.isEmpty }.joined(separator: " ")
        return Row(id: try r.decode("id"), name: name, email: try r.decode("email"), hasAccount: try r.decode("account"),
                   acceptsMarketing: try r.decode("accepts_marketing"), orders: Int(try r.decode("orders", as: Int64.self)),
                   spentMinor: try r.decode("spent"), lastOrderAt: try r.decode("last_at"),
                   lastOrderNumber: try r.decode("last_number"), createdAt: try r.decode("created_at"))
    }
    typealias Row_ = Postgres.Row

    public struct Detail: Sendable {
        public let summary: Row
        public let phone: String?
        public let note: String
        public let tags: [String]
        public let addresses: [(address: OrderAddress, isDefault: Bool)]
        public let orders: [AdminOrderRow]
    }

    public static func load(id: Int64, on db: Connection) throws -> Detail? {
        guard let r = try db.queryFirst("""
            SELECT c.id, c.first_name, c.last_name, c.email, c.password_hash IS NOT NULL AS account, c.accepts_marketing,
                   c.created_at, c.phone, c.note, c.tags, \(totals)
            FROM customers c WHERE c.id = \(id)
            """) else { return nil }
        let addresses = try db.query("""
            SELECT first_name, last_name, company, address1, address2, city, coalesce(province_code, '') AS province_code,
                   postal_code, country_code, coalesce(phone, '') AS phone, is_default
            FROM customer_addresses WHERE customer_id = \(id) ORDER BY is_default DESC, id
            """).map { a in
            var address = OrderAddress()
            address.firstName = try a.decode("first_name"); address.lastName = try a.decode("last_name")
            address.company = try a.decode("company"); address.address1 = try a.decode("address1")
            address.address2 = try a.decode("address2"); address.city = try a.decode("city")
            address.provinceCode = try a.decode("province_code"); address.postalCode = try a.decode("postal_code")
            address.countryCode = try a.decode("country_code"); address.phone = try a.decode("phone")
            return (address, try a.decode("is_default", as: Bool.self))
        }
        let orders = try db.query("""
            SELECT o.id, o.number, o.email, o.status, o.financial_status, o.fulfillment_status, o.total_minor,
                   o.refunded_minor, o.created_at, (extract(epoch FROM o.created_at) * 1000000)::bigint AS micros,
                   (SELECT coalesce(sum(quantity), 0) FROM order_items i WHERE i.order_id = o.id)::bigint AS items
            FROM orders o WHERE o.customer_id = \(id) ORDER BY o.created_at DESC, o.id DESC LIMIT 100
            """).map { o in
            let oid: Int64 = try o.decode("id")
            return AdminOrderRow(id: oid, number: try o.decode("number"), email: try o.decode("email"), customerName: "",
                                 status: try o.decode("status"), financialStatus: try o.decode("financial_status"),
                                 fulfillmentStatus: try o.decode("fulfillment_status"), totalMinor: try o.decode("total_minor"),
                                 refundedMinor: try o.decode("refunded_minor"), itemCount: Int(try o.decode("items", as: Int64.self)),
                                 createdAt: try o.decode("created_at"), cursor: AdminOrderCursor(micros: try o.decode("micros"), id: oid))
        }
        return Detail(summary: try row(r), phone: try r.decode("phone"), note: try r.decode("note"),
                      tags: try r.decode("tags"), addresses: addresses, orders: orders)
    }

    /// Saves the merchant's note and tags (comma separated, trimmed, duplicates dropped, at most 50).
    public static func update(id: Int64, note raw: String, tags rawTags: String, by actor: CatalogActor, on db: Connection) throws {
        let note = raw.orderTrimmed
        if note.count > 5000 { throw OrderActionError(.invalid, "Keep the note under 5000 characters.", field: "note") }
        var tags: [String] = []
        for part in rawTags.split(separator: ",") {
            let tag = String(part).orderTrimmed
            if tag.isEmpty || tags.contains(where: { $0.lowercased() == tag.lowercased() }) { continue }
            if tag.count > 40 { throw OrderActionError(.invalid, "Keep each tag under 40 characters.", field: "tags") }
            tags.append(tag)
        }
        if tags.count > 50 { throw OrderActionError(.invalid, "Use at most 50 tags.", field: "tags") }
        try db.transaction { db in
            guard try db.execute("UPDATE customers SET note = \(note), tags = \(tags) WHERE id = \(id)") == 1 else {
                throw OrderActionError(.notFound, "That customer does not exist.")
            }
            try CatalogAudit.record("customer.update", subjectType: "customer", subjectId: id,
                                    details: ["tags": .list(tags)], by: actor, on: db)
        }
    }
}
