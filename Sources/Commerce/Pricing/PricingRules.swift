import Foundation

/// A shipping rate as the engine reads it from `shipping_rates`.
public struct ShippingRateRule: Sendable, Hashable {
    public enum Kind: String, Sendable, CaseIterable { case flat, weight, price }

    public var id: Int64
    public var name: String
    public var kind: Kind
    public var priceMinor: Int64
    /// `weight` rates: the cart's shipping weight must be in [min, max] (nil = open).
    public var minWeightGrams: Int?
    public var maxWeightGrams: Int?
    /// `price` rates: the subtotal after discounts must be in [min, max] (nil = open).
    public var minSubtotalMinor: Int64?
    public var maxSubtotalMinor: Int64?
    /// Free when the subtotal after discounts is at or above this.
    public var freeOverMinor: Int64?
    public var deliveryDaysMin: Int?
    public var deliveryDaysMax: Int?
    public var position: Int

    public init(id: Int64, name: String, kind: Kind, priceMinor: Int64, minWeightGrams: Int? = nil,
                maxWeightGrams: Int? = nil, minSubtotalMinor: Int64? = nil, maxSubtotalMinor: Int64? = nil,
                freeOverMinor: Int64? = nil, deliveryDaysMin: Int? = nil, deliveryDaysMax: Int? = nil, position: Int = 0) {
        self.id = id
        self.name = name
        self.kind = kind
        self.priceMinor = priceMinor
        self.minWeightGrams = minWeightGrams
        self.maxWeightGrams = maxWeightGrams
        self.minSubtotalMinor = minSubtotalMinor
        self.maxSubtotalMinor = maxSubtotalMinor
        self.freeOverMinor = freeOverMinor
        self.deliveryDaysMin = deliveryDaysMin
        self.deliveryDaysMax = deliveryDaysMax
        self.position = position
    }
}

/// A shipping zone: the countries it lists (or every unlisted country) and its rates.
public struct ShippingZoneRule: Sendable, Hashable {
    public var id: Int64
    public var name: String
    public var restOfWorld: Bool
    public var countryCodes: Set<String>
    public var rates: [ShippingRateRule]

    public init(id: Int64, name: String, restOfWorld: Bool = false, countryCodes: Set<String>, rates: [ShippingRateRule]) {
        self.id = id
        self.name = name
        self.restOfWorld = restOfWorld
        self.countryCodes = countryCodes
        self.rates = rates
    }
}

/// A tax rate for a country, or for one region of it.
public struct TaxRateRule: Sendable, Hashable {
    public var countryCode: String
    public var regionCode: String?
    public var name: String
    public var ratePpm: Int

    public init(countryCode: String, regionCode: String? = nil, name: String, ratePpm: Int) {
        self.countryCode = countryCode
        self.regionCode = regionCode
        self.name = name
        self.ratePpm = ratePpm
    }
}

/// A discount code with what the engine needs to judge it for one cart and one shopper.
public struct DiscountRule: Sendable, Hashable {
    public enum Kind: String, Sendable, CaseIterable {
        case percentage, fixedAmount = "fixed_amount", freeShipping = "free_shipping"
    }
    public enum AppliesTo: String, Sendable, CaseIterable { case all, products, collections }

    public var id: Int64
    public var code: String
    public var kind: Kind
    public var percentPpm: Int?
    public var amountMinor: Int64?
    public var minimumSubtotalMinor: Int64?
    public var appliesTo: AppliesTo
    /// For `products` / `collections`: the cart's products the code covers (directly or
    /// through one of its collections). Ignored for `all`.
    public var eligibleProductIds: Set<Int64>
    /// starts_at ≤ now < ends_at.
    public var startsAt: Date?
    public var endsAt: Date?
    public var usageLimit: Int?
    public var perCustomerLimit: Int?
    public var timesUsed: Int
    public var enabled: Bool
    /// Uses already recorded for this shopper (customer id, or email).
    public var usesByShopper: Int

    public init(id: Int64, code: String, kind: Kind, percentPpm: Int? = nil, amountMinor: Int64? = nil,
                minimumSubtotalMinor: Int64? = nil, appliesTo: AppliesTo = .all, eligibleProductIds: Set<Int64> = [],
                startsAt: Date? = nil, endsAt: Date? = nil, usageLimit: Int? = nil, perCustomerLimit: Int? = nil,
                timesUsed: Int = 0, enabled: Bool = true, usesByShopper: Int = 0) {
        self.id = id
        self.code = code
        self.kind = kind
        self.percentPpm = percentPpm
        self.amountMinor = amountMinor
        self.minimumSubtotalMinor = minimumSubtotalMinor
        self.appliesTo = appliesTo
        self.eligibleProductIds = eligibleProductIds
        self.startsAt = startsAt
        self.endsAt = endsAt
        self.usageLimit = usageLimit
        self.perCustomerLimit = perCustomerLimit
        self.timesUsed = timesUsed
        self.enabled = enabled
        self.usesByShopper = usesByShopper
    }

    /// Whether the code covers this line.
    public func covers(_ line: PricingLine) -> Bool {
        appliesTo == .all || eligibleProductIds.contains(line.productId)
    }
}

/// The store's rules for one quote: the zones that may serve the address, its tax rates, the
/// two tax settings.
public struct PricingRules: Sendable, Hashable {
    public var zones: [ShippingZoneRule]
    public var taxRates: [TaxRateRule]
    public var pricesIncludeTax: Bool
    public var taxShipping: Bool

    public init(zones: [ShippingZoneRule] = [], taxRates: [TaxRateRule] = [], pricesIncludeTax: Bool = false,
                taxShipping: Bool = false) {
        self.zones = zones
        self.taxRates = taxRates
        self.pricesIncludeTax = pricesIncludeTax
        self.taxShipping = taxShipping
    }
}
