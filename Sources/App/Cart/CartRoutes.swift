import HTTP

extension StorefleetApp {
    /// The cart on a store's host: `/cart`, `/cart/add`, `/cart/change` (issue 7).
    func addCartRoutes(to router: inout SiteRouter<StoreSite>) {
    }
}
