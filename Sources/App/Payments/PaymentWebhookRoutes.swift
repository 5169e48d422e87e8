import HTTP

extension StorefleetApp {
    /// Payment provider webhooks on the platform host: `/webhooks/stripe` (issue 7).
    func addPaymentWebhookRoutes(to router: inout SiteRouter<PlatformSite>) {
    }
}
