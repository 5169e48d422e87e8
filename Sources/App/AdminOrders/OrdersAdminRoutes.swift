import HTTP

extension StorefleetApp {
    /// The store admin's Orders area (issue 7).
    func addOrdersAdminRoutes(to router: inout SiteRouter<PlatformSite>) {
    }
}
