import Commerce
import Postgres

/// The sums checkout shows and orders keep, from the store's pricing (shipping zones and rates,
/// tax rates, discount codes) for the cart as it is now.
struct CheckoutQuote {
    struct Line {
        let variantId: Int64
        let quantity: Int
        let unitPriceMinor: Int64
        let discountMinor: Int64
        let taxMinor: Int64
        let taxRatePPM: Int
    }

    struct ShippingChoice {
        let id: Int64
        let name: String
        let priceMinor: Int64
        let daysMin: Int?
        let daysMax: Int?
    }

    var lines: [Line]
    var subtotalMinor: Int64
    var discountMinor: Int64
    var shippingMinor: Int64
    var taxMinor: Int64
    var totalMinor: Int64
    var taxesIncluded: Bool
    /// The code that applies, with its row; nil when none was entered or it does not apply.
    var discountCode: String?
    var discountCodeId: Int64?
    /// What the code takes off (shipping included for a free-shipping code).
    var discountAmountMinor: Int64
    /// Why the entered code does not apply, shown next to the field.
    var discountError: String?
    var shippingOptions: [ShippingChoice]
    /// The chosen rate when it is one of `shippingOptions`.
    var shipping: ShippingChoice?
    var requiresShipping: Bool

    /// The draft lines for `OrderPlacement`.
    var draftLines: [OrderDraftLine] {
        lines.map { OrderDraftLine(variantId: $0.variantId, quantity: $0.quantity, unitPriceMinor: $0.unitPriceMinor,
                                   discountMinor: $0.discountMinor, taxMinor: $0.taxMinor, taxRatePPM: $0.taxRatePPM) }
    }
}
