/// The areas of the platform host add their routes here, one line each (accounts, wizard,
/// team, store admin, ...). Handlers receive a `PlatformSite` (docs/CONTRACTS.md, "Platform web").
extension StorefleetApp {
    func addPlatformAreas(to router: inout SiteRouter<PlatformSite>) {
        addStoresListRoutes(to: &router)
        // The store admin's shell and placeholder areas first: an area registered later takes its path over.
        addAdminRoutes(to: &router)
        addFeedsAdminRoutes(to: &router)
        addThemeAdminRoutes(to: &router)
        addCatalogAdminRoutes(to: &router)
        addOrdersAdminRoutes(to: &router)
        addCustomersAdminRoutes(to: &router)
        addPricingAdminRoutes(to: &router)
        addPaymentsAdminRoutes(to: &router)
        addReviewsAdminRoutes(to: &router)
        addPaymentWebhookRoutes(to: &router)
        addAccountRoutes(to: &router)
        addTeamRoutes(to: &router)
        addWizardRoutes(to: &router)
    }
}
