import Foundation
import Postgres

/// Where a page of the orders list starts: the last row's `created_at` (microseconds since the
/// epoch, exact) and id. As a token: `<micros>.<id>`.
public struct AdminOrderCursor: Sendable, Hashable {
    public let micros: Int64
    public let id: Int64

    public init(micros: Int64, id: Int64) {
        self.micros = micros
        self.id = id
    }

    public init?(token: String) {
        let parts = token.split(separator: ".")
        guard parts.count == 2, let m = Int64(parts[0]), let i = Int64(parts[1]) else { return nil }
        micros = m
        id = i
    }

    public var token: String { "\(micros).\(id)" }
}

/// The orders list's filters. Dates are the store's local days, `YYYY-MM-DD`, both inclusive.
public struct AdminOrderQuery: Sendable {
    public static let financialStatuses = ["pending", "authorized", "paid", "partially_refunded", "refunded", "voided"]
    public static let fulfillmentStatuses = ["unfulfilled", "partial", "fulfilled"]

    /// An order number (`1001` or `#1001`), a whole email address, or part of one.
    public var search = ""
    public var financialStatus: String?
    public var fulfillmentStatus: String?
    /// `open` or `cancelled`.
    public var status: String?
    public var fromDay: String?
    public var toDay: String?
    public var timezone = "UTC"
    public var after: AdminOrderCursor?
    public var before: AdminOrderCursor?
    public var limit = 50

    public init() {}

    /// `2026-12-06` (a real date), else nil.
    public static func day(_ text: String?) -> String? {
        guard let text, text.count == 10 else { return nil }
        let f = DateFormatter()
        f.locale = Locale(identifier: "en_US_POSIX")
        f.timeZone = TimeZone(identifier: "UTC")
        f.dateFormat = "yyyy-MM-dd"
        guard let date = f.date(from: text), f.string(from: date) == text else { return nil }
        return text
    }

    public var isFiltered: Bool {
        !search.isEmpty || financialStatus != nil || fulfillmentStatus != nil || status != nil || fromDay != nil || toDay != nil
    }
}

public struct AdminOrderRow: Sendable {
    public let id: Int64
    public let number: Int64
    public let email: String
    public let customerName: String
    public let status: String
    public let financialStatus: String
    public let fulfillmentStatus: String
    public let totalMinor: Int64
    public let refundedMinor: Int64
    public let itemCount: Int
    public let createdAt: Date
    public let cursor: AdminOrderCursor
}

public struct AdminOrderPage: Sendable {
    public var rows: [AdminOrderRow]
    public var next: AdminOrderCursor?
    public var previous: AdminOrderCursor?
    /// Orders matching the filters (all pages).
    public var matching: Int
}

/// The orders list: newest first, keyset pages over `(created_at, id)`, so page 200 costs what
/// page 1 does. Each filter keeps to an index: `orders_created`, `orders_financial_created`,
/// `orders_fulfillment_created` (status first, then the same order), `orders_number_key` for a
/// number, `orders_email` for a whole address (`lower(email)`), `orders_email_prefix` for the
/// start of one. Counts stop at `countCap`.
public enum AdminOrderList {
    public static func page(_ query: AdminOrderQuery, on db: Connection) throws -> AdminOrderPage {
        let filter = where_(query)
        let backwards = query.before != nil
        var keyset: Query = ""
        if let c = query.after {
            keyset = " AND (o.created_at, o.id) < (timestamptz 'epoch' + \(c.micros) * interval '1 microsecond', \(c.id))"
        } else if let c = query.before {
            keyset = " AND (o.created_at, o.id) > (timestamptz 'epoch' + \(c.micros) * interval '1 microsecond', \(c.id))"
        }
        let order: Query = backwards ? " ORDER BY o.created_at, o.id" : " ORDER BY o.created_at DESC, o.id DESC"
        let limit = Int32(query.limit + 1)
        var rows = try db.query("""
            SELECT o.id, o.number, o.email, o.status, o.financial_status, o.fulfillment_status, o.total_minor,
                   o.refunded_minor, o.created_at,
                   (extract(epoch FROM o.created_at) * 1000000)::bigint AS micros,
                   coalesce(nullif(btrim(c.first_name || ' ' || c.last_name), ''),
                            nullif(btrim(coalesce(o.shipping_address->>'first_name', '') || ' ' || coalesce(o.shipping_address->>'last_name', '')), ''),
                            '') AS customer_name,
                   (SELECT coalesce(sum(quantity), 0) FROM order_items i WHERE i.order_id = o.id)::bigint AS items
            FROM orders o LEFT JOIN customers c ON c.id = o.customer_id
            WHERE true\(filter)\(keyset)\(order) LIMIT \(limit)
            """).map { r in
            let id: Int64 = try r.decode("id")
            return AdminOrderRow(id: id, number: try r.decode("number"), email: try r.decode("email"),
                                 customerName: try r.decode("customer_name"), status: try r.decode("status"),
                                 financialStatus: try r.decode("financial_status"), fulfillmentStatus: try r.decode("fulfillment_status"),
                                 totalMinor: try r.decode("total_minor"), refundedMinor: try r.decode("refunded_minor"),
                                 itemCount: Int(try r.decode("items", as: Int64.self)), createdAt: try r.decode("created_at"),
                                 cursor: AdminOrderCursor(micros: try r.decode("micros"), id: id))
        }
        let more = rows.count > query.limit
        if more { rows.removeLast() }
        if backwards { rows.reverse() }
        var page = AdminOrderPage(rows: rows, next: nil, previous: nil, matching: 0)
        if backwards {
            page.next = rows.last?.cursor
            page.previous = more ? rows.first?.cursor : nil
        } else {
            page.next = more ? rows.last?.cursor : nil
            page.previous = query.after != nil ? rows.first?.cursor : nil
        }
        // Counted up to a cap: an exact count of 200,000 orders costs more than the page itself.
        page.matching = Int(try db.queryFirst("""
            SELECT count(*)::bigint AS n FROM (SELECT 1 FROM orders o WHERE true\(filter) LIMIT \(Int32(countCap + 1))) capped
            """)?.decode("n", as: Int64.self) ?? 0)
        return page
    }

    /// Counts stop here; a page shows "10000+".
    public static let countCap = 10_000

    /// The header's "to fulfil / awaiting payment" figures stop here ("1000+").
    public static let attentionCap = 1000

    /// How many orders need the merchant (each counted up to `attentionCap` + 1): unpaid
    /// (pending) ones and paid ones not fully fulfilled, not cancelled.
    public static func attention(on db: Connection) throws -> (unpaid: Int, toFulfil: Int) {
        let cap = Int32(attentionCap + 1)
        let r = try db.queryFirst("""
            SELECT (SELECT count(*) FROM (SELECT 1 FROM orders WHERE financial_status = 'pending' AND status = 'open'
                                          LIMIT \(cap)) a)::bigint AS unpaid,
                   (SELECT count(*) FROM (SELECT 1 FROM orders WHERE fulfillment_status IN ('unfulfilled', 'partial')
                                          AND status = 'open' AND financial_status IN ('paid', 'partially_refunded')
                                          LIMIT \(cap)) b)::bigint AS to_fulfil
            """)!
        return (Int(try r.decode("unpaid", as: Int64.self)), Int(try r.decode("to_fulfil", as: Int64.self)))
    }

    /// The WHERE conditions (each starting with ` AND`), every value bound.
    static func where_(_ query: AdminOrderQuery) -> Query {
        var q: Query = ""
        if let f = query.financialStatus { q.append(" AND o.financial_status = \(f)") }
        if let f = query.fulfillmentStatus { q.append(" AND o.fulfillment_status = \(f)") }
        if let s = query.status { q.append(" AND o.status = \(s)") }
        if let from = query.fromDay {
            q.append(" AND o.created_at >= (\(from)::date)::timestamp AT TIME ZONE \(query.timezone)")
        }
        if let to = query.toDay {
            q.append(" AND o.created_at < ((\(to)::date) + 1)::timestamp AT TIME ZONE \(query.timezone)")
        }
        let search = query.search.orderTrimmed
        if !search.isEmpty {
            let digits = search.hasPrefix("#") ? String(search.dropFirst()) : search
            if let number = Int64(digits), !digits.isEmpty {
                q.append(" AND o.number = \(number)")
            } else if let at = search.firstIndex(of: "@"), at != search.startIndex, search[at...].contains("."), !search.contains(" ") {
                // A whole address: the `orders_email` index.
                q.append(" AND lower(o.email) = lower(\(search))")
            } else {
                // The start of an address: `orders_email_prefix` (text_pattern_ops, tenant 0014).
                let pattern = search.lowercased().replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "%", with: "\\%")
                    .replacingOccurrences(of: "_", with: "\\_") + "%"
                q.append(" AND lower(o.email) LIKE \(pattern)")
            }
        }
        return q
    }
}
