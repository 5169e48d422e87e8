import Commerce
import Postgres

extension CheckoutQuote {
    /// The quote for a cart and what the shopper chose so far.
    static func make(_ db: Connection, cart: CartContents, details: CheckoutDetails, customerId: Int64?,
                     discountCode: String?? = nil) throws -> CheckoutQuote {
        let code = discountCode ?? details.discountCode
        let requiresShipping = cart.lines.contains(where: \.requiresShipping)
        var options: [ShippingChoice] = []
        if requiresShipping, let country = details.shippingAddress?.countryCode {
            let rows = try db.query("""
                SELECT r.id, r.name, r.kind, r.price_minor, r.min_weight_grams, r.max_weight_grams, r.min_subtotal_minor,
                       r.max_subtotal_minor, r.free_over_minor, r.delivery_days_min, r.delivery_days_max
                FROM shipping_rates r JOIN shipping_zones z ON z.id = r.zone_id
                WHERE z.id = coalesce(
                    (SELECT zone_id FROM shipping_zone_countries WHERE country_code = \(country) LIMIT 1),
                    (SELECT id FROM shipping_zones WHERE rest_of_world))
                ORDER BY r.position, r.id
                """)
            let weight = cart.shippingWeightGrams, subtotal = cart.subtotalMinor
            for r in rows {
                let kind: String = try r.decode("kind")
                if kind == "weight" {
                    if let min: Int = try r.decode("min_weight_grams"), weight < min { continue }
                    if let max: Int = try r.decode("max_weight_grams"), weight > max { continue }
                }
                if kind == "price" {
                    if let min: Int64 = try r.decode("min_subtotal_minor"), subtotal < min { continue }
                    if let max: Int64 = try r.decode("max_subtotal_minor"), subtotal > max { continue }
                }
                var price: Int64 = try r.decode("price_minor")
                if let free: Int64 = try r.decode("free_over_minor"), subtotal >= free { price = 0 }
                options.append(ShippingChoice(id: try r.decode("id"), name: try r.decode("name"), priceMinor: price,
                                              daysMin: try r.decode("delivery_days_min"), daysMax: try r.decode("delivery_days_max")))
            }
        }
        let chosen = options.first { $0.id == details.shippingRateId }
        let shipping = chosen?.priceMinor ?? 0
        let lines = cart.lines.map {
            Line(variantId: $0.variantId, quantity: $0.quantity, unitPriceMinor: $0.unitPriceMinor,
                 discountMinor: 0, taxMinor: 0, taxRatePPM: 0)
        }
        return CheckoutQuote(lines: lines, subtotalMinor: cart.subtotalMinor, discountMinor: 0, shippingMinor: shipping,
                             taxMinor: 0, totalMinor: cart.subtotalMinor + shipping, taxesIncluded: false,
                             discountCode: nil, discountCodeId: nil,
                             discountError: (code ?? "").isEmpty ? nil : "This code can't be used yet.",
                             shippingOptions: options, shipping: chosen, requiresShipping: requiresShipping)
    }

    /// Takes the discount's use inside the order's transaction.
    static func takeDiscount(_ db: Connection, quote: CheckoutQuote, order: PlacedOrder, customerId: Int64?) throws {
    }
}
