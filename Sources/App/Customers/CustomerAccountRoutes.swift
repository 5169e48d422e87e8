import HTTP

extension StorefleetApp {
    /// Customer accounts on a store's host (issue 7): log-in, sign-up by mailed link, password
    /// reset, the account page with order history, the address book, and product reviews.
    /// Every page here is per shopper (`Storefront.shopperPage`, never cached); every form but
    /// the product page's review form carries `_csrf`.
    func addCustomerAccountRoutes(to router: inout SiteRouter<StoreSite>) {
        router.get("/account/login") { [unowned self] _, _, site in try loginPage(site) }
        router.post("/account/login") { [unowned self] _, _, site in try logIn(site) }
        router.post("/account/logout") { [unowned self] _, _, site in try logOut(site) }
        router.get("/account/register") { [unowned self] _, _, site in try registerPage(site) }
        router.post("/account/register") { [unowned self] _, _, site in try register(site) }
        router.get("/account/register/sent") { [unowned self] _, _, site in try registerSentPage(site) }
        router.get("/account/confirm/:token") { [unowned self] _, parameters, site in
            try confirmPage(site, token: parameters["token"] ?? "")
        }
        router.post("/account/confirm/:token") { [unowned self] _, parameters, site in
            try confirm(site, token: parameters["token"] ?? "")
        }
        router.get("/account/recover") { [unowned self] _, _, site in try recoverPage(site) }
        router.post("/account/recover") { [unowned self] _, _, site in try recover(site) }
        router.get("/account/reset/:token") { [unowned self] _, parameters, site in
            try resetPage(site, token: parameters["token"] ?? "")
        }
        router.post("/account/reset/:token") { [unowned self] _, parameters, site in
            try reset(site, token: parameters["token"] ?? "")
        }
        router.get("/account") { [unowned self] _, _, site in try accountPage(site) }
        router.get("/account/orders/:number") { [unowned self] request, parameters, site in
            try orderPage(site, request: request, number: parameters["number"] ?? "")
        }
        addCustomerAddressRoutes(to: &router)
        addProductReviewRoutes(to: &router)
    }
}
