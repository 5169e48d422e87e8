import Foundation

/// One cart line as pricing sees it: what it costs, weighs and whether it ships or is taxed.
public struct PricingLine: Sendable, Hashable {
    public var variantId: Int64
    public var productId: Int64
    public var quantity: Int
    public var unitPriceMinor: Int64
    /// Weight of one unit.
    public var weightGrams: Int
    public var requiresShipping: Bool
    public var taxable: Bool

    public init(variantId: Int64, productId: Int64, quantity: Int, unitPriceMinor: Int64,
                weightGrams: Int = 0, requiresShipping: Bool = true, taxable: Bool = true) {
        self.variantId = variantId
        self.productId = productId
        self.quantity = quantity
        self.unitPriceMinor = unitPriceMinor
        self.weightGrams = weightGrams
        self.requiresShipping = requiresShipping
        self.taxable = taxable
    }

    /// unit × quantity.
    public var amountMinor: Int64 { unitPriceMinor * Int64(quantity) }
}

/// Where the order goes: picks the shipping zone and the tax rate.
public struct PricingAddress: Sendable, Hashable {
    /// ISO 3166-1 alpha-2 (matched upper-cased).
    public var countryCode: String
    /// ISO 3166-2 subdivision, e.g. `CA` in the US (matched upper-cased); nil or empty for none.
    public var regionCode: String?

    public init(countryCode: String, regionCode: String? = nil) {
        self.countryCode = countryCode
        self.regionCode = regionCode
    }
}

/// A shipping rate the shopper may choose for this cart and address.
public struct ShippingOption: Sendable, Equatable, Hashable {
    public var rateId: Int64
    public var name: String
    /// The price for this cart, after "free over X" (0 when it applies), before discount codes.
    public var priceMinor: Int64
    public var deliveryDaysMin: Int?
    public var deliveryDaysMax: Int?

    public init(rateId: Int64, name: String, priceMinor: Int64, deliveryDaysMin: Int? = nil, deliveryDaysMax: Int? = nil) {
        self.rateId = rateId
        self.name = name
        self.priceMinor = priceMinor
        self.deliveryDaysMin = deliveryDaysMin
        self.deliveryDaysMax = deliveryDaysMax
    }
}

/// The discount code the quote applied.
public struct AppliedDiscount: Sendable, Equatable, Hashable {
    public var id: Int64
    /// As the merchant spelled it (codes match case-insensitively).
    public var code: String
    /// `percentage`, `fixed_amount` or `free_shipping`.
    public var kind: String
    /// The total taken off, shipping included for `free_shipping`.
    public var amountMinor: Int64

    public init(id: Int64, code: String, kind: String, amountMinor: Int64) {
        self.id = id
        self.code = code
        self.kind = kind
        self.amountMinor = amountMinor
    }
}

/// One line's share of the discount and its tax (in the order of the input lines).
public struct PricedLine: Sendable, Equatable, Hashable {
    public var variantId: Int64
    /// ≤ unit × quantity; the line discounts add up exactly to the code's line discount.
    public var discountMinor: Int64
    public var taxMinor: Int64
    public var taxRatePpm: Int

    public init(variantId: Int64, discountMinor: Int64, taxMinor: Int64, taxRatePpm: Int) {
        self.variantId = variantId
        self.discountMinor = discountMinor
        self.taxMinor = taxMinor
        self.taxRatePpm = taxRatePpm
    }
}

/// One tax as the order summary lists it ("VAT 20%: €3.40").
public struct TaxLine: Sendable, Equatable, Hashable {
    public var name: String
    public var ratePpm: Int
    public var amountMinor: Int64

    public init(name: String, ratePpm: Int, amountMinor: Int64) {
        self.name = name
        self.ratePpm = ratePpm
        self.amountMinor = amountMinor
    }
}

/// Everything checkout shows and the order stores. The sums satisfy the `orders` CHECK:
/// `total = subtotal − discount + shipping (+ tax unless taxesIncluded)`.
public struct Quote: Sendable, Equatable {
    public var lines: [PricedLine]
    /// Σ unit × quantity, before discounts.
    public var subtotalMinor: Int64
    /// Every discount: the line discounts plus the shipping discount of a free-shipping code.
    public var discountMinor: Int64
    /// The chosen rate's price before discount codes (0 when none is chosen or none is needed).
    public var shippingMinor: Int64
    /// All tax; included in the prices (not added to the total) when `taxesIncluded`.
    public var taxMinor: Int64
    public var totalMinor: Int64
    public var taxesIncluded: Bool
    /// True when some line requires shipping: checkout must then have a `shipping` chosen.
    public var shippingRequired: Bool
    /// Cheapest first. Empty when nothing ships, there is no address, or no zone covers it.
    public var shippingOptions: [ShippingOption]
    /// The chosen option; nil when none was asked for or the one asked for is not offered.
    public var shipping: ShippingOption?
    public var discount: AppliedDiscount?
    /// Why the entered code was not applied, for the shopper ("This code has expired").
    public var discountError: String?
    public var taxLines: [TaxLine]
    /// The part of `discountMinor` that came off shipping.
    public var shippingDiscountMinor: Int64
    /// The tax on shipping (part of `taxMinor`).
    public var shippingTaxMinor: Int64

    public init(lines: [PricedLine], subtotalMinor: Int64, discountMinor: Int64, shippingMinor: Int64,
                taxMinor: Int64, totalMinor: Int64, taxesIncluded: Bool, shippingRequired: Bool,
                shippingOptions: [ShippingOption], shipping: ShippingOption?, discount: AppliedDiscount?,
                discountError: String?, taxLines: [TaxLine], shippingDiscountMinor: Int64, shippingTaxMinor: Int64) {
        self.lines = lines
        self.subtotalMinor = subtotalMinor
        self.discountMinor = discountMinor
        self.shippingMinor = shippingMinor
        self.taxMinor = taxMinor
        self.totalMinor = totalMinor
        self.taxesIncluded = taxesIncluded
        self.shippingRequired = shippingRequired
        self.shippingOptions = shippingOptions
        self.shipping = shipping
        self.discount = discount
        self.discountError = discountError
        self.taxLines = taxLines
        self.shippingDiscountMinor = shippingDiscountMinor
        self.shippingTaxMinor = shippingTaxMinor
    }
}

/// `DiscountUsage.take` could not take a use; `message` is for the shopper.
public enum DiscountUsageError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The code's total usage limit was reached (possibly by another order meanwhile).
    case limitReached
    /// This customer (by id, or by email for guests) used up their uses.
    case customerLimitReached
    /// The code was deleted or disabled meanwhile.
    case unavailable

    public var message: String {
        switch self {
        case .limitReached: return "This code has reached its usage limit"
        case .customerLimitReached: return "You've already used this code"
        case .unavailable: return "This code isn't valid"
        }
    }

    public var description: String { "discount usage: \(message)" }
}
