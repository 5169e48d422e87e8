import Commerce
import Foundation
import HTTP
import Liquid
import Postgres

extension StorefleetApp {
    /// `GET /store/:slug/admin/shipping`: the tax settings, zones with their rates, tax rates.
    func shippingOverview(_ site: PlatformSite, _ context: AdminContext) throws -> Response {
        let (settings, zones, taxes) = try withTenant(context.route) { db in
            (try StoreSettings.load(on: db), try ShippingAdmin.zones(on: db), try ShippingAdmin.taxRates(on: db))
        }
        let money = AdminMoney(currency: context.route.currency)
        let zoneValues: [Value] = zones.map { zone in
            let names = zone.input.countryCodes.map(PricingPages.countryName).sorted { $0.localizedCompare($1) == .orderedAscending }
            let shown = names.prefix(8).joined(separator: ", ") + (names.count > 8 ? " and \(names.count - 8) more" : "")
            return [
                "id": .int(Int(zone.id)), "name": .string(zone.input.name), "rest_of_world": .bool(zone.input.restOfWorld),
                "countries": .string(zone.input.restOfWorld ? "Every country no other zone lists" : shown),
                "country_count": .int(names.count),
                "url": .string(context.adminURL + "/shipping/zones/\(zone.id)"),
                "add_rate_url": .string(context.adminURL + "/shipping/zones/\(zone.id)/rates/new"),
                "rates": .array(zone.rates.map { rateValue($0, context: context, money: money, unit: settings.weightUnit) }),
            ]
        }
        let taxValues: [Value] = taxes.map { t in
            ["country": .string(PricingPages.countryName(t.rule.countryCode)), "country_code": .string(t.rule.countryCode),
             "region": .string(t.rule.regionCode ?? ""), "name": .string(t.rule.name),
             "rate": .string(PricingPages.percent(t.rule.ratePpm)),
             "url": .string(context.adminURL + "/shipping/taxes/\(t.id)"),
             "delete_url": .string(context.adminURL + "/shipping/taxes/\(t.id)/delete")]
        }
        return try PricingPages.render(site, context, area: .shipping, page: "admin/pricing/shipping", title: "Shipping & taxes", assigns: [
            "zones": .array(zoneValues), "taxes": .array(taxValues),
            "prices_include_tax": .bool(settings.pricesIncludeTax), "tax_shipping": .bool(settings.taxShipping),
            "settings_url": .string(context.adminURL + "/shipping/settings"),
            "new_zone_url": .string(context.adminURL + "/shipping/zones/new"),
            "new_tax_url": .string(context.adminURL + "/shipping/taxes/new"),
            "has_rest_of_world": .bool(zones.contains { $0.input.restOfWorld }),
        ])
    }

    func rateValue(_ rate: ShippingRateRule, context: AdminContext, money: AdminMoney, unit: String) -> Value {
        let condition: String
        switch rate.kind {
        case .flat: condition = "All orders"
        case .weight:
            let lo = PricingPages.weightText(rate.minWeightGrams ?? 0, unit: unit)
            condition = rate.maxWeightGrams.map { "\(lo)–\(PricingPages.weightText($0, unit: unit)) \(unit)" } ?? "\(lo) \(unit) and up"
        case .price:
            let lo = money.string(rate.minSubtotalMinor ?? 0)
            condition = rate.maxSubtotalMinor.map { "Orders \(lo)–\(money.string($0))" } ?? "Orders \(lo) and up"
        }
        var delivery = ""
        switch (rate.deliveryDaysMin, rate.deliveryDaysMax) {
        case let (lo?, hi?): delivery = lo == hi ? "\(lo) business days" : "\(lo)–\(hi) business days"
        case let (lo?, nil): delivery = "\(lo)+ business days"
        case let (nil, hi?): delivery = "Up to \(hi) business days"
        default: break
        }
        return [
            "name": .string(rate.name), "kind": .string(rate.kind.rawValue), "condition": .string(condition),
            "price": .string(rate.priceMinor == 0 ? "Free" : money.string(rate.priceMinor)),
            "free_over": .string(rate.freeOverMinor.map { "Free from \(money.string($0))" } ?? ""),
            "delivery": .string(delivery),
            "url": .string(context.adminURL + "/shipping/rates/\(rate.id)"),
        ]
    }

    /// `POST /shipping/settings`: the two tax checkboxes.
    func saveTaxSettings(_ site: PlatformSite, _ context: AdminContext, form: FormData) throws -> Response {
        try withTenant(context.route) { db in
            try ShippingAdmin.saveTaxSettings(pricesIncludeTax: form["prices_include_tax"] == "1",
                                              taxShipping: form["tax_shipping"] == "1", by: actor(site, context), on: db)
        }
        return site.redirect(to: context.adminURL + "/shipping", flash: .success("Tax settings saved."))
    }

    // MARK: Zones

    func zoneEditor(_ site: PlatformSite, _ context: AdminContext, zoneId: Int64?) throws -> Response {
        var fields: [String: Value] = ["name": "", "rest_of_world": false]
        var selected: Set<String> = []
        if let zoneId {
            guard let zone = try withTenant(context.route, { db in try ShippingAdmin.zone(zoneId, on: db) }) else {
                throw HTTPError(.notFound, "This shipping zone no longer exists.")
            }
            fields["name"] = .string(zone.input.name)
            fields["rest_of_world"] = .bool(zone.input.restOfWorld)
            selected = Set(zone.input.countryCodes)
        }
        return try renderZone(site, context, zoneId: zoneId, fields: fields, selected: selected, errors: nil)
    }

    func saveZone(_ site: PlatformSite, _ context: AdminContext, zoneId: Int64?, form: FormData) throws -> Response {
        let input = ShippingZoneInput(name: form["name"] ?? "", restOfWorld: form["rest_of_world"] == "1",
                                      countryCodes: form.all("countries"))
        var errors = FormErrors()
        do {
            let id = try withTenant(context.route) { db in
                try ShippingAdmin.saveZone(zoneId, input, by: actor(site, context), on: db)
            }
            return site.redirect(to: context.adminURL + "/shipping#zone-\(id)",
                                 flash: .success(zoneId == nil ? "Shipping zone created. Now add its rates." : "Shipping zone saved."))
        } catch let validation as CatalogValidation {
            PricingPages.merge(validation, into: &errors)
        } catch CatalogAdminError.notFound {
            throw HTTPError(.notFound, "This shipping zone no longer exists.")
        }
        return try renderZone(site, context, zoneId: zoneId,
                              fields: ["name": .string(form["name"] ?? ""), "rest_of_world": .bool(input.restOfWorld)],
                              selected: Set(input.countryCodes), errors: errors)
    }

    func renderZone(_ site: PlatformSite, _ context: AdminContext, zoneId: Int64?, fields: [String: Value],
                    selected: Set<String>, errors: FormErrors?) throws -> Response {
        var assigns = fields
        assigns["is_new"] = .bool(zoneId == nil)
        assigns["countries"] = PricingPages.countryOptions(selected: selected)
        assigns["selected_count"] = .int(selected.count)
        assigns["selected_names"] = .string(selected.map(PricingPages.countryName)
            .sorted { $0.localizedCompare($1) == .orderedAscending }.joined(separator: ", "))
        assigns["action"] = .string(context.adminURL + "/shipping/zones/" + (zoneId.map(String.init) ?? "new"))
        assigns["back_url"] = .string(context.adminURL + "/shipping")
        if let zoneId { assigns["delete_url"] = .string(context.adminURL + "/shipping/zones/\(zoneId)/delete") }
        return try PricingPages.render(site, context, area: .shipping, page: "admin/pricing/zone",
                                       title: zoneId == nil ? "Create shipping zone" : "Edit shipping zone",
                                       assigns: assigns, errors: errors)
    }

    func deleteZone(_ site: PlatformSite, _ context: AdminContext, zoneId: Int64) throws -> Response {
        do {
            try withTenant(context.route) { db in try ShippingAdmin.deleteZone(zoneId, by: actor(site, context), on: db) }
        } catch CatalogAdminError.notFound {
            throw HTTPError(.notFound, "This shipping zone no longer exists.")
        }
        return site.redirect(to: context.adminURL + "/shipping", flash: .success("Shipping zone deleted, with its rates."))
    }

    // MARK: Rates

    func rateEditor(_ site: PlatformSite, _ context: AdminContext, zoneId: Int64?, rateId: Int64?) throws -> Response {
        let (unit, zone, existing) = try withTenant(context.route) { db -> (String, ShippingZoneRecord?, (zoneId: Int64, rate: ShippingRateRule)?) in
            let existing = try rateId.flatMap { try ShippingAdmin.rate($0, on: db) }
            let zone = try (existing?.zoneId ?? zoneId).flatMap { try ShippingAdmin.zone($0, on: db) }
            return (try StoreSettings.load(on: db).weightUnit, zone, existing)
        }
        guard let zone, rateId == nil || existing != nil else { throw HTTPError(.notFound, "This shipping rate no longer exists.") }
        let digits = CatalogText.minorDigits(currency: context.route.currency)
        let r = existing?.rate
        func m(_ v: Int64?) -> Value { .string(v.map { CatalogText.decimal($0, digits: digits) } ?? "") }
        let fields: [String: Value] = [
            "name": .string(r?.name ?? ""), "kind": .string(r?.kind.rawValue ?? "flat"), "price": m(r?.priceMinor),
            "min_weight": .string(PricingPages.weightText(r?.minWeightGrams, unit: unit)),
            "max_weight": .string(PricingPages.weightText(r?.maxWeightGrams, unit: unit)),
            "min_subtotal": m(r?.minSubtotalMinor), "max_subtotal": m(r?.maxSubtotalMinor), "free_over": m(r?.freeOverMinor),
            "delivery_days_min": .string(r?.deliveryDaysMin.map(String.init) ?? ""),
            "delivery_days_max": .string(r?.deliveryDaysMax.map(String.init) ?? ""),
        ]
        return try renderRate(site, context, zone: zone, rateId: rateId, unit: unit, fields: fields, errors: nil)
    }

    func saveRate(_ site: PlatformSite, _ context: AdminContext, zoneId: Int64?, rateId: Int64?, form: FormData) throws -> Response {
        let (unit, zone) = try withTenant(context.route) { db -> (String, ShippingZoneRecord?) in
            let zid = try zoneId ?? rateId.flatMap { try ShippingAdmin.rate($0, on: db)?.zoneId }
            return (try StoreSettings.load(on: db).weightUnit, try zid.flatMap { try ShippingAdmin.zone($0, on: db) })
        }
        guard let zone else { throw HTTPError(.notFound, "This shipping rate no longer exists.") }
        let digits = CatalogText.minorDigits(currency: context.route.currency)
        var errors = FormErrors()
        let kind = ShippingRateRule.Kind(rawValue: form["kind"] ?? "") ?? .flat
        let price = PricingPages.money(form, "price", digits: digits, errors: &errors, required: true, label: "a price (0 for free)")
        var rate = ShippingRateRule(id: rateId ?? 0, name: form["name"] ?? "", kind: kind, priceMinor: price ?? 0)
        if kind == .weight {
            rate.minWeightGrams = PricingPages.grams(form, "min_weight", unit: unit, errors: &errors)
            rate.maxWeightGrams = PricingPages.grams(form, "max_weight", unit: unit, errors: &errors)
        }
        if kind == .price {
            rate.minSubtotalMinor = PricingPages.money(form, "min_subtotal", digits: digits, errors: &errors)
            rate.maxSubtotalMinor = PricingPages.money(form, "max_subtotal", digits: digits, errors: &errors)
        }
        rate.freeOverMinor = PricingPages.money(form, "free_over", digits: digits, errors: &errors)
        rate.deliveryDaysMin = PricingPages.whole(form, "delivery_days_min", errors: &errors)
        rate.deliveryDaysMax = PricingPages.whole(form, "delivery_days_max", errors: &errors)
        PricingPages.merge(ShippingAdmin.problems(with: rate), into: &errors)
        if errors.isEmpty {
            do {
                try withTenant(context.route) { db in
                    try ShippingAdmin.saveRate(rateId, zoneId: zone.id, rate, by: actor(site, context), on: db)
                }
                return site.redirect(to: context.adminURL + "/shipping#zone-\(zone.id)",
                                     flash: .success(rateId == nil ? "Rate added to \(zone.input.name)." : "Rate saved."))
            } catch let validation as CatalogValidation {
                PricingPages.merge(validation, into: &errors)
            } catch CatalogAdminError.notFound {
                throw HTTPError(.notFound, "This shipping rate no longer exists.")
            }
        }
        var fields: [String: Value] = ["kind": .string(kind.rawValue)]
        for name in ["name", "price", "min_weight", "max_weight", "min_subtotal", "max_subtotal", "free_over",
                     "delivery_days_min", "delivery_days_max"] {
            fields[name] = .string(form[name] ?? "")
        }
        return try renderRate(site, context, zone: zone, rateId: rateId, unit: unit, fields: fields, errors: errors)
    }

    func renderRate(_ site: PlatformSite, _ context: AdminContext, zone: ShippingZoneRecord, rateId: Int64?, unit: String,
                    fields: [String: Value], errors: FormErrors?) throws -> Response {
        var assigns = fields
        assigns["is_new"] = .bool(rateId == nil)
        assigns["zone_name"] = .string(zone.input.name)
        assigns["weight_unit"] = .string(unit)
        assigns["currency"] = .string(context.route.currency)
        assigns["kinds"] = .array([("flat", "Flat rate", "One price for every order"),
                                   ("weight", "Based on weight", "For orders whose shipping weight is in a range"),
                                   ("price", "Based on order price", "For orders whose subtotal after discounts is in a range")].map {
            ["value": .string($0.0), "label": .string($0.1), "hint": .string($0.2), "checked": .bool(fields["kind"] == .string($0.0))]
        })
        assigns["action"] = .string(context.adminURL + (rateId.map { "/shipping/rates/\($0)" } ?? "/shipping/zones/\(zone.id)/rates/new"))
        assigns["back_url"] = .string(context.adminURL + "/shipping#zone-\(zone.id)")
        if let rateId { assigns["delete_url"] = .string(context.adminURL + "/shipping/rates/\(rateId)/delete") }
        return try PricingPages.render(site, context, area: .shipping, page: "admin/pricing/rate",
                                       title: rateId == nil ? "Add rate" : "Edit rate", assigns: assigns, errors: errors)
    }

    func deleteRate(_ site: PlatformSite, _ context: AdminContext, rateId: Int64) throws -> Response {
        do {
            try withTenant(context.route) { db in try ShippingAdmin.deleteRate(rateId, by: actor(site, context), on: db) }
        } catch CatalogAdminError.notFound {
            throw HTTPError(.notFound, "This shipping rate no longer exists.")
        }
        return site.redirect(to: context.adminURL + "/shipping", flash: .success("Rate deleted."))
    }

    // MARK: Taxes

    func taxEditor(_ site: PlatformSite, _ context: AdminContext, taxId: Int64?) throws -> Response {
        var fields: [String: Value] = ["country": "", "region": "", "name": "", "rate": ""]
        if let taxId {
            guard let t = try withTenant(context.route, { db in try ShippingAdmin.taxRates(on: db).first { $0.id == taxId } }) else {
                throw HTTPError(.notFound, "This tax rate no longer exists.")
            }
            fields = ["country": .string(t.rule.countryCode), "region": .string(t.rule.regionCode ?? ""),
                      "name": .string(t.rule.name), "rate": .string(PricingMath.percent(fromPPM: t.rule.ratePpm))]
        }
        return try renderTax(site, context, taxId: taxId, fields: fields, errors: nil)
    }

    func saveTax(_ site: PlatformSite, _ context: AdminContext, taxId: Int64?, form: FormData) throws -> Response {
        var errors = FormErrors()
        let rateText = (form["rate"] ?? "").trimmingWhitespace()
        let ppm = PricingMath.ppm(fromPercent: rateText)
        if rateText.isEmpty { errors.add("rate", "Enter the rate as a percentage, like 20 or 8.875.") }
        else if ppm == nil { errors.add("rate", "Enter a percentage with at most 4 decimals, like 20 or 8.875.") }
        else if let ppm, ppm > 1_000_000 { errors.add("rate", "A rate cannot be more than 100%.") }
        let rule = TaxRateRule(countryCode: form["country"] ?? "", regionCode: form["region"], name: form["name"] ?? "",
                               ratePpm: min(ppm ?? 0, 1_000_000))
        do {
            // Validated in Commerce too, so every field's problem shows at once.
            try withTenant(context.route) { db in
                try db.transaction { db in
                    do {
                        try ShippingAdmin.saveTaxRate(taxId, rule, by: actor(site, context), on: db)
                    } catch let validation as CatalogValidation {
                        PricingPages.merge(validation, into: &errors)
                    }
                    if !errors.isEmpty { throw CatalogValidation() }
                }
            }
            return site.redirect(to: context.adminURL + "/shipping#taxes", flash: .success(taxId == nil ? "Tax rate added." : "Tax rate saved."))
        } catch is CatalogValidation {
        } catch CatalogAdminError.notFound {
            throw HTTPError(.notFound, "This tax rate no longer exists.")
        }
        var fields: [String: Value] = [:]
        for name in ["country", "region", "name", "rate"] { fields[name] = .string(form[name] ?? "") }
        return try renderTax(site, context, taxId: taxId, fields: fields, errors: errors)
    }

    func renderTax(_ site: PlatformSite, _ context: AdminContext, taxId: Int64?, fields: [String: Value],
                   errors: FormErrors?) throws -> Response {
        var assigns = fields
        let chosen: Set<String> = { if case .string(let s)? = fields["country"] { return [s.uppercased()] }; return [] }()
        assigns["is_new"] = .bool(taxId == nil)
        assigns["countries"] = PricingPages.countryOptions(selected: chosen)
        assigns["action"] = .string(context.adminURL + "/shipping/taxes/" + (taxId.map(String.init) ?? "new"))
        assigns["back_url"] = .string(context.adminURL + "/shipping#taxes")
        if let taxId { assigns["delete_url"] = .string(context.adminURL + "/shipping/taxes/\(taxId)/delete") }
        return try PricingPages.render(site, context, area: .shipping, page: "admin/pricing/tax",
                                       title: taxId == nil ? "Add tax rate" : "Edit tax rate", assigns: assigns, errors: errors)
    }

    func deleteTax(_ site: PlatformSite, _ context: AdminContext, taxId: Int64) throws -> Response {
        do {
            try withTenant(context.route) { db in try ShippingAdmin.deleteTaxRate(taxId, by: actor(site, context), on: db) }
        } catch CatalogAdminError.notFound {
            throw HTTPError(.notFound, "This tax rate no longer exists.")
        }
        return site.redirect(to: context.adminURL + "/shipping#taxes", flash: .success("Tax rate deleted."))
    }
}
