import Foundation
import Postgres

/// Shipping, tax and discount codes for a cart (issue 7). The database part only loads the
/// rules that can matter for these lines and this address; `PricingEngine` does the sums.
public enum Pricing {
    /// Everything checkout shows and the order stores, for these lines.
    ///
    /// - `shippingRateId`: the rate the shopper chose; nil, unknown or not offered for this
    ///   address and cart → `shipping` is nil (never another rate's price).
    /// - `discountCode`: as typed; matched case-insensitively. When it does not apply,
    ///   `discount` is nil and `discountError` says why, for the shopper.
    /// - `customerId` / `email`: whose per-customer limit counts (uses by either).
    public static func quote(_ db: Connection, lines: [PricingLine], currency: String, address: PricingAddress?,
                             shippingRateId: Int64?, discountCode: String?, customerId: Int64?, email: String?,
                             now: Date) throws -> Quote {
        let settings = try db.queryFirst("SELECT prices_include_tax, tax_shipping, money_format FROM store_settings")
        var rules = PricingRules()
        rules.pricesIncludeTax = try settings?.decode("prices_include_tax") ?? false
        rules.taxShipping = try settings?.decode("tax_shipping") ?? false
        let moneyFormat: String = try settings?.decode("money_format") ?? "{{amount}}"

        if let address {
            let country = address.countryCode.uppercased()
            if lines.contains(where: \.requiresShipping) {
                rules.zones = try loadZones(db, countryCode: country)
            }
            rules.taxRates = try db.query("""
                SELECT country_code, region_code, name, rate_ppm FROM tax_rates WHERE country_code = \(country)
                """).map { row in
                TaxRateRule(countryCode: try row.decode("country_code"), regionCode: try row.decode("region_code"),
                            name: try row.decode("name"), ratePpm: try row.decode("rate_ppm"))
            }
        }

        let code = discountCode?.trimmingCharacters(in: .whitespacesAndNewlines) ?? ""
        let rule = code.isEmpty ? nil : try loadDiscount(db, code: code, productIds: lines.map(\.productId),
                                                         customerId: customerId, email: email)
        let digits = CatalogText.minorDigits(currency: currency)
        return PricingEngine.quote(
            PricingEngine.Request(lines: lines, address: address, shippingRateId: shippingRateId,
                                  discountCode: code, discount: rule, now: now),
            rules: rules, formatMoney: { PricingMoney.format($0, format: moneyFormat, digits: digits) })
    }

    /// The zones listing the country plus the rest-of-world zone, with their rates.
    static func loadZones(_ db: Connection, countryCode: String) throws -> [ShippingZoneRule] {
        let zoneRows = try db.query("""
            SELECT z.id, z.name, z.rest_of_world,
                   coalesce((SELECT array_agg(c.country_code) FROM shipping_zone_countries c WHERE c.zone_id = z.id), '{}') AS countries
            FROM shipping_zones z
            WHERE z.rest_of_world
               OR EXISTS (SELECT 1 FROM shipping_zone_countries c WHERE c.zone_id = z.id AND c.country_code = \(countryCode))
            ORDER BY z.id
            """)
        var zones: [ShippingZoneRule] = []
        for row in zoneRows {
            let id: Int64 = try row.decode("id")
            zones.append(ShippingZoneRule(id: id, name: try row.decode("name"), restOfWorld: try row.decode("rest_of_world"),
                                          countryCodes: Set(try row.decode("countries", as: [String].self)),
                                          rates: try ShippingRateRule.load(db, zoneId: id)))
        }
        return zones
    }

    /// The code's record, with the cart's products it covers and the shopper's past uses.
    static func loadDiscount(_ db: Connection, code: String, productIds: [Int64], customerId: Int64?,
                             email: String?) throws -> DiscountRule? {
        guard let row = try db.queryFirst("""
            SELECT id, code, kind, percent_ppm, amount_minor, minimum_subtotal_minor, applies_to, starts_at, ends_at,
                   usage_limit, per_customer_limit, times_used, enabled
            FROM discount_codes WHERE upper(code) = upper(\(code))
            """) else { return nil }
        let id: Int64 = try row.decode("id")
        guard let kind = DiscountRule.Kind(rawValue: try row.decode("kind")),
              let appliesTo = DiscountRule.AppliesTo(rawValue: try row.decode("applies_to")) else { return nil }
        var eligible: Set<Int64> = []
        switch appliesTo {
        case .all: break
        case .products:
            eligible = Set(try db.query("""
                SELECT product_id FROM discount_code_products
                WHERE discount_code_id = \(id) AND product_id = ANY(\(productIds)::int8[])
                """).map { try $0.decode("product_id", as: Int64.self) })
        case .collections:
            eligible = Set(try db.query("""
                SELECT DISTINCT cp.product_id FROM collection_products cp
                JOIN discount_code_collections d ON d.collection_id = cp.collection_id
                WHERE d.discount_code_id = \(id) AND cp.product_id = ANY(\(productIds)::int8[])
                """).map { try $0.decode("product_id", as: Int64.self) })
        }
        let uses = try DiscountUsage.usesByShopper(db, discountId: id, customerId: customerId, email: email)
        return DiscountRule(id: id, code: try row.decode("code"), kind: kind, percentPpm: try row.decode("percent_ppm"),
                            amountMinor: try row.decode("amount_minor"),
                            minimumSubtotalMinor: try row.decode("minimum_subtotal_minor"), appliesTo: appliesTo,
                            eligibleProductIds: eligible, startsAt: try row.decode("starts_at"),
                            endsAt: try row.decode("ends_at"), usageLimit: try row.decode("usage_limit"),
                            perCustomerLimit: try row.decode("per_customer_limit"), timesUsed: try row.decode("times_used"),
                            enabled: try row.decode("enabled"), usesByShopper: uses)
    }
}

extension ShippingRateRule {
    /// A zone's rates in the merchant's order.
    static func load(_ db: Connection, zoneId: Int64) throws -> [ShippingRateRule] {
        try db.query("""
            SELECT id, name, kind, price_minor, min_weight_grams, max_weight_grams, min_subtotal_minor, max_subtotal_minor,
                   free_over_minor, delivery_days_min, delivery_days_max, position
            FROM shipping_rates WHERE zone_id = \(zoneId) ORDER BY position, id
            """).map { try ShippingRateRule(row: $0) }
    }

    init(row: Row) throws {
        self.init(id: try row.decode("id"), name: try row.decode("name"),
                  kind: Kind(rawValue: try row.decode("kind")) ?? .flat, priceMinor: try row.decode("price_minor"),
                  minWeightGrams: try row.decode("min_weight_grams"), maxWeightGrams: try row.decode("max_weight_grams"),
                  minSubtotalMinor: try row.decode("min_subtotal_minor"), maxSubtotalMinor: try row.decode("max_subtotal_minor"),
                  freeOverMinor: try row.decode("free_over_minor"), deliveryDaysMin: try row.decode("delivery_days_min"),
                  deliveryDaysMax: try row.decode("delivery_days_max"), position: try row.decode("position"))
    }
}

/// Money in shopper-facing messages, through the store's `money_format` (`${{amount}}`).
public enum PricingMoney {
    public static func format(_ minor: Int64, format: String, digits: Int) -> String {
        let plain = CatalogText.decimal(minor, digits: digits)
        let parts = plain.split(separator: ".", omittingEmptySubsequences: false)
        let whole = String(parts[0])
        let fraction = parts.count > 1 ? String(parts[1]) : ""
        func grouped(_ sep: String) -> String {
            var out = ""
            for (i, c) in whole.enumerated() {
                if i > 0 && (whole.count - i) % 3 == 0 { out += sep }
                out.append(c)
            }
            return out
        }
        let values: [(String, String)] = [
            ("amount_no_decimals_with_comma_separator", grouped(".")),
            ("amount_with_comma_separator", grouped(".") + (fraction.isEmpty ? "" : "," + fraction)),
            ("amount_with_apostrophe_separator", grouped("'") + (fraction.isEmpty ? "" : "." + fraction)),
            ("amount_no_decimals", grouped(",")),
            ("amount", grouped(",") + (fraction.isEmpty ? "" : "." + fraction)),
        ]
        var out = format
        for (name, value) in values {
            out = out.replacingOccurrences(of: "{{\(name)}}", with: value)
                .replacingOccurrences(of: "{{ \(name) }}", with: value)
        }
        return out
    }
}
