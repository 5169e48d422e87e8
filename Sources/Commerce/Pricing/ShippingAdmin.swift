import Foundation
import Postgres

/// A shipping zone as the admin's form submits it.
public struct ShippingZoneInput: Sendable, Hashable {
    public var name: String
    public var restOfWorld: Bool
    /// ISO 3166-1 alpha-2 codes; empty for the rest-of-world zone.
    public var countryCodes: [String]

    public init(name: String, restOfWorld: Bool = false, countryCodes: [String] = []) {
        self.name = name
        self.restOfWorld = restOfWorld
        self.countryCodes = countryCodes
    }
}

/// A zone as the admin lists it, with its rates.
public struct ShippingZoneRecord: Sendable, Hashable {
    public let id: Int64
    public let input: ShippingZoneInput
    public let rates: [ShippingRateRule]
}

/// A tax rate as the admin edits it.
public struct TaxRateRecord: Sendable, Hashable {
    public let id: Int64
    public let rule: TaxRateRule
}

/// Shipping zones, their rates, tax rates and the two tax settings (admin area "Shipping &
/// taxes"). Every write runs in a transaction, validates first (a `CatalogValidation` keyed by
/// form field, nothing written) and leaves a line in the store's audit log.
public enum ShippingAdmin {
    // MARK: Reading

    public static func zones(on db: Connection) throws -> [ShippingZoneRecord] {
        try db.query("""
            SELECT z.id, z.name, z.rest_of_world,
                   coalesce((SELECT array_agg(c.country_code ORDER BY c.country_code) FROM shipping_zone_countries c
                             WHERE c.zone_id = z.id), '{}') AS countries
            FROM shipping_zones z ORDER BY z.rest_of_world, z.name, z.id
            """).map { row in
            let id: Int64 = try row.decode("id")
            return ShippingZoneRecord(id: id, input: ShippingZoneInput(name: try row.decode("name"),
                                                                       restOfWorld: try row.decode("rest_of_world"),
                                                                       countryCodes: try row.decode("countries")),
                                      rates: try ShippingRateRule.load(db, zoneId: id))
        }
    }

    public static func zone(_ id: Int64, on db: Connection) throws -> ShippingZoneRecord? {
        try zones(on: db).first { $0.id == id }
    }

    /// A rate and the zone it belongs to.
    public static func rate(_ id: Int64, on db: Connection) throws -> (zoneId: Int64, rate: ShippingRateRule)? {
        guard let row = try db.queryFirst("""
            SELECT id, zone_id, name, kind, price_minor, min_weight_grams, max_weight_grams, min_subtotal_minor,
                   max_subtotal_minor, free_over_minor, delivery_days_min, delivery_days_max, position
            FROM shipping_rates WHERE id = \(id)
            """) else { return nil }
        return (try row.decode("zone_id"), try ShippingRateRule(row: row))
    }

    public static func taxRates(on db: Connection) throws -> [TaxRateRecord] {
        try db.query("SELECT id, country_code, region_code, name, rate_ppm FROM tax_rates ORDER BY country_code, region_code NULLS FIRST, id")
            .map { row in
                TaxRateRecord(id: try row.decode("id"),
                              rule: TaxRateRule(countryCode: try row.decode("country_code"), regionCode: try row.decode("region_code"),
                                                name: try row.decode("name"), ratePpm: try row.decode("rate_ppm")))
            }
    }

    // MARK: Zones

    @discardableResult
    public static func saveZone(_ id: Int64?, _ raw: ShippingZoneInput, by actor: CatalogActor, on db: Connection) throws -> Int64 {
        try db.transaction { db in
            var errors = CatalogValidation()
            let name = raw.name.trimmedWhitespace()
            if name.isEmpty { errors.add("name", "Enter a name for the zone.") }
            else if name.count > 120 { errors.add("name", "The name must be at most 120 characters.") }
            var codes: [String] = []
            for c in raw.countryCodes.map({ $0.trimmedWhitespace().uppercased() }) where !c.isEmpty && !codes.contains(c) {
                codes.append(c)
            }
            if let bad = codes.first(where: { $0.count != 2 || !$0.unicodeScalars.allSatisfy({ $0.value >= 65 && $0.value <= 90 }) }) {
                errors.add("countries", "“\(bad)” is not a two-letter country code.")
            }
            if raw.restOfWorld {
                codes = []
                if try db.queryFirst("SELECT 1 FROM shipping_zones WHERE rest_of_world AND id <> \(id ?? 0)") != nil {
                    errors.add("rest_of_world", "Another zone already covers the rest of the world.")
                }
            } else if codes.isEmpty {
                errors.add("countries", "Choose at least one country, or make this the rest-of-world zone.")
            }
            if let id, try db.queryFirst("SELECT 1 FROM shipping_zones WHERE id = \(id) FOR UPDATE") == nil {
                throw CatalogAdminError.notFound("shipping zone")
            }
            try errors.throwIfAny()
            let zoneId: Int64
            if let id {
                try db.execute("UPDATE shipping_zones SET name = \(name), rest_of_world = \(raw.restOfWorld) WHERE id = \(id)")
                zoneId = id
            } else {
                guard let row = try db.queryFirst("""
                    INSERT INTO shipping_zones (name, rest_of_world) VALUES (\(name), \(raw.restOfWorld)) RETURNING id
                    """) else { throw CommerceError.missingResult("inserting a shipping zone") }
                zoneId = try row.decode("id")
            }
            try db.execute("DELETE FROM shipping_zone_countries WHERE zone_id = \(zoneId) AND NOT (country_code = ANY(\(codes)::text[]))")
            try db.execute("""
                INSERT INTO shipping_zone_countries (zone_id, country_code)
                SELECT \(zoneId), c FROM unnest(\(codes)::text[]) AS c ON CONFLICT DO NOTHING
                """)
            try CatalogAudit.record(id == nil ? "shipping_zone.create" : "shipping_zone.update", subjectType: "shipping_zone",
                                    subjectId: zoneId, details: ["name": .text(name), "countries": .list(codes)], by: actor, on: db)
            return zoneId
        }
    }

    public static func deleteZone(_ id: Int64, by actor: CatalogActor, on db: Connection) throws {
        try db.transaction { db in
            guard let row = try db.queryFirst("DELETE FROM shipping_zones WHERE id = \(id) RETURNING name") else {
                throw CatalogAdminError.notFound("shipping zone")
            }
            try CatalogAudit.record("shipping_zone.delete", subjectType: "shipping_zone", subjectId: id,
                                    details: ["name": .text(try row.decode("name"))], by: actor, on: db)
        }
    }

    // MARK: Rates

    /// Checks a rate as the form gives it (field keys are the form's names).
    public static func problems(with rate: ShippingRateRule) -> CatalogValidation {
        var errors = CatalogValidation()
        if rate.name.trimmedWhitespace().isEmpty { errors.add("name", "Enter the name shoppers see, like “Standard”.") }
        else if rate.name.count > 120 { errors.add("name", "The name must be at most 120 characters.") }
        if rate.priceMinor < 0 { errors.add("price", "Enter a price of 0 or more.") }
        switch rate.kind {
        case .weight:
            if let lo = rate.minWeightGrams, let hi = rate.maxWeightGrams, hi < lo {
                errors.add("max_weight", "The maximum weight must be at least the minimum.")
            }
        case .price:
            if let lo = rate.minSubtotalMinor, let hi = rate.maxSubtotalMinor, hi < lo {
                errors.add("max_subtotal", "The maximum order subtotal must be at least the minimum.")
            }
        case .flat: break
        }
        if let lo = rate.deliveryDaysMin, let hi = rate.deliveryDaysMax, hi < lo {
            errors.add("delivery_days_max", "The latest delivery day must not be before the earliest.")
        }
        return errors
    }

    @discardableResult
    public static func saveRate(_ id: Int64?, zoneId: Int64, _ raw: ShippingRateRule, by actor: CatalogActor,
                                on db: Connection) throws -> Int64 {
        var rate = raw
        rate.name = raw.name.trimmedWhitespace()
        if rate.kind != .weight { rate.minWeightGrams = nil; rate.maxWeightGrams = nil }
        if rate.kind != .price { rate.minSubtotalMinor = nil; rate.maxSubtotalMinor = nil }
        try problems(with: rate).throwIfAny()
        return try db.transaction { db in
            guard try db.queryFirst("SELECT 1 FROM shipping_zones WHERE id = \(zoneId)") != nil else {
                throw CatalogAdminError.notFound("shipping zone")
            }
            let rateId: Int64
            if let id {
                let n = try db.execute("""
                    UPDATE shipping_rates SET name = \(rate.name), kind = \(rate.kind.rawValue), price_minor = \(rate.priceMinor),
                        min_weight_grams = \(rate.minWeightGrams), max_weight_grams = \(rate.maxWeightGrams),
                        min_subtotal_minor = \(rate.minSubtotalMinor), max_subtotal_minor = \(rate.maxSubtotalMinor),
                        free_over_minor = \(rate.freeOverMinor), delivery_days_min = \(rate.deliveryDaysMin),
                        delivery_days_max = \(rate.deliveryDaysMax)
                    WHERE id = \(id) AND zone_id = \(zoneId)
                    """)
                if n == 0 { throw CatalogAdminError.notFound("shipping rate") }
                rateId = id
            } else {
                guard let row = try db.queryFirst("""
                    INSERT INTO shipping_rates (zone_id, name, kind, price_minor, min_weight_grams, max_weight_grams,
                        min_subtotal_minor, max_subtotal_minor, free_over_minor, delivery_days_min, delivery_days_max, position)
                    VALUES (\(zoneId), \(rate.name), \(rate.kind.rawValue), \(rate.priceMinor), \(rate.minWeightGrams),
                        \(rate.maxWeightGrams), \(rate.minSubtotalMinor), \(rate.maxSubtotalMinor), \(rate.freeOverMinor),
                        \(rate.deliveryDaysMin), \(rate.deliveryDaysMax),
                        (SELECT coalesce(max(position), -1) + 1 FROM shipping_rates WHERE zone_id = \(zoneId)))
                    RETURNING id
                    """) else { throw CommerceError.missingResult("inserting a shipping rate") }
                rateId = try row.decode("id")
            }
            try CatalogAudit.record(id == nil ? "shipping_rate.create" : "shipping_rate.update", subjectType: "shipping_rate",
                                    subjectId: rateId,
                                    details: ["name": .text(rate.name), "kind": .text(rate.kind.rawValue),
                                              "price_minor": .number(rate.priceMinor), "zone_id": .number(zoneId)],
                                    by: actor, on: db)
            return rateId
        }
    }

    public static func deleteRate(_ id: Int64, by actor: CatalogActor, on db: Connection) throws {
        try db.transaction { db in
            guard let row = try db.queryFirst("DELETE FROM shipping_rates WHERE id = \(id) RETURNING name") else {
                throw CatalogAdminError.notFound("shipping rate")
            }
            try CatalogAudit.record("shipping_rate.delete", subjectType: "shipping_rate", subjectId: id,
                                    details: ["name": .text(try row.decode("name"))], by: actor, on: db)
        }
    }

    // MARK: Taxes

    @discardableResult
    public static func saveTaxRate(_ id: Int64?, _ raw: TaxRateRule, by actor: CatalogActor, on db: Connection) throws -> Int64 {
        try db.transaction { db in
            var errors = CatalogValidation()
            let country = raw.countryCode.trimmedWhitespace().uppercased()
            var region = raw.regionCode?.trimmedWhitespace().uppercased()
            if region?.isEmpty == true { region = nil }
            let name = raw.name.trimmedWhitespace()
            if country.count != 2 || !country.unicodeScalars.allSatisfy({ $0.value >= 65 && $0.value <= 90 }) {
                errors.add("country", "Choose a country.")
            }
            if let r = region, r.count > 3 || !r.unicodeScalars.allSatisfy({ ($0.value >= 65 && $0.value <= 90) || ($0.value >= 48 && $0.value <= 57) }) {
                errors.add("region", "Use the region’s ISO code, like CA or NY (letters and digits, at most 3).")
            }
            if name.isEmpty { errors.add("name", "Enter the tax’s name, like “VAT” or “Sales tax”.") }
            else if name.count > 60 { errors.add("name", "The name must be at most 60 characters.") }
            if raw.ratePpm < 0 || raw.ratePpm > 1_000_000 { errors.add("rate", "Enter a rate between 0 and 100%.") }
            if errors["country"] == nil, try db.queryFirst("""
                SELECT 1 FROM tax_rates WHERE country_code = \(country) AND coalesce(region_code, '') = \(region ?? "")
                  AND id <> \(id ?? 0)
                """) != nil {
                errors.add(region == nil ? "country" : "region",
                           region == nil ? "This country already has a rate; edit that one." : "This region already has a rate; edit that one.")
            }
            try errors.throwIfAny()
            let taxId: Int64
            if let id {
                let n = try db.execute("""
                    UPDATE tax_rates SET country_code = \(country), region_code = \(region), name = \(name), rate_ppm = \(raw.ratePpm)
                    WHERE id = \(id)
                    """)
                if n == 0 { throw CatalogAdminError.notFound("tax rate") }
                taxId = id
            } else {
                guard let row = try db.queryFirst("""
                    INSERT INTO tax_rates (country_code, region_code, name, rate_ppm)
                    VALUES (\(country), \(region), \(name), \(raw.ratePpm)) RETURNING id
                    """) else { throw CommerceError.missingResult("inserting a tax rate") }
                taxId = try row.decode("id")
            }
            try CatalogAudit.record(id == nil ? "tax_rate.create" : "tax_rate.update", subjectType: "tax_rate", subjectId: taxId,
                                    details: ["country": .text(country), "region": .text(region ?? ""), "name": .text(name),
                                              "rate_ppm": .number(Int64(raw.ratePpm))], by: actor, on: db)
            return taxId
        }
    }

    public static func deleteTaxRate(_ id: Int64, by actor: CatalogActor, on db: Connection) throws {
        try db.transaction { db in
            guard let row = try db.queryFirst("DELETE FROM tax_rates WHERE id = \(id) RETURNING name, country_code") else {
                throw CatalogAdminError.notFound("tax rate")
            }
            try CatalogAudit.record("tax_rate.delete", subjectType: "tax_rate", subjectId: id,
                                    details: ["name": .text(try row.decode("name")), "country": .text(try row.decode("country_code"))],
                                    by: actor, on: db)
        }
    }

    /// The two tax settings (only these two `store_settings` columns).
    public static func saveTaxSettings(pricesIncludeTax: Bool, taxShipping: Bool, by actor: CatalogActor, on db: Connection) throws {
        try db.transaction { db in
            try db.execute("UPDATE store_settings SET prices_include_tax = \(pricesIncludeTax), tax_shipping = \(taxShipping)")
            try CatalogAudit.record("tax_settings.update", subjectType: "store_settings", subjectId: nil,
                                    details: ["prices_include_tax": .text(String(pricesIncludeTax)),
                                              "tax_shipping": .text(String(taxShipping))], by: actor, on: db)
        }
    }
}
