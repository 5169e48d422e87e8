import Foundation

/// The pure part of pricing: given the lines, the store's rules and the discount code's record,
/// the quote. No database, so every rule is tested against hand-computed tables.
///
/// Order of work: line discounts → subtotal after discounts → shipping options (price rates and
/// "free over X" look at the subtotal after discounts, as Shopify does) → the chosen rate →
/// a free-shipping code's shipping discount → tax per line on the discounted amount (and on
/// shipping after its discount when the store taxes shipping) → totals.
public enum PricingEngine {
    /// What the shopper entered and chose, and the code's record (nil when no code matches).
    public struct Request: Sendable {
        public var lines: [PricingLine]
        public var address: PricingAddress?
        public var shippingRateId: Int64?
        /// The code as entered (nil or blank: none).
        public var discountCode: String?
        public var discount: DiscountRule?
        public var now: Date

        public init(lines: [PricingLine], address: PricingAddress? = nil, shippingRateId: Int64? = nil,
                    discountCode: String? = nil, discount: DiscountRule? = nil, now: Date = Date()) {
            self.lines = lines
            self.address = address
            self.shippingRateId = shippingRateId
            self.discountCode = discountCode
            self.discount = discount
            self.now = now
        }
    }

    public static func quote(_ request: Request, rules: PricingRules,
                             formatMoney: (Int64) -> String = { CatalogText.decimal($0) }) -> Quote {
        let lines = request.lines
        let subtotal = lines.reduce(Int64(0)) { $0 + $1.amountMinor }
        let shippable = lines.filter { $0.requiresShipping && $0.quantity > 0 }
        let shippingRequired = !shippable.isEmpty

        // 1. The discount code.
        var discountError: String?
        var rule: DiscountRule?
        let entered = request.discountCode?.trimmingCharacters(in: .whitespacesAndNewlines) ?? ""
        if !entered.isEmpty {
            if let candidate = request.discount, candidate.code.uppercased() == entered.uppercased() {
                discountError = problem(with: candidate, lines: lines, shippingRequired: shippingRequired,
                                        now: request.now, formatMoney: formatMoney)
                if discountError == nil { rule = candidate }
            } else {
                discountError = "This code isn't valid"
            }
        }
        let lineDiscounts = rule.map { Self.lineDiscounts(for: $0, lines: lines) } ?? lines.map { _ in 0 }
        let lineDiscountTotal = lineDiscounts.reduce(0, +)
        let discountedSubtotal = subtotal - lineDiscountTotal

        // 2. Shipping.
        let options: [ShippingOption]
        if shippingRequired, let address = request.address {
            let weight = shippable.reduce(0) { $0 + max(0, $1.weightGrams) * $1.quantity }
            options = shippingOptions(zones: rules.zones, countryCode: address.countryCode,
                                      weightGrams: weight, subtotalMinor: discountedSubtotal)
        } else {
            options = []
        }
        let chosen = request.shippingRateId.flatMap { id in options.first { $0.rateId == id } }
        let shippingPrice = chosen?.priceMinor ?? 0
        let shippingDiscount = rule?.kind == .freeShipping ? shippingPrice : 0

        // 3. Tax.
        let tax = request.address.flatMap { taxRate(rules.taxRates, for: $0) }
        var priced: [PricedLine] = []
        var lineTaxTotal: Int64 = 0
        for (i, line) in lines.enumerated() {
            var lineTax: Int64 = 0
            var ppm = 0
            if line.taxable, let tax {
                ppm = tax.ratePpm
                lineTax = taxOn(line.amountMinor - lineDiscounts[i], ratePpm: ppm, included: rules.pricesIncludeTax)
            }
            lineTaxTotal += lineTax
            priced.append(PricedLine(variantId: line.variantId, discountMinor: lineDiscounts[i], taxMinor: lineTax, taxRatePpm: ppm))
        }
        var shippingTax: Int64 = 0
        if rules.taxShipping, let tax, chosen != nil {
            shippingTax = taxOn(shippingPrice - shippingDiscount, ratePpm: tax.ratePpm, included: rules.pricesIncludeTax)
        }
        let taxTotal = lineTaxTotal + shippingTax
        let taxLines = tax.flatMap { t in taxTotal > 0 ? [TaxLine(name: t.name, ratePpm: t.ratePpm, amountMinor: taxTotal)] : nil } ?? []

        // 4. Totals.
        let discountTotal = lineDiscountTotal + shippingDiscount
        let total = subtotal - discountTotal + shippingPrice + (rules.pricesIncludeTax ? 0 : taxTotal)
        let applied = rule.map {
            AppliedDiscount(id: $0.id, code: $0.code, kind: $0.kind.rawValue, amountMinor: discountTotal)
        }
        return Quote(lines: priced, subtotalMinor: subtotal, discountMinor: discountTotal, shippingMinor: shippingPrice,
                     taxMinor: taxTotal, totalMinor: total, taxesIncluded: rules.pricesIncludeTax,
                     shippingRequired: shippingRequired, shippingOptions: options, shipping: chosen, discount: applied,
                     discountError: discountError, taxLines: taxLines, shippingDiscountMinor: shippingDiscount,
                     shippingTaxMinor: shippingTax)
    }

    /// Why `rule` does not apply to this cart and shopper (shopper-facing), or nil.
    public static func problem(with rule: DiscountRule, lines: [PricingLine], shippingRequired: Bool, now: Date,
                               formatMoney: (Int64) -> String) -> String? {
        if !rule.enabled { return "This code isn't valid" }
        if let start = rule.startsAt, now < start { return "This code isn't active yet" }
        if let end = rule.endsAt, now >= end { return "This code has expired" }
        if let limit = rule.usageLimit, rule.timesUsed >= limit { return "This code has reached its usage limit" }
        if let limit = rule.perCustomerLimit, rule.usesByShopper >= limit { return "You've already used this code" }
        let eligible = lines.filter { rule.covers($0) && $0.amountMinor > 0 }
        if eligible.isEmpty { return "This code doesn't apply to the items in your cart" }
        let eligibleSubtotal = eligible.reduce(Int64(0)) { $0 + $1.amountMinor }
        if let minimum = rule.minimumSubtotalMinor, eligibleSubtotal < minimum {
            return rule.appliesTo == .all ? "Spend \(formatMoney(minimum)) to use this code"
                                          : "Spend \(formatMoney(minimum)) on eligible items to use this code"
        }
        if rule.kind == .freeShipping && !shippingRequired { return "Nothing in your cart needs shipping" }
        return nil
    }

    /// Each line's share of the code's line discount (0 for free shipping and lines not covered).
    public static func lineDiscounts(for rule: DiscountRule, lines: [PricingLine]) -> [Int64] {
        let weights = lines.map { rule.covers($0) ? $0.amountMinor : 0 }
        let eligibleSubtotal = weights.reduce(0, +)
        let total: Int64
        switch rule.kind {
        case .percentage:
            total = PricingMath.mulDivHalfUp(eligibleSubtotal, Int64(rule.percentPpm ?? 0), PricingMath.million)
        case .fixedAmount:
            total = min(rule.amountMinor ?? 0, eligibleSubtotal)
        case .freeShipping:
            total = 0
        }
        return PricingMath.allocate(min(total, eligibleSubtotal), weights: weights)
    }

    /// The rates the zones offer for this country, weight and subtotal (after discounts),
    /// cheapest first. Zones listing the country serve it; the rest-of-world zone serves
    /// countries no zone lists.
    public static func shippingOptions(zones: [ShippingZoneRule], countryCode: String, weightGrams: Int,
                                       subtotalMinor: Int64) -> [ShippingOption] {
        let country = countryCode.uppercased()
        var serving = zones.filter { $0.countryCodes.contains(country) }
        if serving.isEmpty { serving = zones.filter(\.restOfWorld) }
        var found: [(option: ShippingOption, position: Int)] = []
        for zone in serving {
            for rate in zone.rates where applies(rate, weightGrams: weightGrams, subtotalMinor: subtotalMinor) {
                let free = rate.freeOverMinor.map { subtotalMinor >= $0 } ?? false
                found.append((ShippingOption(rateId: rate.id, name: rate.name, priceMinor: free ? 0 : rate.priceMinor,
                                             deliveryDaysMin: rate.deliveryDaysMin, deliveryDaysMax: rate.deliveryDaysMax),
                              rate.position))
            }
        }
        found.sort {
            if $0.option.priceMinor != $1.option.priceMinor { return $0.option.priceMinor < $1.option.priceMinor }
            if $0.position != $1.position { return $0.position < $1.position }
            return $0.option.rateId < $1.option.rateId
        }
        return found.map(\.option)
    }

    static func applies(_ rate: ShippingRateRule, weightGrams: Int, subtotalMinor: Int64) -> Bool {
        switch rate.kind {
        case .flat:
            return true
        case .weight:
            return weightGrams >= (rate.minWeightGrams ?? 0) && rate.maxWeightGrams.map { weightGrams <= $0 } ?? true
        case .price:
            return subtotalMinor >= (rate.minSubtotalMinor ?? 0) && rate.maxSubtotalMinor.map { subtotalMinor <= $0 } ?? true
        }
    }

    /// The rate for the address: a rate for its region wins over the country's rate (they do
    /// not add up); nil when the store has neither.
    public static func taxRate(_ rates: [TaxRateRule], for address: PricingAddress) -> TaxRateRule? {
        let country = address.countryCode.uppercased()
        let region = address.regionCode?.trimmingCharacters(in: .whitespaces).uppercased() ?? ""
        if !region.isEmpty, let r = rates.first(where: { $0.countryCode == country && $0.regionCode?.uppercased() == region }) {
            return r
        }
        return rates.first { $0.countryCode == country && ($0.regionCode ?? "").isEmpty }
    }

    static func taxOn(_ amount: Int64, ratePpm: Int, included: Bool) -> Int64 {
        guard amount > 0, ratePpm > 0 else { return 0 }
        return included ? PricingMath.taxIncluded(amount, ratePpm: ratePpm) : PricingMath.taxExclusive(amount, ratePpm: ratePpm)
    }
}
