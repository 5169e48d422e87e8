import HTTP

extension StorefleetApp {
    /// The cart on a store's host (issue 7): the page, its JSON for scripts, and the forms that
    /// change it. Every change answers 303 to the cart page with a flash (or JSON when asked for
    /// with `Accept: application/json`) and refreshes the `sf_cart`/`sf_cart_count` cookies.
    func addCartRoutes(to router: inout SiteRouter<StoreSite>) {
        router.get("/cart") { [unowned self] _, _, site in
            try CartActions(app: self, site: site).page()
        }
        router.get("/cart.js") { [unowned self] _, _, site in
            try CartActions(app: self, site: site).json()
        }
        router.get("/cart.json") { [unowned self] _, _, site in
            try CartActions(app: self, site: site).json()
        }
        // The product page is cached for everyone, so its form carries no CSRF token: the
        // same-origin check and SameSite=Lax cookies guard it.
        router.post("/cart/add") { [unowned self] _, _, site in
            try CartActions(app: self, site: site).add()
        }
        router.post("/cart/change") { [unowned self] _, _, site in
            try CartActions(app: self, site: site).change()
        }
        router.post("/cart/remove") { [unowned self] _, _, site in
            try CartActions(app: self, site: site).remove()
        }
        router.post("/cart/update") { [unowned self] _, _, site in
            try CartActions(app: self, site: site).update()
        }
        router.post("/cart/clear") { [unowned self] _, _, site in
            try CartActions(app: self, site: site).clear()
        }
        // A shopper who reloads after a POST, or follows an old link, lands on the cart.
        for path in ["/cart/add", "/cart/change", "/cart/remove", "/cart/update", "/cart/clear"] {
            router.get(path) { _, _, _ in .redirect(to: "/cart") }
        }
    }
}
