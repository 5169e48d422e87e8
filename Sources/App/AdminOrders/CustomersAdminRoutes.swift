import HTTP

extension StorefleetApp {
    /// The store admin's Customers area (issue 7).
    func addCustomersAdminRoutes(to router: inout SiteRouter<PlatformSite>) {
    }
}
