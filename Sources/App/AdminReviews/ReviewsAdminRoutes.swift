import HTTP

extension StorefleetApp {
    /// The store admin's Reviews area: moderation (issue 7).
    func addReviewsAdminRoutes(to router: inout SiteRouter<PlatformSite>) {
    }
}
