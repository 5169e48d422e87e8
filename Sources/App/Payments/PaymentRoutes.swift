import HTTP

extension StorefleetApp {
    /// The card payment page on a store's host (Stripe Elements) (issue 7).
    func addPaymentRoutes(to router: inout SiteRouter<StoreSite>) {
    }
}
