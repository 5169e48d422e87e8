import HTTP

extension StorefleetApp {
    /// Customer accounts on a store's host: `/account`, log-in, sign-up, addresses, reviews (issue 7).
    func addCustomerAccountRoutes(to router: inout SiteRouter<StoreSite>) {
    }
}
