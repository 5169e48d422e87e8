import Commerce
import Foundation
import HTTP
import Liquid

extension StorefleetApp {
    /// `GET /store/:slug/admin/orders?q=&payment=&fulfillment=&status=&from=&to=&after=&before=`.
    /// Unknown filter values are ignored; a malformed cursor shows the first page.
    func orderList(_ site: PlatformSite, _ context: AdminContext, query form: FormData) throws -> Response {
        var query = AdminOrderQuery()
        query.timezone = TimeZone(identifier: context.route.timezone) != nil ? context.route.timezone : "UTC"
        query.search = String((form["q"] ?? "").trimmingWhitespace().prefix(200))
        query.financialStatus = form["payment"].flatMap { AdminOrderQuery.financialStatuses.contains($0) ? $0 : nil }
        query.fulfillmentStatus = form["fulfillment"].flatMap { AdminOrderQuery.fulfillmentStatuses.contains($0) ? $0 : nil }
        query.status = form["status"].flatMap { ["open", "cancelled"].contains($0) ? $0 : nil }
        query.fromDay = AdminOrderQuery.day(form["from"])
        query.toDay = AdminOrderQuery.day(form["to"])
        query.after = form["after"].flatMap(AdminOrderCursor.init(token:))
        query.before = query.after == nil ? form["before"].flatMap(AdminOrderCursor.init(token:)) : nil
        var errors = FormErrors()
        if let from = form["from"], !from.isEmpty, query.fromDay == nil { errors.add("from", "Enter a date like 2026-12-31.") }
        if let to = form["to"], !to.isEmpty, query.toDay == nil { errors.add("to", "Enter a date like 2026-12-31.") }
        if let from = query.fromDay, let to = query.toDay, to < from { errors.add("to", "The end date is before the start date.") }

        let views = OrderViews(context)
        let (page, attention, any) = try withTenant(context.route) { db in
            (try AdminOrderList.page(query, on: db), try AdminOrderList.attention(on: db),
             try db.queryFirst("SELECT EXISTS (SELECT 1 FROM orders) AS any")?.decode("any", as: Bool.self) ?? false)
        }
        let base = context.adminURL + "/orders"
        let current: [(String, String?)] = [
            ("q", query.search.isEmpty ? nil : query.search), ("payment", query.financialStatus),
            ("fulfillment", query.fulfillmentStatus), ("status", query.status), ("from", query.fromDay), ("to", query.toDay),
        ]
        func link(_ changes: [String: String?]) -> String {
            var items: [(String, String)] = []
            for (key, value) in current where !changes.keys.contains(key) { if let value { items.append((key, value)) } }
            for key in ["payment", "fulfillment", "status", "after", "before"] {
                if let change = changes[key], let value = change { items.append((key, value)) }
            }
            return items.isEmpty ? base : base + "?" + items.map { "\($0.0)=\(FormEncoding.encode($0.1))" }.joined(separator: "&")
        }
        func options(_ values: [String], selected: String?, label: (String) -> String) -> Value {
            .array(values.map { ["value": .string($0), "label": .string(label($0)), "selected": .bool($0 == selected)] })
        }
        // Quick views, as tabs above the table.
        let views_: [(String, String, [String: String?])] = [
            ("all", "All", ["payment": nil, "fulfillment": nil, "status": nil]),
            ("unpaid", "Unpaid", ["payment": "pending", "fulfillment": nil, "status": "open"]),
            ("unfulfilled", "Unfulfilled", ["payment": nil, "fulfillment": "unfulfilled", "status": "open"]),
            ("cancelled", "Cancelled", ["payment": nil, "fulfillment": nil, "status": "cancelled"]),
        ]
        let currentView: String
        switch (query.financialStatus, query.fulfillmentStatus, query.status) {
        case (nil, nil, nil): currentView = "all"
        case ("pending", nil, "open"): currentView = "unpaid"
        case (nil, "unfulfilled", "open"): currentView = "unfulfilled"
        case (nil, nil, "cancelled"): currentView = "cancelled"
        default: currentView = ""
        }
        let assigns: [String: Value] = [
            "rows": .array(page.rows.map(views.row)),
            "matching": .int(page.matching),
            "matching_label": .string(page.matching > AdminOrderList.countCap ? "\(AdminOrderList.countCap)+" : String(page.matching)),
            "has_orders": .bool(any),
            "filtered": .bool(query.isFiltered),
            "q": .string(query.search),
            "from": .string(query.fromDay ?? form["from"] ?? ""), "to": .string(query.toDay ?? form["to"] ?? ""),
            "payments": options(AdminOrderQuery.financialStatuses, selected: query.financialStatus, label: OrderViews.label),
            "fulfillments": options(AdminOrderQuery.fulfillmentStatuses, selected: query.fulfillmentStatus) {
                $0 == "partial" ? "Partially fulfilled" : OrderViews.label($0)
            },
            "statuses": options(["open", "cancelled"], selected: query.status, label: OrderViews.label),
            "tabs": .array(views_.map { key, title, changes in
                ["title": .string(title), "url": .string(link(changes.merging(["q": nil, "from": nil, "to": nil]) { a, _ in a })),
                 "current": .bool(key == currentView)]
            }),
            "unpaid_count": .int(attention.unpaid), "to_fulfil_count": .int(attention.toFulfil),
            "unpaid_label": .string(attention.unpaid > AdminOrderList.attentionCap ? "\(AdminOrderList.attentionCap)+" : String(attention.unpaid)),
            "to_fulfil_label": .string(attention.toFulfil > AdminOrderList.attentionCap ? "\(AdminOrderList.attentionCap)+" : String(attention.toFulfil)),
            "next_url": page.next.map { .string(link(["after": $0.token])) } ?? .nil,
            "previous_url": page.previous.map { .string(link(["before": $0.token])) } ?? .nil,
            "list_url": .string(base),
            "storefront_url": .string(AdminPages.storefrontURL(site, context)),
        ]
        return try AdminPages.render(site, context, area: .orders, page: "admin/orders/list", title: "Orders",
                                     assigns: assigns, errors: errors, status: .ok)
    }
}
