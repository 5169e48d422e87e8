import Commerce
import Liquid

/// `checkout` for the theme's `checkout.liquid`: the lines as they will be bought, the sums from
/// the quote (money in minor units for the `money` filter), and what was chosen so far.
struct CheckoutView {
    let state: CheckoutFlow.State
    let quote: CheckoutQuote
    let storeId: Int64

    var liquid: Value {
        let mediaPrefix = "/media/sf_store_\(storeId)/"
        let discounts = Dictionary(quote.lines.map { ($0.variantId, $0) }, uniquingKeysWith: { a, _ in a })
        let items: [Value] = state.cart.lines.map { line in
            var d: [String: Value] = [
                "title": .string(line.productTitle),
                "variant_title": line.isDefaultVariant ? .nil : .string(line.variantTitle),
                "quantity": .int(line.quantity),
                "price": .int(Int(line.unitPriceMinor)),
                "line_price": .int(Int(line.lineTotalMinor)),
                "discount": .int(Int(discounts[line.variantId]?.discountMinor ?? 0)),
                "url": .string("/products/" + StoreURLs.encode(line.handle)),
            ]
            if let key = line.imageKey {
                d["image"] = .string(key.hasPrefix("/") ? key : mediaPrefix + key)
            }
            return .dictionary(d)
        }
        let address = state.details.shippingAddress
        return [
            "items": .array(items),
            "item_count": .int(state.cart.itemCount),
            "email": .string(state.details.email ?? ""),
            "shipping_address": address.map { a in
                ["lines": .array(a.lines.map { .string($0) }), "summary": .string(a.lines.dropFirst().joined(separator: ", "))]
            } ?? .nil,
            "requires_shipping": .bool(quote.requiresShipping),
            "shipping_options": .array(quote.shippingOptions.map { o in
                ["id": .int(Int(o.id)), "name": .string(o.name), "price": .int(Int(o.priceMinor)),
                 "delivery": .string(CheckoutView.delivery(o)),
                 "selected": .bool(o.id == (quote.shipping?.id ?? quote.shippingOptions.first?.id))]
            }),
            "shipping_method": quote.shipping.map { .string($0.name) } ?? .nil,
            "subtotal": .int(Int(quote.subtotalMinor)),
            "discount": .int(Int(quote.discountMinor)),
            "discount_code": quote.discountCode.map { .string($0) } ?? .nil,
            "shipping": .int(Int(quote.shippingMinor)),
            "shipping_known": .bool(quote.shipping != nil || !quote.requiresShipping),
            "tax": .int(Int(quote.taxMinor)),
            "taxes_included": .bool(quote.taxesIncluded),
            "total": .int(Int(quote.totalMinor)),
            "currency": .string(state.cart.currency),
        ]
    }

    /// "2–5 business days", "3 business days", or "".
    static func delivery(_ option: CheckoutQuote.ShippingChoice) -> String {
        switch (option.daysMin, option.daysMax) {
        case let (min?, max?) where min != max: return "\(min)–\(max) business days"
        case let (days?, _), let (nil, days?): return days == 1 ? "1 business day" : "\(days) business days"
        default: return ""
        }
    }
}
