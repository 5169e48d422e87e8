import Commerce
import HTTP

extension StorefleetApp {
    /// Checkout steps and the order status page on a store's host (issue 7; docs/CONTRACTS.md,
    /// "Checkout"). Every step is a page and a form that works without JavaScript.
    func addCheckoutRoutes(to router: inout SiteRouter<StoreSite>) {
        router.get("/checkout") { [unowned self] _, _, site in
            try CheckoutFlow(app: self, site: site).informationPage()
        }
        router.post("/checkout") { [unowned self] _, _, site in
            try CheckoutFlow(app: self, site: site).submitInformation()
        }
        router.get("/checkout/shipping") { [unowned self] _, _, site in
            try CheckoutFlow(app: self, site: site).shippingPage()
        }
        router.post("/checkout/shipping") { [unowned self] _, _, site in
            try CheckoutFlow(app: self, site: site).submitShipping()
        }
        router.get("/checkout/payment") { [unowned self] _, _, site in
            try CheckoutFlow(app: self, site: site).paymentPage()
        }
        router.post("/checkout/discount") { [unowned self] _, _, site in
            try CheckoutFlow(app: self, site: site).submitDiscount()
        }
        router.post("/checkout/complete") { [unowned self] _, _, site in
            try CheckoutFlow(app: self, site: site).complete()
        }
        // A reload after a POST, or an old link, lands on the step again.
        router.get("/checkout/complete") { _, _, _ in .redirect(to: "/checkout/payment") }
        router.get("/checkout/discount") { _, _, _ in .redirect(to: "/checkout/payment") }
        router.get("/orders/:token") { [unowned self] _, parameters, site in
            try OrderStatusPage(app: self, site: site).page(token: parameters["token"] ?? "")
        }
    }
}
