import HTTP

extension StorefleetApp {
    /// The store admin's Shipping & taxes and Discounts areas (issue 7).
    func addPricingAdminRoutes(to router: inout SiteRouter<PlatformSite>) {
    }
}
