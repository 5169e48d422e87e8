import Commerce
import Foundation
import HTTP
import Liquid
import Postgres

extension StorefleetApp {
    /// `GET /store/:slug/admin/orders/:number`: lines, totals, customer, payments, shipments,
    /// timeline and the action forms. After a refused action the same page comes back with the
    /// message next to the form (`errors`, refilled `form`), status 422 or 409.
    func orderDetail(_ site: PlatformSite, _ context: AdminContext, number: Int64, form: FormData? = nil,
                     errors: FormErrors? = nil, status: Status? = nil) throws -> Response {
        let views = OrderViews(context)
        let loaded = try withTenant(context.route) { db -> (OrderRecord, Row?, [String: String])? in
            guard let order = try OrderRecord.load(number: number, on: db) else { return nil }
            // Who the staff in the timeline are: the audit log keeps each one's email at the time.
            var staff: [String: String] = [:]
            for row in try db.query("""
                SELECT DISTINCT actor_id, actor_label FROM audit_log
                WHERE subject_type = 'order' AND subject_id = \(String(order.id)) AND actor_kind = 'user' AND actor_id IS NOT NULL
                """) {
                staff[try row.decode("actor_id")] = try row.decode("actor_label", as: String.self)
            }
            let customer = try order.customerId.flatMap { id in
                try db.queryFirst("""
                    SELECT id, first_name, last_name, email, phone,
                           (SELECT count(*) FROM orders WHERE customer_id = c.id)::bigint AS orders
                    FROM customers c WHERE id = \(id)
                    """)
            }
            return (order, customer, staff)
        }
        guard let (order, customer, staff) = loaded else { throw HTTPError(.notFound, "There is no order #\(number) in this store.") }
        let money = views.money

        let items: [Value] = order.items.map { i in
            [
                "id": .string(String(i.id)), "title": .string(i.title), "variant_title": .string(i.variantTitle),
                "sku": .string(i.sku ?? ""), "quantity": .int(i.quantity),
                "unit_price": .string(money.string(i.unitPriceMinor)),
                "discount": i.discountMinor > 0 ? .string(money.string(i.discountMinor)) : .nil,
                "line_total": .string(money.string(i.lineTotalMinor)),
                "fulfilled": .int(i.fulfilledQuantity), "refunded": .int(i.refundedQuantity),
                "unfulfilled": .int(i.unfulfilledQuantity), "refundable": .int(i.refundableQuantity),
                "product_url": i.productId.map { .string(context.adminURL + "/products/\($0)") } ?? .nil,
            ]
        }
        var customerValue: Value = .nil
        if let customer {
            let id: Int64 = try customer.decode("id")
            let name = [try customer.decode("first_name", as: String.self), try customer.decode("last_name", as: String.self)]
                .filter { !$0.isEmpty }.joined(separator: " ")
            let count = try customer.decode("orders", as: Int64.self)
            customerValue = ["name": .string(name.isEmpty ? order.email : name), "email": .string(try customer.decode("email")),
                             "phone": .string(try customer.decode("phone", as: String?.self) ?? ""),
                             "url": .string(context.adminURL + "/customers/\(id)"),
                             "orders": .string("\(count) \(count == 1 ? "order" : "orders")")]
        }
        var actorNames = staff.filter { !$0.value.isEmpty }
        actorNames[String(context.session.userId)] = context.session.userName
        func who(_ actor: String) -> String {
            if actor == "system" || actor.isEmpty { return "Storefleet" }
            if actor.hasPrefix("user:") { return actorNames[String(actor.dropFirst(5))] ?? "Staff" }
            if actor.hasPrefix("customer:") { return "Customer" }
            return actor
        }
        let events: [Value] = order.events.map { e in
            ["kind": .string(e.kind), "message": .string(e.message), "who": .string(who(e.actor)),
             "date": .string(views.dateTime(e.createdAt)), "comment": .bool(e.kind == "comment")]
        }
        let shipments: [Value] = order.shipments.map { s in
            ["carrier": .string(s.carrier), "tracking_number": .string(s.trackingNumber ?? ""),
             "tracking_url": .string(s.trackingURL ?? ""), "status": .string(OrderViews.label(s.status)),
             "date": .string(views.dateTime(s.shippedAt)),
             "items": .array(s.items.map { ["title": .string($0.title), "quantity": .int($0.quantity)] })]
        }
        let payments: [Value] = order.payments.map { p in
            ["method": .string(PaymentLedger.providerTitle(p.providerKind).capitalizedFirst), "reference": .string(p.reference ?? ""),
             "amount": .string(money.string(p.amountMinor)), "status": .string(OrderViews.label(p.status)),
             "ok": .bool(p.status == "succeeded"), "date": .string(views.dateTime(p.createdAt))]
        }
        let refunds: [Value] = order.refunds.map { r in
            ["amount": .string(money.string(r.amountMinor)), "reason": .string(r.reason), "reference": .string(r.reference ?? ""),
             "restock": .bool(r.restock), "date": .string(views.dateTime(r.createdAt)), "status": .string(OrderViews.label(r.status))]
        }
        let canFulfil = !order.isCancelled && order.unfulfilledQuantity > 0
        let canRefund = order.refundableMinor > 0
        let canCancel = !order.isCancelled && order.items.allSatisfy { $0.fulfilledQuantity == 0 }
        let canMarkPaid = !order.isCancelled && order.financialStatus == "pending" && order.totalMinor > 0
            && !order.payments.contains { $0.providerKind == "stripe" }
        let base = views.orderURL(order.number)
        let digits = money.places
        var assigns: [String: Value] = [
            "order": [
                "number": .string("#\(order.number)"), "email": .string(order.email),
                "date": .string(views.dateTime(order.createdAt)),
                "cancelled": .bool(order.isCancelled),
                "cancelled_at": order.cancelledAt.map { .string(views.dateTime($0)) } ?? .nil,
                "cancel_reason": order.cancelReason.map { .string(OrderCancellation.label($0)) } ?? .nil,
                "payment": OrderViews.paymentBadge(order.financialStatus),
                "fulfillment": OrderViews.fulfillmentBadge(order.fulfillmentStatus),
                "payment_method": .string(order.paymentMethodName ?? ""),
                "shipping_method": .string(order.shippingMethodName ?? ""),
                "customer_note": .string(order.customerNote), "staff_note": .string(order.staffNote),
                "discount_code": .string(order.discountCode ?? ""),
                "subtotal": .string(money.string(order.subtotalMinor)),
                "discount": order.discountMinor > 0 ? .string("−" + money.string(order.discountMinor)) : .nil,
                "shipping": .string(money.string(order.shippingMinor)),
                "tax": .string(money.string(order.taxMinor)), "taxes_included": .bool(order.taxesIncluded),
                "total": .string(money.string(order.totalMinor)),
                "paid": .string(money.string(order.paidMinor)),
                "refunded": order.refundedMinor > 0 ? .string("−" + money.string(order.refundedMinor)) : .nil,
                "net": .string(money.string(order.netMinor)),
                "refundable": .string(money.string(order.refundableMinor)),
                "refundable_input": .string(CatalogText.decimal(order.refundableMinor, digits: digits)),
                "unfulfilled": .int(order.unfulfilledQuantity),
            ],
            "items": .array(items), "events": .array(events), "shipments": .array(shipments),
            "payments": .array(payments), "refunds": .array(refunds), "customer": customerValue,
            "shipping_address": OrderViews.address(order.shippingAddress),
            "billing_address": OrderViews.address(order.billingAddress),
            "can_fulfil": .bool(canFulfil), "can_refund": .bool(canRefund), "can_cancel": .bool(canCancel),
            "can_mark_paid": .bool(canMarkPaid),
            "paid_and_cancelled": .bool(order.isCancelled && canRefund),
            "cancel_reasons": .array([("customer", "Customer changed their mind"), ("inventory", "Items unavailable"),
                                      ("fraud", "Fraudulent order"), ("declined", "Payment declined"), ("other", "Other")].map {
                ["value": .string($0.0), "label": .string($0.1)]
            }),
            "actions": [
                "mark_paid": .string(base + "/mark-paid"), "fulfil": .string(base + "/fulfil"),
                "refund": .string(base + "/refund"), "cancel": .string(base + "/cancel"),
                "note": .string(base + "/note"), "comment": .string(base + "/comment"),
                "packing_slip": .string(base + "/packing-slip"),
            ],
            "list_url": .string(context.adminURL + "/orders"),
            "currency": .string(context.route.currency),
        ]
        if let form, errors?.isEmpty == false, let message = errors?["action"] {
            assigns["action_error"] = .string(message)
            _ = form
        }
        return try AdminPages.render(site, context, area: .orders, page: "admin/orders/show", title: "Order #\(order.number)",
                                     assigns: assigns, form: form, errors: errors, status: status)
    }

    /// `GET …/orders/:number/packing-slip`: one printable page, no prices.
    func packingSlip(_ site: PlatformSite, _ context: AdminContext, number: Int64) throws -> Response {
        let views = OrderViews(context)
        let loaded = try withTenant(context.route) { db -> (OrderRecord, Row?)? in
            guard let order = try OrderRecord.load(number: number, on: db) else { return nil }
            return (order, try db.queryFirst("""
                SELECT name, contact_email, phone, address1, address2, city, province, postal_code, country_code
                FROM store_settings LIMIT 1
                """))
        }
        guard let (order, settings) = loaded else { throw HTTPError(.notFound, "There is no order #\(number) in this store.") }
        var storeLines: [Value] = []
        var storeName = context.store.name
        var contact = ""
        if let s = settings {
            let name: String = try s.decode("name")
            if !name.isEmpty { storeName = name }
            let town = [try s.decode("city", as: String.self), try s.decode("province", as: String.self),
                        try s.decode("postal_code", as: String.self)].filter { !$0.isEmpty }.joined(separator: " ")
            storeLines = [try s.decode("address1", as: String.self), try s.decode("address2", as: String.self), town,
                          try s.decode("country_code", as: String.self)].filter { !$0.isEmpty }.map(Value.string)
            contact = [try s.decode("contact_email", as: String.self), try s.decode("phone", as: String.self)]
                .filter { !$0.isEmpty }.joined(separator: " · ")
        }
        let lines: [Value] = order.items.filter { $0.requiresShipping && $0.quantity - $0.refundedQuantity > 0 }.map { i in
            ["title": .string(i.title), "variant_title": .string(i.variantTitle), "sku": .string(i.sku ?? ""),
             "quantity": .int(i.quantity - i.refundedQuantity)]
        }
        let assigns: [String: Value] = [
            "store_name": .string(storeName), "store_lines": .array(storeLines), "store_contact": .string(contact),
            "number": .string("#\(order.number)"), "date": .string(views.day(order.createdAt)),
            "ship_to": OrderViews.address(order.shippingAddress), "bill_to": OrderViews.address(order.billingAddress),
            "email": .string(order.email), "shipping_method": .string(order.shippingMethodName ?? ""),
            "customer_note": .string(order.customerNote), "lines": .array(lines),
            "units": .int(order.items.filter { $0.requiresShipping }.reduce(0) { $0 + $1.quantity - $1.refundedQuantity }),
            "order_url": .string(views.orderURL(order.number)),
        ]
        return try site.render("admin/orders/packing_slip", layout: WebPages.adminLayout,
                               title: "Packing slip #\(order.number) · \(storeName)", assigns: assigns,
                               form: nil, errors: nil, status: .ok)
    }
}

extension String {
    /// `bank transfer` → `Bank transfer`.
    var capitalizedFirst: String { prefix(1).uppercased() + dropFirst() }
}
