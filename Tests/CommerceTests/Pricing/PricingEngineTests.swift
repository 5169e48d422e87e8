import Foundation
import Testing
@testable import Commerce

/// Hand-computed tables for the pure pricing engine. Every expected number below was worked out
/// on paper (the comments show the arithmetic), not produced by the code under test.
@Suite("Pricing engine")
struct PricingEngineTests {
    // 3 × 3.33 = 9.99, 1 × 10.05, 2 × 12.34 = 24.68 → subtotal 44.72
    static let cart = [
        PricingLine(variantId: 1, productId: 10, quantity: 3, unitPriceMinor: 333, weightGrams: 200),
        PricingLine(variantId: 2, productId: 20, quantity: 1, unitPriceMinor: 1005, weightGrams: 400),
        PricingLine(variantId: 3, productId: 30, quantity: 2, unitPriceMinor: 1234, weightGrams: 250),
    ]  // weight 600 + 400 + 500 = 1500 g
    static let vat = TaxRateRule(countryCode: "FR", name: "TVA", ratePpm: 200_000)
    static let france = PricingAddress(countryCode: "FR")
    static let zones = [
        ShippingZoneRule(id: 1, name: "Europe", countryCodes: ["FR", "DE"], rates: [
            ShippingRateRule(id: 11, name: "Standard", kind: .flat, priceMinor: 500, freeOverMinor: 5000, position: 0),
            ShippingRateRule(id: 12, name: "Heavy", kind: .weight, priceMinor: 900, minWeightGrams: 0, maxWeightGrams: 2000, position: 1),
            ShippingRateRule(id: 13, name: "Very heavy", kind: .weight, priceMinor: 1500, minWeightGrams: 2001, position: 2),
            ShippingRateRule(id: 14, name: "Economy", kind: .price, priceMinor: 300, minSubtotalMinor: 0, maxSubtotalMinor: 2999, position: 3),
        ]),
        ShippingZoneRule(id: 2, name: "World", restOfWorld: true, countryCodes: [], rates: [
            ShippingRateRule(id: 21, name: "International", kind: .flat, priceMinor: 2000, deliveryDaysMin: 5, deliveryDaysMax: 10),
        ]),
    ]

    func quote(_ lines: [PricingLine] = cart, rules: PricingRules = PricingRules(zones: zones, taxRates: [vat]),
               address: PricingAddress? = france, rate: Int64? = nil, code: String? = nil, discount: DiscountRule? = nil,
               now: Date = Date(timeIntervalSince1970: 1_800_000_000)) -> Quote {
        PricingEngine.quote(.init(lines: lines, address: address, shippingRateId: rate, discountCode: code,
                                  discount: discount, now: now), rules: rules,
                            formatMoney: { PricingMoney.format($0, format: "${{amount}}", digits: 2) })
    }

    /// The invariant the `orders` CHECK enforces, and the order_items one.
    func expectAddsUp(_ q: Quote, _ lines: [PricingLine] = cart) {
        #expect(q.totalMinor == q.subtotalMinor - q.discountMinor + q.shippingMinor + (q.taxesIncluded ? 0 : q.taxMinor))
        #expect(q.lines.map(\.discountMinor).reduce(0, +) + q.shippingDiscountMinor == q.discountMinor)
        #expect(q.lines.map(\.taxMinor).reduce(0, +) + q.shippingTaxMinor == q.taxMinor)
        for (p, l) in zip(q.lines, lines) { #expect(p.discountMinor <= l.amountMinor) }
    }

    // MARK: Arithmetic

    @Test func halfUpRoundingAndIncludedTax() {
        #expect(PricingMath.taxExclusive(1, ratePpm: 500_000) == 1)        // 0.5 → 1
        #expect(PricingMath.taxExclusive(1000, ratePpm: 88_750) == 89)     // 88.75 → 89
        #expect(PricingMath.taxExclusive(200, ratePpm: 88_750) == 18)      // 17.75 → 18
        #expect(PricingMath.taxExclusive(4, ratePpm: 88_750) == 0)         // 0.355 → 0
        #expect(PricingMath.taxExclusive(5, ratePpm: 100_000) == 1)        // 0.5 → 1
        #expect(PricingMath.taxIncluded(1200, ratePpm: 200_000) == 200)    // 1200 × 0.2 / 1.2
        #expect(PricingMath.taxIncluded(999, ratePpm: 200_000) == 167)     // 166.5 → 167
        #expect(PricingMath.taxIncluded(1005, ratePpm: 200_000) == 168)    // 167.5 → 168
        #expect(PricingMath.taxIncluded(2468, ratePpm: 200_000) == 411)    // 411.33 → 411
        // No overflow for large amounts: 9e12 × 1e6 is past Int64.
        #expect(PricingMath.taxExclusive(9_000_000_000_000, ratePpm: 200_000) == 1_800_000_000_000)
    }

    @Test func allocationByLargestRemainder() {
        // 447 over 999/1005/2468: floors 99, 100, 246 (remainders 3825, 2035, 3084 of 4472) → +1 to first and third.
        #expect(PricingMath.allocate(447, weights: [999, 1005, 2468]) == [100, 100, 247])
        // 1000: floors 223, 224, 551 (remainders 1744, 3272, 3928) → +1 to third and second.
        #expect(PricingMath.allocate(1000, weights: [999, 1005, 2468]) == [223, 225, 552])
        // Three equal weights, 100 → 34, 33, 33 (tie goes to the earlier line).
        #expect(PricingMath.allocate(100, weights: [1, 1, 1]) == [34, 33, 33])
        #expect(PricingMath.allocate(5, weights: [0, 10, 0]) == [0, 5, 0])
        #expect(PricingMath.allocate(7, weights: []) == [])
    }

    @Test func percentagesToPPMExactly() {
        #expect(PricingMath.ppm(fromPercent: "20") == 200_000)
        #expect(PricingMath.ppm(fromPercent: "8.875") == 88_750)
        #expect(PricingMath.ppm(fromPercent: "0.0001") == 1)
        #expect(PricingMath.ppm(fromPercent: "19.6 %") == 196_000)
        #expect(PricingMath.ppm(fromPercent: "7.50000") == 75_000)
        #expect(PricingMath.ppm(fromPercent: "0.00001") == nil)
        #expect(PricingMath.ppm(fromPercent: "-5") == nil)
        #expect(PricingMath.ppm(fromPercent: "abc") == nil)
        #expect(PricingMath.ppm(fromPercent: "1e3") == nil)
        #expect(PricingMath.ppm(fromPercent: "5.") == nil)
        #expect(PricingMath.percent(fromPPM: 88_750) == "8.875")
        #expect(PricingMath.percent(fromPPM: 200_000) == "20")
        #expect(PricingMath.percent(fromPPM: 1) == "0.0001")
    }

    // MARK: Tax tables

    @Test func taxAddedPerLineHalfUp() {
        let q = quote()
        // 9.99 × 20% = 1.998 → 2.00; 10.05 → 2.01; 24.68 → 4.936 → 4.94
        #expect(q.lines.map(\.taxMinor) == [200, 201, 494])
        #expect(q.lines.map(\.taxRatePpm) == [200_000, 200_000, 200_000])
        #expect(q.subtotalMinor == 4472)
        #expect(q.taxMinor == 895)
        #expect(q.totalMinor == 5367)
        #expect(q.taxLines == [TaxLine(name: "TVA", ratePpm: 200_000, amountMinor: 895)])
        #expect(!q.taxesIncluded)
        expectAddsUp(q)
    }

    @Test func taxIncludedIsThePartInsideThePrice() {
        let q = quote(rules: PricingRules(zones: Self.zones, taxRates: [Self.vat], pricesIncludeTax: true))
        #expect(q.lines.map(\.taxMinor) == [167, 168, 411])
        #expect(q.taxMinor == 746)
        #expect(q.totalMinor == 4472)   // not added
        #expect(q.taxesIncluded)
        expectAddsUp(q)
    }

    @Test func taxOnDiscountedLinesAndOnShipping() {
        let tenPercent = DiscountRule(id: 7, code: "TEN", kind: .percentage, percentPpm: 100_000)
        let rules = PricingRules(zones: Self.zones, taxRates: [Self.vat], taxShipping: true)
        let q = quote(rules: rules, rate: 11, code: "ten", discount: tenPercent)
        // 10% of 44.72 = 4.472 → 4.47, split 1.00 / 1.00 / 2.47
        #expect(q.lines.map(\.discountMinor) == [100, 100, 247])
        // tax on 8.99 → 1.798 → 1.80; 9.05 → 1.81; 22.21 → 4.442 → 4.44; shipping 5.00 → 1.00
        #expect(q.lines.map(\.taxMinor) == [180, 181, 444])
        #expect(q.shippingTaxMinor == 100)
        #expect(q.taxMinor == 905)
        #expect(q.shippingMinor == 500)
        #expect(q.totalMinor == 4472 - 447 + 500 + 905)
        expectAddsUp(q)

        // Same in included mode: tax inside 8.99 → 149.83 → 150; 9.05 → 150.83 → 151; 22.21 → 370.17 → 370; 5.00 → 83.33 → 83
        let incl = quote(rules: PricingRules(zones: Self.zones, taxRates: [Self.vat], pricesIncludeTax: true, taxShipping: true),
                         rate: 11, code: "TEN", discount: tenPercent)
        #expect(incl.lines.map(\.taxMinor) == [150, 151, 370])
        #expect(incl.shippingTaxMinor == 83)
        #expect(incl.totalMinor == 4472 - 447 + 500)
        expectAddsUp(incl)
    }

    @Test func untaxedLinesAndShippingWhenTheStoreDoesNotTaxIt() {
        var lines = Self.cart
        lines[1].taxable = false
        let q = quote(lines, rate: 11)
        #expect(q.lines.map(\.taxMinor) == [200, 0, 494])
        #expect(q.lines[1].taxRatePpm == 0)
        #expect(q.shippingTaxMinor == 0)   // tax_shipping off
        #expect(q.totalMinor == 4472 + 500 + 694)
        expectAddsUp(q, lines)
    }

    @Test func regionRateWinsOverCountryRate() {
        let rates = [TaxRateRule(countryCode: "US", name: "Federal", ratePpm: 0),
                     TaxRateRule(countryCode: "US", regionCode: "NY", name: "NY sales tax", ratePpm: 88_750)]
        let us = PricingRules(zones: Self.zones, taxRates: rates)
        let ny = quote(rules: us, address: PricingAddress(countryCode: "us", regionCode: "ny"))
        // 9.99 × 8.875% = 0.8866 → 0.89; 10.05 → 0.8919 → 0.89; 24.68 → 2.1904 → 2.19
        #expect(ny.lines.map(\.taxMinor) == [89, 89, 219])
        #expect(ny.taxLines.first?.name == "NY sales tax")
        let texas = quote(rules: us, address: PricingAddress(countryCode: "US", regionCode: "TX"))
        #expect(texas.taxMinor == 0)
        #expect(texas.taxLines.isEmpty)
        let nowhere = quote(address: PricingAddress(countryCode: "JP"))
        #expect(nowhere.taxMinor == 0)
        #expect(quote(address: nil).taxMinor == 0)
    }

    // MARK: Shipping

    @Test func shippingOptionsByZoneKindAndSubtotal() {
        // FR, 1500 g, 44.72: Standard 5.00 (under 50.00), Heavy 9.00 (0–2000 g); Economy only up to 29.99.
        let q = quote()
        #expect(q.shippingOptions.map(\.rateId) == [11, 12])
        #expect(q.shippingOptions.map(\.priceMinor) == [500, 900])
        #expect(q.shipping == nil)   // none chosen
        #expect(q.shippingRequired)
        // The rest-of-world zone serves a country no zone lists.
        let us = quote(address: PricingAddress(countryCode: "US"))
        #expect(us.shippingOptions == [ShippingOption(rateId: 21, name: "International", priceMinor: 2000,
                                                      deliveryDaysMin: 5, deliveryDaysMax: 10)])
        // Economy for a small cart (9.99 ≤ 29.99), cheapest first.
        let small = quote([Self.cart[0]])
        #expect(small.shippingOptions.map(\.rateId) == [14, 11, 12])
    }

    @Test func weightBoundsAreInclusive() {
        let at2000 = [PricingLine(variantId: 1, productId: 1, quantity: 4, unitPriceMinor: 100, weightGrams: 500)]
        #expect(quote(at2000).shippingOptions.map(\.rateId).contains(12))
        #expect(!quote(at2000).shippingOptions.map(\.rateId).contains(13))
        let at2001 = at2000 + [PricingLine(variantId: 2, productId: 2, quantity: 1, unitPriceMinor: 100, weightGrams: 1)]
        #expect(quote(at2001).shippingOptions.map(\.rateId).contains(13))
        #expect(!quote(at2001).shippingOptions.map(\.rateId).contains(12))
        // Lines that do not ship do not weigh.
        var digital = at2001
        digital[1].requiresShipping = false
        #expect(quote(digital).shippingOptions.map(\.rateId).contains(12))
    }

    @Test func freeOverXUsesTheSubtotalAfterDiscounts() {
        let fifty = [PricingLine(variantId: 1, productId: 1, quantity: 1, unitPriceMinor: 5000, weightGrams: 100)]
        #expect(quote(fifty, rate: 11).shippingMinor == 0)           // exactly 50.00 → free
        let under = [PricingLine(variantId: 1, productId: 1, quantity: 1, unitPriceMinor: 4999, weightGrams: 100)]
        #expect(quote(under, rate: 11).shippingMinor == 500)         // 49.99 → 5.00
        // 52.00 − 10% = 46.80 < 50.00 → not free.
        let tenPercent = DiscountRule(id: 7, code: "TEN", kind: .percentage, percentPpm: 100_000)
        let over = [PricingLine(variantId: 1, productId: 1, quantity: 1, unitPriceMinor: 5200, weightGrams: 100)]
        let q = quote(over, rate: 11, code: "TEN", discount: tenPercent)
        #expect(q.shippingMinor == 500)
        #expect(q.totalMinor == 5200 - 520 + 500 + 936)  // tax 46.80 × 20% = 9.36
        expectAddsUp(q, over)
    }

    @Test func unknownOrForeignRateIsNotSelected() {
        #expect(quote(rate: 999).shipping == nil)
        #expect(quote(rate: 21).shipping == nil)     // rest-of-world rate for a French address
        #expect(quote(rate: 14).shipping == nil)     // Economy does not apply to 44.72
        #expect(quote(rate: 999).totalMinor == 5367)
        let chosen = quote(rate: 12)
        #expect(chosen.shipping?.name == "Heavy")
        #expect(chosen.shippingMinor == 900)
        #expect(chosen.totalMinor == 5367 + 900)
    }

    @Test func nothingToShipMeansNoShipping() {
        let digital = Self.cart.map { var l = $0; l.requiresShipping = false; return l }
        let q = quote(digital, rate: 11)
        #expect(!q.shippingRequired)
        #expect(q.shippingOptions.isEmpty)
        #expect(q.shipping == nil)
        #expect(q.shippingMinor == 0)
    }

    // MARK: Discount edges

    static let start = Date(timeIntervalSince1970: 1_800_000_000)
    static let end = Date(timeIntervalSince1970: 1_800_086_400)

    func dated() -> DiscountRule {
        DiscountRule(id: 1, code: "Summer", kind: .percentage, percentPpm: 100_000, startsAt: Self.start, endsAt: Self.end)
    }

    @Test func activeFromStartUntilJustBeforeEnd() {
        #expect(quote(code: "SUMMER", discount: dated(), now: Self.start).discount?.amountMinor == 447)
        #expect(quote(code: "summer", discount: dated(), now: Self.end.addingTimeInterval(-1)).discountError == nil)
        let early = quote(code: "SUMMER", discount: dated(), now: Self.start.addingTimeInterval(-1))
        #expect(early.discount == nil)
        #expect(early.discountError == "This code isn't active yet")
        #expect(early.discountMinor == 0)
        let late = quote(code: "SUMMER", discount: dated(), now: Self.end)
        #expect(late.discountError == "This code has expired")
        #expect(late.totalMinor == 5367)
    }

    @Test func minimumSubtotalExactlyAndOneBelow() {
        var rule = DiscountRule(id: 1, code: "MIN", kind: .fixedAmount, amountMinor: 500, minimumSubtotalMinor: 4472)
        #expect(quote(code: "MIN", discount: rule).discountMinor == 500)
        rule.minimumSubtotalMinor = 4473
        let q = quote(code: "MIN", discount: rule)
        #expect(q.discount == nil)
        #expect(q.discountError == "Spend $44.73 to use this code")
        // With specific products, the minimum counts the eligible items only.
        rule.appliesTo = .products
        rule.eligibleProductIds = [30]
        rule.minimumSubtotalMinor = 2468
        #expect(quote(code: "MIN", discount: rule).discountError == nil)
        rule.minimumSubtotalMinor = 2469
        #expect(quote(code: "MIN", discount: rule).discountError == "Spend $24.69 on eligible items to use this code")
    }

    @Test func usageLimitsLastUseAndOverLimit() {
        var rule = DiscountRule(id: 1, code: "FEW", kind: .percentage, percentPpm: 100_000, usageLimit: 5, timesUsed: 4)
        #expect(quote(code: "FEW", discount: rule).discountError == nil)          // the last use
        rule.timesUsed = 5
        #expect(quote(code: "FEW", discount: rule).discountError == "This code has reached its usage limit")
        rule = DiscountRule(id: 1, code: "ONCE", kind: .percentage, percentPpm: 100_000, perCustomerLimit: 1, usesByShopper: 0)
        #expect(quote(code: "ONCE", discount: rule).discountError == nil)
        rule.usesByShopper = 1
        #expect(quote(code: "ONCE", discount: rule).discountError == "You've already used this code")
        rule.usesByShopper = 0
        rule.enabled = false
        #expect(quote(code: "ONCE", discount: rule).discountError == "This code isn't valid")
        #expect(quote(code: "NOPE", discount: nil).discountError == "This code isn't valid")
        #expect(quote(code: "  ", discount: nil).discountError == nil)
    }

    @Test func fixedAmountLargerThanTheCartIsCapped() {
        let rule = DiscountRule(id: 1, code: "BIG", kind: .fixedAmount, amountMinor: 100_000)
        let q = quote(code: "BIG", discount: rule)
        #expect(q.lines.map(\.discountMinor) == [999, 1005, 2468])
        #expect(q.discountMinor == 4472)
        #expect(q.taxMinor == 0)
        #expect(q.totalMinor == 0)
        expectAddsUp(q)
        let withShipping = quote(rate: 11, code: "BIG", discount: rule)
        #expect(withShipping.totalMinor == 500 + 100 * 0)  // shipping stays (not taxed here)
    }

    @Test func fixedAmountIsSplitInProportion() {
        let rule = DiscountRule(id: 1, code: "TENOFF", kind: .fixedAmount, amountMinor: 1000)
        let q = quote(code: "TENOFF", discount: rule)
        #expect(q.lines.map(\.discountMinor) == [223, 225, 552])
        // tax on 7.76 → 1.552 → 1.55; 7.80 → 1.56; 19.16 → 3.832 → 3.83
        #expect(q.lines.map(\.taxMinor) == [155, 156, 383])
        #expect(q.totalMinor == 4472 - 1000 + 694)
        expectAddsUp(q)
    }

    @Test func onlyEligibleLinesAreDiscounted() {
        let rule = DiscountRule(id: 1, code: "SHOES", kind: .percentage, percentPpm: 250_000, appliesTo: .collections,
                                eligibleProductIds: [10, 30])
        let q = quote(code: "SHOES", discount: rule)
        // 25% of (9.99 + 24.68 = 34.67) = 8.6675 → 8.67: 999/3467 × 867 = 249.82 → 250, 617.18 → 617
        #expect(q.lines.map(\.discountMinor) == [250, 0, 617])
        expectAddsUp(q)
        let none = DiscountRule(id: 1, code: "SHOES", kind: .percentage, percentPpm: 250_000, appliesTo: .products)
        #expect(quote(code: "SHOES", discount: none).discountError == "This code doesn't apply to the items in your cart")
    }

    @Test func freeShippingCountsInTheDiscount() {
        let rule = DiscountRule(id: 3, code: "SHIPFREE", kind: .freeShipping)
        let rules = PricingRules(zones: Self.zones, taxRates: [Self.vat], taxShipping: true)
        let q = quote(rules: rules, rate: 12, code: "shipfree", discount: rule)
        #expect(q.shippingMinor == 900)
        #expect(q.discountMinor == 900)
        #expect(q.shippingDiscountMinor == 900)
        #expect(q.discount == AppliedDiscount(id: 3, code: "SHIPFREE", kind: "free_shipping", amountMinor: 900))
        #expect(q.shippingTaxMinor == 0)
        #expect(q.lines.map(\.discountMinor) == [0, 0, 0])
        #expect(q.totalMinor == 5367)
        expectAddsUp(q)
        let digital = Self.cart.map { var l = $0; l.requiresShipping = false; return l }
        #expect(quote(digital, code: "SHIPFREE", discount: rule).discountError == "Nothing in your cart needs shipping")
    }

    @Test func hundredPercentAndOddCents() {
        let all = DiscountRule(id: 1, code: "ALL", kind: .percentage, percentPpm: 1_000_000)
        let q = quote(code: "ALL", discount: all)
        #expect(q.lines.map(\.discountMinor) == [999, 1005, 2468])
        #expect(q.totalMinor == 0)
        // 33.3333% of 0.01 → 0.0033 → 0; of 0.02 → 0.0067 → 0.01
        let third = DiscountRule(id: 1, code: "T", kind: .percentage, percentPpm: 333_333)
        let one = [PricingLine(variantId: 1, productId: 1, quantity: 1, unitPriceMinor: 1)]
        let two = [PricingLine(variantId: 1, productId: 1, quantity: 2, unitPriceMinor: 1)]
        #expect(quote(one, code: "T", discount: third).discountMinor == 0)
        #expect(quote(two, code: "T", discount: third).discountMinor == 1)
    }

    @Test func moneyFormats() {
        #expect(PricingMoney.format(123_456, format: "${{amount}}", digits: 2) == "$1,234.56")
        #expect(PricingMoney.format(123_456, format: "{{ amount_with_comma_separator }} €", digits: 2) == "1.234,56 €")
        #expect(PricingMoney.format(5000, format: "¥{{amount_no_decimals}}", digits: 0) == "¥5,000")
    }
}
