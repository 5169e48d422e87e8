import Commerce
import Foundation
import HTTP
import Liquid
import Postgres

/// The account page (`/account`: details, default address, order history) and an order's
/// detail page (`/account/orders/<number>`: lines, totals, status, tracking).
extension StorefleetApp {
    func accountPage(_ site: StoreSite) throws -> Response {
        try site.withTenant { db in
            let customer = try requireCustomer(site, db: db)
            let orders = try CustomerOrders.list(db, customer: customer.account)
            let addresses = try CustomerAddresses.list(db, customerId: customer.id)
            let tz = site.route.timezone
            return try customerPage(site, db: db, "account", title: "Your account", assigns: [
                "orders": .array(orders.map { Self.orderSummaryDrop($0, timezone: tz) }),
                "default_address": addresses.first(where: \.isDefault).map(Self.addressDrop) ?? .nil,
                "addresses_count": .int(addresses.count),
            ])
        }
    }

    func orderPage(_ site: StoreSite, request: Request, number raw: String) throws -> Response {
        try site.withTenant { db in
            let customer = try requireCustomer(site, db: db)
            guard let number = Int64(raw), number > 0,
                  let order = try CustomerOrders.detail(db, customer: customer.account, number: number) else {
                return try storefront.notFound(request, site, app: self)
            }
            return try customerPage(site, db: db, "order", title: "Order #\(order.summary.number)",
                                    assigns: ["order": Self.orderDetailDrop(order, timezone: site.route.timezone)])
        }
    }

    // MARK: - Drops

    static func orderSummaryDrop(_ o: CustomerOrderSummary, timezone: String) -> Value {
        let (label, tone) = statusLabel(o)
        return [
            "number": .int(Int(o.number)), "name": .string("#\(o.number)"),
            "url": .string("/account/orders/\(o.number)"),
            "date": .string(shortDate(o.createdAt, timezone: timezone)),
            "status_label": .string(label), "status_tone": .string(tone),
            "financial_status": .string(o.financialStatus), "fulfillment_status": .string(o.fulfillmentStatus),
            "cancelled": .bool(o.status == "cancelled"),
            "total": .int(Int(o.totalMinor)), "currency": .string(o.currency), "item_count": .int(o.itemCount),
        ]
    }

    /// One word or two a shopper understands, and a tone for the badge (`ok`, `wait`, `off`).
    static func statusLabel(_ o: CustomerOrderSummary) -> (String, String) {
        if o.status == "cancelled" { return ("Cancelled", "off") }
        switch o.financialStatus {
        case "refunded": return ("Refunded", "off")
        case "pending", "authorized": return ("Awaiting payment", "wait")
        case "voided": return ("Payment voided", "off")
        default: break
        }
        switch o.fulfillmentStatus {
        case "fulfilled": return ("Shipped", "ok")
        case "partial": return ("Partly shipped", "ok")
        default: return (o.financialStatus == "partially_refunded" ? "Partly refunded" : "Paid · preparing", "ok")
        }
    }

    static func orderDetailDrop(_ o: CustomerOrderDetail, timezone: String) -> Value {
        guard case .dictionary(var d) = orderSummaryDrop(o.summary, timezone: timezone) else { return .nil }
        // Buyers of a paid, not cancelled order may review what they bought (ProductReviews.purchase).
        let canReview = o.summary.status != "cancelled" && ["paid", "partially_refunded"].contains(o.summary.financialStatus)
        d["lines"] = .array(o.lines.map { l in
            ["title": .string(l.title), "variant_title": .string(l.variantTitle == "Default Title" ? "" : l.variantTitle),
             "sku": l.sku.map { .string($0) } ?? .nil, "quantity": .int(l.quantity),
             "unit_price": .int(Int(l.unitPriceMinor)), "discount": .int(Int(l.discountMinor)),
             "total": .int(Int(l.totalMinor)),
             "review_url": l.handle.flatMap { canReview ? .string("/products/" + StoreURLs.encode($0) + "/review") : nil } ?? .nil]
        })
        d["subtotal"] = .int(Int(o.subtotalMinor))
        d["discount"] = .int(Int(o.discountMinor))
        d["shipping"] = .int(Int(o.shippingMinor))
        d["tax"] = .int(Int(o.taxMinor))
        d["taxes_included"] = .bool(o.taxesIncluded)
        d["refunded"] = .int(Int(o.refundedMinor))
        d["shipping_method"] = o.shippingMethod.map { .string($0) } ?? .nil
        d["shipping_address"] = addressLines(json: o.shippingAddressJSON).map { .array($0.map { .string($0) }) } ?? .nil
        d["shipments"] = .array(o.shipments.map { s in
            ["carrier": .string(s.carrier), "tracking_number": s.trackingNumber.map { .string($0) } ?? .nil,
             "tracking_url": s.trackingURL.flatMap { $0.hasPrefix("https://") || $0.hasPrefix("http://") ? .string($0) : nil } ?? .nil,
             "status": .string(s.status.replacingOccurrences(of: "_", with: " ").capitalized),
             "date": .string(shortDate(s.shippedAt, timezone: timezone))]
        })
        return .dictionary(d)
    }

    /// An address stored by checkout as JSON, as the lines of an envelope.
    static func addressLines(json: String?) -> [String]? {
        guard let json, let data = json.data(using: .utf8),
              let object = try? JSONSerialization.jsonObject(with: data) as? [String: Any] else { return nil }
        func s(_ keys: String...) -> String {
            for k in keys { if let v = object[k] as? String, !v.isEmpty { return v } }
            return ""
        }
        let name = s("name").isEmpty ? (s("first_name") + " " + s("last_name")).trimmingWhitespace() : s("name")
        let cityLine = [s("postal_code", "zip"), s("city"), s("province_code", "province")].filter { !$0.isEmpty }.joined(separator: " ")
        let lines = [name, s("company"), s("address1"), s("address2"), cityLine,
                     s("country").isEmpty ? CountryNames.name(s("country_code")) : s("country")].filter { !$0.isEmpty }
        return lines.isEmpty ? nil : lines
    }

    static func addressDrop(_ a: CustomerAddress) -> Value {
        let name = (a.firstName + " " + a.lastName).trimmingWhitespace()
        let cityLine = [a.postalCode, a.city, a.provinceCode].filter { !$0.isEmpty }.joined(separator: " ")
        let lines = [name, a.company, a.address1, a.address2, cityLine, CountryNames.name(a.countryCode)].filter { !$0.isEmpty }
        return [
            "id": .int(Int(a.id)), "first_name": .string(a.firstName), "last_name": .string(a.lastName),
            "company": .string(a.company), "address1": .string(a.address1), "address2": .string(a.address2),
            "city": .string(a.city), "province_code": .string(a.provinceCode), "postal_code": .string(a.postalCode),
            "country_code": .string(a.countryCode), "phone": .string(a.phone), "default": .bool(a.isDefault),
            "lines": .array(lines.map { .string($0) }),
            "edit_url": .string("/account/addresses/\(a.id)"),
            "delete_url": .string("/account/addresses/\(a.id)/delete"),
            "default_url": .string("/account/addresses/\(a.id)/default"),
        ]
    }
}
