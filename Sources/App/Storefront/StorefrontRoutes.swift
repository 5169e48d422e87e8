import HTTP

extension StorefleetApp {
    /// The storefront's routes on a store host. Anything else is the theme's 404 page. The
    /// shopper areas (cart, checkout, customer accounts, payment) add theirs first.
    func addStorefrontRoutes(to router: inout SiteRouter<StoreSite>) {
        addCartRoutes(to: &router)
        addCheckoutRoutes(to: &router)
        addCustomerAccountRoutes(to: &router)
        addPaymentRoutes(to: &router)
        router.get("/") { [unowned self] request, _, site in
            try storefront.home(request, site, app: self)
        }
        router.get("/collections") { _, _, _ in .redirect(to: "/collections/all", status: .movedPermanently) }
        router.get("/collections/:handle") { [unowned self] request, parameters, site in
            try storefront.collection(request, site, handle: parameters["handle"] ?? "", app: self)
        }
        router.get("/products/:handle") { [unowned self] request, parameters, site in
            try storefront.product(request, site, handle: parameters["handle"] ?? "", app: self)
        }
        router.get("/collections/:handle/products/:product") { _, parameters, _ in
            .redirect(to: "/products/" + StoreURLs.encode(parameters["product"] ?? ""), status: .movedPermanently)
        }
        router.get("/search") { [unowned self] request, _, site in
            try storefront.search(request, site, app: self)
        }
        router.get("/pages/:handle") { [unowned self] request, parameters, site in
            try storefront.page(request, site, handle: parameters["handle"] ?? "", app: self)
        }
        router.get("/policies/:handle") { [unowned self] request, parameters, site in
            try storefront.policy(request, site, handle: parameters["handle"] ?? "", app: self)
        }
        router.get("/robots.txt") { [unowned self] request, _, site in
            storefront.robots(request, site)
        }
        router.get("/sitemap.xml") { [unowned self] request, _, site in
            try storefront.sitemap(request, site, file: "sitemap.xml", app: self)
        }
        router.get("/*path") { [unowned self] request, parameters, site in
            let path = parameters["path"] ?? ""
            if path.hasPrefix("sitemap_"), !path.contains("/") {
                return try storefront.sitemap(request, site, file: path, app: self)
            }
            return try storefront.notFound(request, site, app: self)
        }
        router.post("/*path") { [unowned self] request, _, site in
            try storefront.notFound(request, site, app: self)
        }
    }
}
