import Commerce
import Foundation
import Postgres

extension CheckoutQuote {
    /// The quote for a cart and what the shopper chose so far (`Pricing.quote`). `discountCode`
    /// overrides the one saved on the cart (a code being tried, `.some(nil)` for none).
    /// `rules` supplies the pricing rules (a worker's `CheckoutSettings`); nil reads them.
    static func make(_ db: Connection, cart: CartContents, details: CheckoutDetails, customerId: Int64?,
                     discountCode: String?? = nil,
                     rules: ((PricingAddress?, Bool) throws -> Pricing.LoadedRules)? = nil) throws -> CheckoutQuote {
        let code = discountCode ?? details.discountCode
        let lines = cart.lines.map {
            PricingLine(variantId: $0.variantId, productId: $0.productId, quantity: $0.quantity,
                        unitPriceMinor: $0.unitPriceMinor, weightGrams: $0.weightGrams,
                        requiresShipping: $0.requiresShipping, taxable: $0.taxable)
        }
        let address = details.shippingAddress.map {
            PricingAddress(countryCode: $0.countryCode, regionCode: $0.provinceCode.isEmpty ? nil : $0.provinceCode)
        }
        let quote = try Pricing.quote(db, lines: lines, currency: cart.currency, address: address,
                                      shippingRateId: details.shippingRateId, discountCode: code,
                                      customerId: customerId, email: details.email, now: Date(), rules: rules)
        let priced = Dictionary(quote.lines.map { ($0.variantId, $0) }, uniquingKeysWith: { a, _ in a })
        func choice(_ o: ShippingOption) -> ShippingChoice {
            ShippingChoice(id: o.rateId, name: o.name, priceMinor: o.priceMinor, daysMin: o.deliveryDaysMin,
                           daysMax: o.deliveryDaysMax)
        }
        return CheckoutQuote(
            lines: cart.lines.map { line in
                let p = priced[line.variantId]
                return Line(variantId: line.variantId, quantity: line.quantity, unitPriceMinor: line.unitPriceMinor,
                            discountMinor: p?.discountMinor ?? 0, taxMinor: p?.taxMinor ?? 0, taxRatePPM: p?.taxRatePpm ?? 0)
            },
            subtotalMinor: quote.subtotalMinor, discountMinor: quote.discountMinor, shippingMinor: quote.shippingMinor,
            taxMinor: quote.taxMinor, totalMinor: quote.totalMinor, taxesIncluded: quote.taxesIncluded,
            discountCode: quote.discount?.code, discountCodeId: quote.discount?.id,
            discountAmountMinor: quote.discount?.amountMinor ?? 0,
            discountError: (code ?? "").isEmpty ? nil : quote.discountError,
            shippingOptions: quote.shippingOptions.map(choice), shipping: quote.shipping.map(choice),
            requiresShipping: quote.shippingRequired)
    }

    /// Takes the discount's use inside the order's transaction; a code used up meanwhile throws
    /// `DiscountUsageError` and the order is not placed.
    static func takeDiscount(_ db: Connection, quote: CheckoutQuote, order: PlacedOrder, customerId: Int64?) throws {
        guard let id = quote.discountCodeId else { return }
        try DiscountUsage.take(db, discountId: id, orderId: order.id, customerId: customerId, email: order.email,
                               amountMinor: quote.discountAmountMinor)
    }
}
