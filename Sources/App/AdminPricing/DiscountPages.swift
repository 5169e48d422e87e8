import Commerce
import Foundation
import HTTP
import Liquid
import Postgres

extension StorefleetApp {
    /// `GET /store/:slug/admin/discounts`.
    func discountList(_ site: PlatformSite, _ context: AdminContext) throws -> Response {
        let records = try withTenant(context.route) { db in try DiscountAdmin.list(on: db) }
        let money = AdminMoney(currency: context.route.currency)
        let tz = context.route.timezone
        let now = Date()
        let rows: [Value] = records.map { d in
            let status = d.status(now: now)
            var dates = ""
            switch (d.input.startsAt, d.input.endsAt) {
            case let (s?, e?): dates = PricingPages.dateLabel(s, timezone: tz) + " – " + PricingPages.dateLabel(e, timezone: tz)
            case let (s?, nil): dates = "From " + PricingPages.dateLabel(s, timezone: tz)
            case let (nil, e?): dates = "Until " + PricingPages.dateLabel(e, timezone: tz)
            default: dates = "No end date"
            }
            return [
                "code": .string(d.input.code), "url": .string(context.adminURL + "/discounts/\(d.id)"),
                "value": .string(discountSummary(d.input, money: money)),
                "uses": .string(d.input.usageLimit.map { "\(d.timesUsed) / \($0)" } ?? "\(d.timesUsed)"),
                "dates": .string(dates), "status": .string(status),
                "status_label": .string(["active": "Active", "scheduled": "Scheduled", "expired": "Expired",
                                         "used_up": "Used up", "disabled": "Disabled"][status] ?? status),
            ]
        }
        return try PricingPages.render(site, context, area: .discounts, page: "admin/pricing/discounts", title: "Discounts",
                                       assigns: ["rows": .array(rows), "new_url": .string(context.adminURL + "/discounts/new")])
    }

    /// “10% off all products · Minimum $50.00”.
    func discountSummary(_ d: DiscountInput, money: AdminMoney) -> String {
        var text: String
        switch d.kind {
        case .percentage: text = PricingPages.percent(d.percentPpm ?? 0) + " off"
        case .fixedAmount: text = money.string(d.amountMinor ?? 0) + " off"
        case .freeShipping: text = "Free shipping"
        }
        switch d.appliesTo {
        case .all: if d.kind != .freeShipping { text += " entire order" }
        case .products: text += " · \(d.productIds.count) product" + (d.productIds.count == 1 ? "" : "s")
        case .collections: text += " · \(d.collectionIds.count) collection" + (d.collectionIds.count == 1 ? "" : "s")
        }
        if let m = d.minimumSubtotalMinor, m > 0 { text += " · Minimum " + money.string(m) }
        if let l = d.perCustomerLimit { text += " · \(l) per customer" }
        return text
    }

    func discountEditor(_ site: PlatformSite, _ context: AdminContext, discountId: Int64?) throws -> Response {
        var record: DiscountRecord?
        if let discountId {
            record = try withTenant(context.route) { db in try DiscountAdmin.load(discountId, on: db) }
            if record == nil { throw HTTPError(.notFound, "This discount no longer exists.") }
        }
        let digits = CatalogText.minorDigits(currency: context.route.currency)
        let tz = context.route.timezone
        let d = record?.input ?? DiscountInput(code: "")
        func m(_ v: Int64?) -> Value { .string(v.map { CatalogText.decimal($0, digits: digits) } ?? "") }
        let value: Value = d.kind == .percentage ? .string(d.percentPpm.map(PricingMath.percent(fromPPM:)) ?? "")
                                                 : m(d.amountMinor)
        let fields: [String: Value] = [
            "code": .string(d.code), "kind": .string(d.kind.rawValue), "value": value,
            "minimum_subtotal": m(d.minimumSubtotalMinor), "applies_to": .string(d.appliesTo.rawValue),
            "starts_at": .string(PricingPages.dateText(d.startsAt, timezone: tz)),
            "ends_at": .string(PricingPages.dateText(d.endsAt, timezone: tz)),
            "usage_limit": .string(d.usageLimit.map(String.init) ?? ""),
            "per_customer_limit": .string(d.perCustomerLimit.map(String.init) ?? ""),
            "enabled": .bool(record == nil || d.enabled),
        ]
        return try renderDiscount(site, context, record: record, fields: fields, productIds: Set(d.productIds),
                                  collectionIds: Set(d.collectionIds), errors: nil)
    }

    func saveDiscount(_ site: PlatformSite, _ context: AdminContext, discountId: Int64?, form: FormData) throws -> Response {
        let digits = CatalogText.minorDigits(currency: context.route.currency)
        let tz = context.route.timezone
        var errors = FormErrors()
        var input = DiscountInput(code: form["code"] ?? "")
        input.kind = DiscountRule.Kind(rawValue: form["kind"] ?? "") ?? .percentage
        input.appliesTo = DiscountRule.AppliesTo(rawValue: form["applies_to"] ?? "") ?? .all
        let valueText = (form["value"] ?? "").trimmingWhitespace()
        switch input.kind {
        case .percentage:
            if !valueText.isEmpty {
                if let ppm = PricingMath.ppm(fromPercent: valueText) { input.percentPpm = ppm }
                else { errors.add("value", "Enter a percentage like 10 or 12.5.") }
            }
        case .fixedAmount:
            input.amountMinor = PricingPages.money(form, "value", digits: digits, errors: &errors)
        case .freeShipping: break
        }
        input.minimumSubtotalMinor = PricingPages.money(form, "minimum_subtotal", digits: digits, errors: &errors)
        input.startsAt = PricingPages.date(form, "starts_at", timezone: tz, errors: &errors)
        input.endsAt = PricingPages.date(form, "ends_at", timezone: tz, errors: &errors)
        input.usageLimit = PricingPages.whole(form, "usage_limit", errors: &errors)
        input.perCustomerLimit = PricingPages.whole(form, "per_customer_limit", errors: &errors)
        input.enabled = form["enabled"] == "1"
        input.productIds = form.all("products").compactMap { Int64($0) }
        input.collectionIds = form.all("collections").compactMap { Int64($0) }
        PricingPages.merge(DiscountAdmin.problems(with: input), into: &errors)
        if errors.isEmpty {
            do {
                let id = try withTenant(context.route) { db in
                    try DiscountAdmin.save(discountId, input, by: actor(site, context), on: db)
                }
                return site.redirect(to: context.adminURL + "/discounts/\(id)",
                                     flash: .success(discountId == nil ? "Discount created." : "Discount saved."))
            } catch let validation as CatalogValidation {
                PricingPages.merge(validation, into: &errors)
            } catch CatalogAdminError.notFound {
                throw HTTPError(.notFound, "This discount no longer exists.")
            }
        }
        var fields: [String: Value] = ["enabled": .bool(input.enabled), "kind": .string(input.kind.rawValue),
                                       "applies_to": .string(input.appliesTo.rawValue)]
        for name in ["code", "value", "minimum_subtotal", "starts_at", "ends_at", "usage_limit", "per_customer_limit"] {
            fields[name] = .string(form[name] ?? "")
        }
        let record = try discountId.flatMap { id in try withTenant(context.route) { db in try DiscountAdmin.load(id, on: db) } }
        return try renderDiscount(site, context, record: record, fields: fields, productIds: Set(input.productIds),
                                  collectionIds: Set(input.collectionIds), errors: errors)
    }

    func renderDiscount(_ site: PlatformSite, _ context: AdminContext, record: DiscountRecord?, fields: [String: Value],
                        productIds: Set<Int64>, collectionIds: Set<Int64>, errors: FormErrors?) throws -> Response {
        let (products, collections) = try withTenant(context.route) { db -> ([Value], [Value]) in
            let products: [Value] = try db.query("SELECT id, title FROM products ORDER BY lower(title), id LIMIT 1000").map { row in
                let id: Int64 = try row.decode("id")
                return ["id": .int(Int(id)), "title": .string(try row.decode("title")), "selected": .bool(productIds.contains(id))]
            }
            let collections: [Value] = try db.query("SELECT id, title FROM collections ORDER BY lower(title), id LIMIT 1000").map { row in
                let id: Int64 = try row.decode("id")
                return ["id": .int(Int(id)), "title": .string(try row.decode("title")), "selected": .bool(collectionIds.contains(id))]
            }
            return (products, collections)
        }
        var assigns = fields
        assigns["is_new"] = .bool(record == nil)
        assigns["products"] = .array(products)
        assigns["collections"] = .array(collections)
        assigns["currency"] = .string(context.route.currency)
        assigns["timezone"] = .string(context.route.timezone)
        assigns["action"] = .string(context.adminURL + "/discounts/" + (record.map { String($0.id) } ?? "new"))
        assigns["back_url"] = .string(context.adminURL + "/discounts")
        if let record {
            assigns["times_used"] = .int(record.timesUsed)
            assigns["status"] = .string(record.status(now: Date()))
            assigns["delete_url"] = .string(context.adminURL + "/discounts/\(record.id)/delete")
            assigns["toggle_url"] = .string(context.adminURL + "/discounts/\(record.id)/" + (record.input.enabled ? "disable" : "enable"))
            assigns["currently_enabled"] = .bool(record.input.enabled)
        }
        return try PricingPages.render(site, context, area: .discounts, page: "admin/pricing/discount",
                                       title: record.map { $0.input.code } ?? "Create discount", assigns: assigns, errors: errors)
    }

    func setDiscountEnabled(_ site: PlatformSite, _ context: AdminContext, discountId: Int64, _ enabled: Bool) throws -> Response {
        do {
            try withTenant(context.route) { db in try DiscountAdmin.setEnabled(discountId, enabled, by: actor(site, context), on: db) }
        } catch CatalogAdminError.notFound {
            throw HTTPError(.notFound, "This discount no longer exists.")
        }
        return site.redirect(to: context.adminURL + "/discounts/\(discountId)",
                             flash: .success(enabled ? "Discount enabled." : "Discount disabled: shoppers can no longer use it."))
    }

    func deleteDiscount(_ site: PlatformSite, _ context: AdminContext, discountId: Int64) throws -> Response {
        do {
            try withTenant(context.route) { db in try DiscountAdmin.delete(discountId, by: actor(site, context), on: db) }
        } catch CatalogAdminError.notFound {
            throw HTTPError(.notFound, "This discount no longer exists.")
        }
        return site.redirect(to: context.adminURL + "/discounts", flash: .success("Discount deleted."))
    }
}
