import HTTP

extension StorefleetApp {
    /// Checkout steps and the order status page on a store's host (issue 7).
    func addCheckoutRoutes(to router: inout SiteRouter<StoreSite>) {
    }
}
