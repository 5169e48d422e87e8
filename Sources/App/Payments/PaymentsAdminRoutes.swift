import HTTP

extension StorefleetApp {
    /// The store admin's Payments area: manual methods and Stripe Connect (issue 7).
    func addPaymentsAdminRoutes(to router: inout SiteRouter<PlatformSite>) {
    }
}
