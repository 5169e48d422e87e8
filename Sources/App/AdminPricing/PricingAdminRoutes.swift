import Commerce
import HTTP

extension StorefleetApp {
    /// The store admin's Shipping & taxes (owner/admin) and Discounts (staff too) areas
    /// (issue 7). Registered after the admin shell, so these pages replace its placeholder and
    /// read-only list for `/shipping` and `/discounts`.
    func addPricingAdminRoutes(to router: inout SiteRouter<PlatformSite>) {
        func shipping(_ site: PlatformSite, _ parameters: Parameters) throws -> AdminContext {
            let context = try AdminAccess.context(site, slug: parameters["slug"] ?? "")
            try context.require(.shipping)
            return context
        }
        func discounts(_ site: PlatformSite, _ parameters: Parameters) throws -> AdminContext {
            let context = try AdminAccess.context(site, slug: parameters["slug"] ?? "")
            try context.require(.discounts)
            return context
        }
        // Shipping & taxes
        router.get("/store/:slug/admin/shipping") { [unowned self] _, parameters, site in
            try shippingOverview(site, try shipping(site, parameters))
        }
        router.post("/store/:slug/admin/shipping/settings") { [unowned self] _, parameters, site in
            let form = try site.verifiedForm()
            return try saveTaxSettings(site, try shipping(site, parameters), form: form)
        }
        router.get("/store/:slug/admin/shipping/zones/new") { [unowned self] _, parameters, site in
            try zoneEditor(site, try shipping(site, parameters), zoneId: nil)
        }
        router.post("/store/:slug/admin/shipping/zones/new") { [unowned self] _, parameters, site in
            let form = try site.verifiedForm()
            return try saveZone(site, try shipping(site, parameters), zoneId: nil, form: form)
        }
        router.get("/store/:slug/admin/shipping/zones/:id") { [unowned self] _, parameters, site in
            try zoneEditor(site, try shipping(site, parameters), zoneId: try Self.id(parameters))
        }
        router.post("/store/:slug/admin/shipping/zones/:id") { [unowned self] _, parameters, site in
            let form = try site.verifiedForm()
            return try saveZone(site, try shipping(site, parameters), zoneId: try Self.id(parameters), form: form)
        }
        router.post("/store/:slug/admin/shipping/zones/:id/delete") { [unowned self] _, parameters, site in
            _ = try site.verifiedForm()
            return try deleteZone(site, try shipping(site, parameters), zoneId: try Self.id(parameters))
        }
        router.get("/store/:slug/admin/shipping/zones/:id/rates/new") { [unowned self] _, parameters, site in
            try rateEditor(site, try shipping(site, parameters), zoneId: try Self.id(parameters), rateId: nil)
        }
        router.post("/store/:slug/admin/shipping/zones/:id/rates/new") { [unowned self] _, parameters, site in
            let form = try site.verifiedForm()
            return try saveRate(site, try shipping(site, parameters), zoneId: try Self.id(parameters), rateId: nil, form: form)
        }
        router.get("/store/:slug/admin/shipping/rates/:id") { [unowned self] _, parameters, site in
            try rateEditor(site, try shipping(site, parameters), zoneId: nil, rateId: try Self.id(parameters))
        }
        router.post("/store/:slug/admin/shipping/rates/:id") { [unowned self] _, parameters, site in
            let form = try site.verifiedForm()
            return try saveRate(site, try shipping(site, parameters), zoneId: nil, rateId: try Self.id(parameters), form: form)
        }
        router.post("/store/:slug/admin/shipping/rates/:id/delete") { [unowned self] _, parameters, site in
            _ = try site.verifiedForm()
            return try deleteRate(site, try shipping(site, parameters), rateId: try Self.id(parameters))
        }
        router.get("/store/:slug/admin/shipping/taxes/new") { [unowned self] _, parameters, site in
            try taxEditor(site, try shipping(site, parameters), taxId: nil)
        }
        router.post("/store/:slug/admin/shipping/taxes/new") { [unowned self] _, parameters, site in
            let form = try site.verifiedForm()
            return try saveTax(site, try shipping(site, parameters), taxId: nil, form: form)
        }
        router.get("/store/:slug/admin/shipping/taxes/:id") { [unowned self] _, parameters, site in
            try taxEditor(site, try shipping(site, parameters), taxId: try Self.id(parameters))
        }
        router.post("/store/:slug/admin/shipping/taxes/:id") { [unowned self] _, parameters, site in
            let form = try site.verifiedForm()
            return try saveTax(site, try shipping(site, parameters), taxId: try Self.id(parameters), form: form)
        }
        router.post("/store/:slug/admin/shipping/taxes/:id/delete") { [unowned self] _, parameters, site in
            _ = try site.verifiedForm()
            return try deleteTax(site, try shipping(site, parameters), taxId: try Self.id(parameters))
        }
        // Discounts
        router.get("/store/:slug/admin/discounts") { [unowned self] _, parameters, site in
            try discountList(site, try discounts(site, parameters))
        }
        router.get("/store/:slug/admin/discounts/new") { [unowned self] _, parameters, site in
            try discountEditor(site, try discounts(site, parameters), discountId: nil)
        }
        router.post("/store/:slug/admin/discounts/new") { [unowned self] _, parameters, site in
            let form = try site.verifiedForm()
            return try saveDiscount(site, try discounts(site, parameters), discountId: nil, form: form)
        }
        router.get("/store/:slug/admin/discounts/:id") { [unowned self] _, parameters, site in
            try discountEditor(site, try discounts(site, parameters), discountId: try Self.id(parameters))
        }
        router.post("/store/:slug/admin/discounts/:id") { [unowned self] _, parameters, site in
            let form = try site.verifiedForm()
            return try saveDiscount(site, try discounts(site, parameters), discountId: try Self.id(parameters), form: form)
        }
        router.post("/store/:slug/admin/discounts/:id/enable") { [unowned self] _, parameters, site in
            _ = try site.verifiedForm()
            return try setDiscountEnabled(site, try discounts(site, parameters), discountId: try Self.id(parameters), true)
        }
        router.post("/store/:slug/admin/discounts/:id/disable") { [unowned self] _, parameters, site in
            _ = try site.verifiedForm()
            return try setDiscountEnabled(site, try discounts(site, parameters), discountId: try Self.id(parameters), false)
        }
        router.post("/store/:slug/admin/discounts/:id/delete") { [unowned self] _, parameters, site in
            _ = try site.verifiedForm()
            return try deleteDiscount(site, try discounts(site, parameters), discountId: try Self.id(parameters))
        }
    }
}
