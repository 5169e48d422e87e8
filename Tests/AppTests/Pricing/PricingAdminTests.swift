import Commerce
import Foundation
import HTTP
import Postgres
import Testing
@testable import App

/// The Shipping & taxes and Discounts admin pages: create, validation errors next to the field,
/// staff access, CSRF, audit log.
@Suite("Store admin: shipping, taxes and discounts")
struct PricingAdminTests {
    @Test("zones, rates, tax rates and the tax settings are created from the forms")
    func shippingAndTaxes() throws {
        guard let (shop, client) = try AdminCatalogTests.shop("prc-ship") else { return }
        let db = try shop.stack.tenantConnection(shop.store)
        let empty = try client.get(shop.admin + "/shipping")
        #expect(empty.status == .ok)
        #expect(empty.text.contains("Set up where you ship"))

        let noCountries = try client.post(shop.admin + "/shipping/zones/new", [("name", "Europe")])
        #expect(noCountries.status == .unprocessableContent)
        #expect(noCountries.text.contains("id=\"countries-error\">Choose at least one country, or make this the rest-of-world zone."))
        #expect(try db.queryFirst("SELECT count(*)::int AS n FROM shipping_zones")!.decode("n", as: Int.self) == 0)

        let created = try client.post(shop.admin + "/shipping/zones/new", [("name", "Europe"), ("countries", "FR"), ("countries", "DE")])
        #expect(created.status == .seeOther)
        let zoneId: Int64 = try db.queryFirst("SELECT id FROM shipping_zones")!.decode("id")
        #expect(try db.query("SELECT country_code FROM shipping_zone_countries ORDER BY 1").map { try $0.decode(0, as: String.self) } == ["DE", "FR"])

        let badRate = try client.post(shop.admin + "/shipping/zones/\(zoneId)/rates/new",
                                      [("name", "Heavy"), ("kind", "weight"), ("price", "9.5x"), ("min_weight", "2"), ("max_weight", "1")])
        #expect(badRate.status == .unprocessableContent)
        #expect(badRate.text.contains("id=\"price-error\">Enter an amount like 5 or 4.99."))
        #expect(badRate.text.contains("id=\"max_weight-error\">The maximum weight must be at least the minimum."))
        let rate = try client.post(shop.admin + "/shipping/zones/\(zoneId)/rates/new",
                                   [("name", "Heavy"), ("kind", "weight"), ("price", "9.50"), ("min_weight", "0.5"), ("max_weight", "2"),
                                    ("free_over", "100"), ("delivery_days_min", "2"), ("delivery_days_max", "4")])
        #expect(rate.status == .seeOther)
        let row = try db.queryFirst("SELECT price_minor, min_weight_grams, max_weight_grams, free_over_minor FROM shipping_rates")!
        #expect(try row.decode("price_minor", as: Int64.self) == 950)
        #expect(try row.decode("min_weight_grams", as: Int.self) == 500)   // kg → g
        #expect(try row.decode("max_weight_grams", as: Int.self) == 2000)
        #expect(try row.decode("free_over_minor", as: Int64.self) == 10000)

        let badTax = try client.post(shop.admin + "/shipping/taxes/new", [("country", ""), ("name", "VAT"), ("rate", "8.12345")])
        #expect(badTax.status == .unprocessableContent)
        #expect(badTax.text.contains("id=\"rate-error\">Enter a percentage with at most 4 decimals"))
        #expect(badTax.text.contains("id=\"country-error\">Choose a country."))
        let tax = try client.post(shop.admin + "/shipping/taxes/new", [("country", "FR"), ("region", ""), ("name", "TVA"), ("rate", "19.6")])
        #expect(tax.status == .seeOther)
        #expect(try db.queryFirst("SELECT rate_ppm FROM tax_rates")!.decode("rate_ppm", as: Int.self) == 196_000)

        let settings = try client.post(shop.admin + "/shipping/settings", [("prices_include_tax", "1")])
        #expect(settings.status == .seeOther)
        let s = try db.queryFirst("SELECT prices_include_tax, tax_shipping FROM store_settings")!
        #expect(try s.decode("prices_include_tax", as: Bool.self))
        #expect(try !s.decode("tax_shipping", as: Bool.self))

        let page = try client.get(shop.admin + "/shipping")
        #expect(page.text.contains("Europe") && page.text.contains("France") && page.text.contains("Germany"))
        #expect(page.text.contains("Heavy") && page.text.contains("$9.50") && page.text.contains("Free from $100.00"))
        #expect(page.text.contains("0.5–2 kg") && page.text.contains("2–4 business days"))
        #expect(page.text.contains("19.6%"))
        #expect(page.text.contains("id=\"prices_include_tax\" name=\"prices_include_tax\" type=\"checkbox\" value=\"1\" checked"))
        let audited = try db.query("SELECT action FROM audit_log WHERE action LIKE 'shipping%' OR action LIKE 'tax%' ORDER BY id")
            .map { try $0.decode("action", as: String.self) }
        #expect(audited == ["shipping_zone.create", "shipping_rate.create", "tax_rate.create", "tax_settings.update"])
    }

    @Test("discounts: create with products, list, validation, disable, delete")
    func discounts() throws {
        guard let (shop, client) = try AdminCatalogTests.shop("prc-disc") else { return }
        let db = try shop.stack.tenantConnection(shop.store)
        let product = try ProductAdmin.create(ProductInput(title: "Linen Apron", status: .active,
                                                           variants: [VariantInput(sku: "APR", priceMinor: 2400)]),
                                              by: CatalogActor(id: "1"), on: db)
        let form = try client.get(shop.admin + "/discounts/new")
        #expect(form.status == .ok)
        #expect(form.text.contains(">Linen Apron</option>"))

        let bad = try client.post(shop.admin + "/discounts/new", [
            ("code", "SPRING 10"), ("kind", "percentage"), ("value", "150"), ("applies_to", "products"),
            ("starts_at", "2026-05-01T00:00"), ("ends_at", "2026-04-01T00:00"), ("enabled", "1")])
        #expect(bad.status == .unprocessableContent)
        #expect(bad.text.contains("id=\"code-error\">A code cannot contain spaces."))
        #expect(bad.text.contains("id=\"value-error\">The percentage cannot be more than 100."))
        #expect(bad.text.contains("id=\"ends_at-error\">The end must be after the start."))
        #expect(bad.text.contains("id=\"products-error\">Choose at least one product."))
        #expect(bad.text.contains("value=\"SPRING 10\""))

        let created = try client.post(shop.admin + "/discounts/new", [
            ("code", "Spring10"), ("kind", "percentage"), ("value", "12.5"), ("applies_to", "products"), ("products", String(product)),
            ("minimum_subtotal", "50"), ("usage_limit", "100"), ("per_customer_limit", "1"),
            ("starts_at", "2026-03-01T09:00"), ("ends_at", "2036-04-01T00:00"), ("enabled", "1")])
        #expect(created.status == .seeOther)
        let row = try db.queryFirst("SELECT id, percent_ppm, minimum_subtotal_minor, starts_at FROM discount_codes")!
        let id: Int64 = try row.decode("id")
        #expect(try row.decode("percent_ppm", as: Int.self) == 125_000)
        #expect(try row.decode("minimum_subtotal_minor", as: Int64.self) == 5000)
        #expect(try row.decode("starts_at", as: Date.self) == ISO8601DateFormatter().date(from: "2026-03-01T09:00:00Z"))
        #expect(try db.queryFirst("SELECT product_id FROM discount_code_products")!.decode("product_id", as: Int64.self) == product)

        let duplicate = try client.post(shop.admin + "/discounts/new", [("code", "SPRING10"), ("kind", "free_shipping"), ("applies_to", "all")])
        #expect(duplicate.status == .unprocessableContent)
        #expect(duplicate.text.contains("id=\"code-error\">Another discount already uses the code “SPRING10”."))

        let list = try client.get(shop.admin + "/discounts")
        #expect(list.text.contains("Spring10"))
        #expect(list.text.contains("12.5% off · 1 product · Minimum $50.00 · 1 per customer"))
        #expect(list.text.contains("0 / 100"))
        #expect(list.text.contains(">Active</span>"))

        _ = try client.get(shop.admin + "/discounts/\(id)")
        #expect(try client.post(shop.admin + "/discounts/\(id)/disable", []).status == .seeOther)
        #expect(try client.get(shop.admin + "/discounts").text.contains(">Disabled</span>"))
        #expect(try client.post(shop.admin + "/discounts/\(id)/delete", []).status == .seeOther)
        #expect(try db.queryFirst("SELECT count(*)::int AS n FROM discount_codes")!.decode("n", as: Int.self) == 0)
        let audited = try db.query("SELECT action FROM audit_log WHERE action LIKE 'discount.%' ORDER BY id").map { try $0.decode("action", as: String.self) }
        #expect(audited == ["discount.create", "discount.disable", "discount.delete"])
    }

    @Test("editing: a rate changes kind (old bounds cleared), a discount changes kind and scope, a used code's limit cannot go below its uses, a zone is deleted with its rates")
    func editing() throws {
        guard let (shop, client) = try AdminCatalogTests.shop("prc-edit") else { return }
        let db = try shop.stack.tenantConnection(shop.store)
        let actor = CatalogActor(id: "1")
        let zone = try ShippingAdmin.saveZone(nil, ShippingZoneInput(name: "Domestic", countryCodes: ["US"]), by: actor, on: db)
        let rate = try ShippingAdmin.saveRate(nil, zoneId: zone, ShippingRateRule(id: 0, name: "Parcel", kind: .weight, priceMinor: 700,
                                                                                 minWeightGrams: 0, maxWeightGrams: 1000), by: actor, on: db)
        let editor = try client.get(shop.admin + "/shipping/rates/\(rate)")
        #expect(editor.text.contains("id=\"max_weight\" name=\"max_weight\" type=\"text\" inputmode=\"decimal\" value=\"1\""))
        let saved = try client.post(shop.admin + "/shipping/rates/\(rate)", [("name", "Big orders"), ("kind", "price"), ("price", "0"),
                                                                            ("min_subtotal", "100"), ("max_weight", "5")])
        #expect(saved.status == .seeOther)
        let row = try db.queryFirst("SELECT name, kind, price_minor, min_subtotal_minor, max_weight_grams FROM shipping_rates")!
        #expect(try row.decode("kind", as: String.self) == "price")
        #expect(try row.decode("min_subtotal_minor", as: Int64.self) == 10000)
        #expect(try row.decode("max_weight_grams", as: Int?.self) == nil)
        #expect(try client.get(shop.admin + "/shipping").text.contains("Orders $100.00 and up"))

        let product = try ProductAdmin.create(ProductInput(title: "Mug", status: .active, variants: [VariantInput(sku: "M", priceMinor: 900)]),
                                              by: actor, on: db)
        let discount = try DiscountAdmin.save(nil, DiscountInput(code: "MUGS", kind: .percentage, percentPpm: 200_000, appliesTo: .products,
                                                                 productIds: [product], usageLimit: 10), by: actor, on: db)
        try db.execute("UPDATE discount_codes SET times_used = 4")
        _ = try client.get(shop.admin + "/discounts/\(discount)")
        let tooLow = try client.post(shop.admin + "/discounts/\(discount)", [("code", "MUGS"), ("kind", "fixed_amount"), ("value", "3"),
                                                                           ("applies_to", "all"), ("usage_limit", "3"), ("enabled", "1")])
        #expect(tooLow.status == .unprocessableContent)
        #expect(tooLow.text.contains("id=\"usage_limit-error\">This code was already used 4 times; the limit cannot be lower."))
        let changed = try client.post(shop.admin + "/discounts/\(discount)", [("code", "MUGS"), ("kind", "fixed_amount"), ("value", "3"),
                                                                             ("applies_to", "all"), ("usage_limit", "4"), ("enabled", "1")])
        #expect(changed.status == .seeOther)
        let d = try db.queryFirst("SELECT kind, percent_ppm, amount_minor, usage_limit FROM discount_codes")!
        #expect(try d.decode("kind", as: String.self) == "fixed_amount")
        #expect(try d.decode("percent_ppm", as: Int?.self) == nil)
        #expect(try d.decode("amount_minor", as: Int64.self) == 300)
        #expect(try db.queryFirst("SELECT count(*)::int AS n FROM discount_code_products")!.decode("n", as: Int.self) == 0)
        #expect(try client.get(shop.admin + "/discounts").text.contains(">Used up</span>"))

        _ = try client.get(shop.admin + "/shipping/zones/\(zone)")
        #expect(try client.post(shop.admin + "/shipping/zones/\(zone)/delete", []).status == .seeOther)
        #expect(try db.queryFirst("SELECT count(*)::int AS n FROM shipping_rates")!.decode("n", as: Int.self) == 0)
        #expect(try client.get(shop.admin + "/shipping/zones/\(zone)").status == .notFound)
    }

    @Test("staff may edit discounts but get 403 on shipping; a POST without the CSRF token changes nothing")
    func accessAndCSRF() throws {
        guard let (shop, owner) = try AdminCatalogTests.shop("prc-staff") else { return }
        let staff = try shop.stack.createUser(name: "Stella Staff")
        try shop.stack.addMember(userId: staff.userId, orgId: shop.owner.orgId, role: "staff")
        let client = try shop.stack.signedInClient(userId: staff.userId)
        #expect(try client.get(shop.admin + "/shipping").status == .forbidden)
        #expect(try client.get(shop.admin + "/shipping/zones/new").status == .forbidden)
        #expect(try client.get(shop.admin + "/discounts").status == .ok)
        _ = try client.get(shop.admin + "/discounts/new")
        #expect(try client.post(shop.admin + "/shipping/taxes/new", [("country", "FR"), ("name", "TVA"), ("rate", "20")]).status == .forbidden)
        #expect(try client.post(shop.admin + "/discounts/new", [("code", "STAFF5"), ("kind", "fixed_amount"), ("value", "5"),
                                                                 ("applies_to", "all"), ("enabled", "1")]).status == .seeOther)
        let db = try shop.stack.tenantConnection(shop.store)
        #expect(try db.queryFirst("SELECT count(*)::int AS n FROM tax_rates")!.decode("n", as: Int.self) == 0)

        _ = try owner.get(shop.admin + "/shipping")
        let forged = try owner.post(shop.admin + "/shipping/taxes/new", [("country", "FR"), ("name", "TVA"), ("rate", "20")], csrf: "")
        #expect(forged.status == .forbidden)
        #expect(try db.queryFirst("SELECT count(*)::int AS n FROM tax_rates")!.decode("n", as: Int.self) == 0)
    }
}
