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
                             now: Date, rules cached: ((_ address: PricingAddress?, _ needsShipping: Bool) throws -> LoadedRules)? = nil)
        throws -> Quote {
        let needsShipping = lines.contains(where: \.requiresShipping)
        let loaded = try cached?(address, needsShipping) ?? loadRules(db, address: address, needsShipping: needsShipping)
        let (rules, moneyFormat) = (loaded.rules, loaded.moneyFormat)

        let code = discountCode?.trimmingCharacters(in: .whitespacesAndNewlines) ?? ""
        let rule = code.isEmpty ? nil : try loadDiscount(db, code: code, productIds: lines.map(\.productId),
                                                         customerId: customerId, email: email)
        let digits = CatalogText.minorDigits(currency: currency)
        return PricingEngine.quote(
            PricingEngine.Request(lines: lines, address: address, shippingRateId: shippingRateId,
                                  discountCode: code, discount: rule, now: now),
            rules: rules, formatMoney: { PricingMoney.format($0, format: moneyFormat, digits: digits) })
    }

    /// What `loadRules` read: it depends only on the store's settings, shipping zones and
    /// rates and tax rates (and the address's country), so a caller may keep it until any of
    /// those change (`checkout_settings_changed`, tenant migration 0018) and pass it to `quote`.
    public struct LoadedRules: Sendable, Equatable {
        public let rules: PricingRules
        public let moneyFormat: String
    }

    /// The store's two tax settings and money format, the zones that may serve the address
    /// (those listing its country, plus rest of world) with their rates, and the country's tax
    /// rates: one statement, since every priced checkout step needs them.
    public static func loadRules(_ db: Connection, address: PricingAddress?, needsShipping: Bool) throws -> LoadedRules {
        let country = address?.countryCode.uppercased()
        let zoneCountry = needsShipping ? country : nil
        guard let row = try db.queryFirst("""
            SELECT s.prices_include_tax, s.tax_shipping, s.money_format,
                   (SELECT coalesce(jsonb_agg(jsonb_build_object(
                               'id', z.id, 'name', z.name, 'rest_of_world', z.rest_of_world,
                               'countries', coalesce((SELECT jsonb_agg(c.country_code) FROM shipping_zone_countries c
                                                      WHERE c.zone_id = z.id), '[]'),
                               'rates', coalesce((SELECT jsonb_agg(to_jsonb(r) ORDER BY r.position, r.id)
                                                  FROM (SELECT id, name, kind, price_minor, min_weight_grams, max_weight_grams,
                                                               min_subtotal_minor, max_subtotal_minor, free_over_minor,
                                                               delivery_days_min, delivery_days_max, position
                                                        FROM shipping_rates WHERE zone_id = z.id) r), '[]'))
                               ORDER BY z.id), '[]')
                    FROM shipping_zones z
                    WHERE \(zoneCountry)::text IS NOT NULL
                      AND (z.rest_of_world OR EXISTS (SELECT 1 FROM shipping_zone_countries c
                                                      WHERE c.zone_id = z.id AND c.country_code = \(zoneCountry)::text))
                   )::text AS zones,
                   (SELECT coalesce(jsonb_agg(jsonb_build_object('country_code', t.country_code, 'region_code', t.region_code,
                                                                 'name', t.name, 'rate_ppm', t.rate_ppm)), '[]')
                    FROM tax_rates t WHERE t.country_code = \(country)::text)::text AS taxes
            FROM (SELECT 1) AS one LEFT JOIN store_settings s ON true
            LIMIT 1
            """) else { throw CommerceError.missingResult("pricing rules") }
        var rules = PricingRules()
        rules.pricesIncludeTax = try row.decode("prices_include_tax", as: Bool?.self) ?? false
        rules.taxShipping = try row.decode("tax_shipping", as: Bool?.self) ?? false
        let zones = try JSON(rawText: try row.decode("zones")).decode([ZoneRow].self)
        rules.zones = zones.map { zone in
            ShippingZoneRule(id: zone.id, name: zone.name, restOfWorld: zone.rest_of_world,
                             countryCodes: Set(zone.countries), rates: zone.rates.map(\.rule))
        }
        rules.taxRates = try JSON(rawText: try row.decode("taxes")).decode([TaxRow].self).map {
            TaxRateRule(countryCode: $0.country_code, regionCode: $0.region_code, name: $0.name, ratePpm: $0.rate_ppm)
        }
        return LoadedRules(rules: rules, moneyFormat: try row.decode("money_format", as: String?.self) ?? "{{amount}}")
    }

    // The JSON shapes of `loadRules` (snake_case, as the columns are named).
    private struct ZoneRow: Decodable {
        let id: Int64
        let name: String
        let rest_of_world: Bool
        let countries: [String]
        let rates: [RateRow]
    }

    private struct RateRow: Decodable {
        let id: Int64
        let name: String
        let kind: String
        let price_minor: Int64
        let min_weight_grams: Int?
        let max_weight_grams: Int?
        let min_subtotal_minor: Int64?
        let max_subtotal_minor: Int64?
        let free_over_minor: Int64?
        let delivery_days_min: Int?
        let delivery_days_max: Int?
        let position: Int

        var rule: ShippingRateRule {
            ShippingRateRule(id: id, name: name, kind: ShippingRateRule.Kind(rawValue: kind) ?? .flat, priceMinor: price_minor,
                             minWeightGrams: min_weight_grams, maxWeightGrams: max_weight_grams,
                             minSubtotalMinor: min_subtotal_minor, maxSubtotalMinor: max_subtotal_minor,
                             freeOverMinor: free_over_minor, deliveryDaysMin: delivery_days_min,
                             deliveryDaysMax: delivery_days_max, position: position)
        }
    }

    private struct TaxRow: Decodable {
        let country_code: String
        let region_code: String?
        let name: String
        let rate_ppm: Int
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
