import Commerce
import Crypto
import Foundation
import HTTP
import Liquid
import Postgres

/// One checkout request (docs/CONTRACTS.md, "Checkout"): the three steps, each a plain page and
/// form, and placing the order. The cart (re-checked against the catalog on every step) and what
/// the shopper chose (`CheckoutDetails`, on the cart row) are read fresh each time, in one
/// statement without a lock when nothing changed (`CheckoutDetails.cart`).
struct CheckoutFlow {
    let app: StorefleetApp
    let site: StoreSite

    enum Step: String { case information, shipping, payment }

    /// The store's checkout configuration as this worker keeps it (`CheckoutSettings`).
    var settings: CheckoutSettings { app.storefront.renderState(for: site).checkout }
    var cachesSettings: Bool { app.config.tenantNotifications }

    /// The quote for the cart and the shopper's choices, priced with the kept rules.
    func quote(_ db: Connection, _ state: State, discountCode: String?? = nil) throws -> CheckoutQuote {
        let settings = self.settings, cache = cachesSettings
        return try CheckoutQuote.make(db, cart: state.cart, details: state.details, customerId: state.customer?.id,
                                      discountCode: discountCode, rules: { address, needsShipping in
            try settings.pricingRules(db, address: address, needsShipping: needsShipping, cache: cache)
        })
    }

    /// The open cart and what was chosen so far; nil (→ the cart page) when there is nothing to buy.
    struct State {
        let cart: CartContents
        var details: CheckoutDetails
        let customer: ShopperCustomer?
    }

    func state(_ db: Connection, keepEmpty: Bool = false) throws -> State? {
        guard let token = CartCookies.token(site), let (cart, details) = try CheckoutDetails.cart(db, token: token) else {
            CartCookies.sync(site, contents: nil)
            return nil
        }
        CartCookies.sync(site, contents: cart)
        guard !cart.isEmpty || keepEmpty else { return nil }
        return State(cart: cart, details: details, customer: try site.customer(db: db))
    }

    /// Where a shopper without an open cart goes: the order the cart became, else the cart page.
    func noCart(_ db: Connection) throws -> Response {
        if let token = site.request.cookies[ShopCookie.cart],
           let order = try CheckoutDetails.convertedOrderToken(db, cartTokenHash: Carts.tokenHash(token)) {
            return .redirect(to: "/orders/" + order)
        }
        return site.redirect(to: "/cart", flash: .info("Your cart is empty."))
    }

    // MARK: - Step 1: contact and address

    func informationPage() throws -> Response {
        try site.withTenant { db in
            guard let state = try state(db) else { return try noCart(db) }
            var address = state.details.shippingAddress
            var email = state.details.email ?? state.customer?.email ?? ""
            if address == nil, let customer = state.customer {
                address = try CheckoutFlow.defaultAddress(db, customerId: customer.id)
                    ?? CheckoutAddress(firstName: customer.firstName, lastName: customer.lastName)
                email = email.isEmpty ? customer.email : email
            }
            let choices = try settings.addressChoices(db, cache: cachesSettings)
            let form = CheckoutForm(email: email, address: address ?? CheckoutAddress(countryCode: choices.storeCountry))
            return try render(db, state, step: .information,
                              assigns: ["form": form.liquid(errors: [:]),
                                        "countries": countries(allowed: choices.allowed, selected: form.address.countryCode)])
        }
    }

    func submitInformation() throws -> Response {
        let form = try site.verifiedForm()
        return try site.withTenant { db in
            guard let state = try state(db) else { return try noCart(db) }
            let input = CheckoutForm(form: form)
            let allowed = try settings.addressChoices(db, cache: cachesSettings).allowed
            let (address, problems) = AddressRules.check(input.address, allowedCountries: allowed)
            var errors: [String: String] = [:]
            for p in problems where errors[p.field] == nil { errors[p.field] = p.message }
            let email = input.email.trimmingCharacters(in: .whitespaces)
            if email.isEmpty { errors["email"] = "Enter your email address." }
            else if !CheckoutDetails.validEmail(email) { errors["email"] = "Enter an email address like name@example.com." }
            guard errors.isEmpty else {
                let kept = CheckoutForm(email: email, address: address)
                return try render(db, state, step: .information,
                                  assigns: ["form": kept.liquid(errors: errors),
                                            "countries": countries(allowed: allowed, selected: address.countryCode),
                                            "error_count": .int(errors.count)],
                                  status: .unprocessableContent)
            }
            try CheckoutDetails.saveContact(db, cartId: state.cart.id, email: email, address: address)
            return site.redirect(to: "/checkout/shipping")
        }
    }

    // MARK: - Step 2: shipping method

    func shippingPage() throws -> Response {
        try site.withTenant { db in
            guard let state = try state(db) else { return try noCart(db) }
            guard state.details.shippingAddress != nil, state.details.email != nil else { return .redirect(to: "/checkout") }
            let quote = try self.quote(db, state)
            if !quote.requiresShipping { return .redirect(to: "/checkout/payment") }
            return try render(db, state, step: .shipping, quote: quote)
        }
    }

    func submitShipping() throws -> Response {
        let form = try site.verifiedForm()
        return try site.withTenant { db in
            guard let state = try state(db) else { return try noCart(db) }
            guard state.details.shippingAddress != nil else { return .redirect(to: "/checkout") }
            let quote = try self.quote(db, state)
            guard let id = form["shipping_rate"].flatMap({ Int64($0) }), quote.shippingOptions.contains(where: { $0.id == id }) else {
                return try render(db, state, step: .shipping, quote: quote,
                                  assigns: ["errors": ["shipping_rate": "Choose a shipping method."]], status: .unprocessableContent)
            }
            try CheckoutDetails.saveShippingRate(db, cartId: state.cart.id, rateId: id)
            return site.redirect(to: "/checkout/payment")
        }
    }

    // MARK: - Step 3: payment and review

    func paymentPage() throws -> Response {
        try site.withTenant { db in
            guard let state = try state(db) else { return try noCart(db) }
            if let missing = try missingStep(db, state) { return missing }
            let quote = try self.quote(db, state)
            if quote.requiresShipping && quote.shipping == nil { return .redirect(to: "/checkout/shipping") }
            return try paymentView(db, state, quote: quote)
        }
    }

    /// `POST /checkout/discount`: `discount_code` with `apply`, or `remove`.
    func submitDiscount() throws -> Response {
        let form = try site.verifiedForm()
        return try site.withTenant { db in
            guard let state = try state(db) else { return try noCart(db) }
            if form["remove"] != nil {
                try CheckoutDetails.saveDiscountCode(db, cartId: state.cart.id, code: nil)
                return site.redirect(to: "/checkout/payment", flash: .info("The discount code was removed."))
            }
            let code = String((form["discount_code"] ?? "").trimmingCharacters(in: .whitespaces).prefix(100))
            guard !code.isEmpty else {
                return try paymentView(db, state, quote: try self.quote(db, state),
                                       discountError: "Enter a discount code.", enteredCode: code, status: .unprocessableContent)
            }
            let quote = try self.quote(db, state, discountCode: .some(code))
            if let problem = quote.discountError ?? (quote.discountCodeId == nil ? "This code isn't valid." : nil) {
                let current = try self.quote(db, state)
                return try paymentView(db, state, quote: current, discountError: problem, enteredCode: code,
                                       status: .unprocessableContent)
            }
            try CheckoutDetails.saveDiscountCode(db, cartId: state.cart.id, code: quote.discountCode ?? code)
            return site.redirect(to: "/checkout/payment", flash: .success("Discount code \(quote.discountCode ?? code) applied."))
        }
    }

    /// The step the shopper skipped, if any (a bookmark, a reload after the address changed).
    private func missingStep(_ db: Connection, _ state: State) throws -> Response? {
        guard state.details.shippingAddress != nil, state.details.email != nil else { return .redirect(to: "/checkout") }
        return nil
    }

    func paymentView(_ db: Connection, _ state: State, quote: CheckoutQuote, discountError: String? = nil,
                     enteredCode: String? = nil, paymentError: String? = nil, notices: [String] = [],
                     status: Status = .ok) throws -> Response {
        let methods = try settings.paymentMethods(db, cache: cachesSettings)
        let selected = methods.first { $0.id == state.details.paymentProviderId }?.id ?? methods.first?.id
        var errors: [String: Value] = [:]
        if let e = discountError ?? ((state.details.discountCode != nil && quote.discountCodeId == nil) ? quote.discountError : nil) {
            errors["discount_code"] = .string(e)
        }
        if let paymentError { errors["payment_method"] = .string(paymentError) }
        let assigns: [String: Value] = [
            "payment_methods": .array(methods.map { m in
                ["id": .int(Int(m.id)), "kind": .string(m.kind), "name": .string(m.name),
                 "instructions": .string(m.instructions), "selected": .bool(m.id == selected)]
            }),
            "idempotency_key": .string(SecureRandom.token(bytes: 24)),
            "discount_entered": .string(enteredCode ?? state.details.discountCode ?? ""),
            "errors": .dictionary(errors),
        ]
        return try render(db, state, step: .payment, quote: quote, assigns: assigns, notices: notices, status: status)
    }

    // MARK: - Rendering

    func render(_ db: Connection, _ state: State, step: Step, quote: CheckoutQuote? = nil, assigns: [String: Value] = [:],
                notices: [String] = [], status: Status = .ok) throws -> Response {
        var data = assigns
        let quote = try quote ?? self.quote(db, state)
        data["step"] = .string(step.rawValue)
        data["checkout"] = CheckoutView(state: state, quote: quote, storeId: site.route.storeId).liquid
        data["cart_notices"] = .array((state.cart.notices.map(\.message) + notices).map { .string($0) })
        data["cart_count"] = .int(state.cart.itemCount)
        let titles: [Step: String] = [.information: "Checkout – Information", .shipping: "Checkout – Shipping",
                                      .payment: "Checkout – Payment"]
        return try app.storefront.shopperPage(site, db: db, template: "checkout", title: titles[step] ?? "Checkout",
                                              assigns: data, status: status)
    }

    func countries(allowed: Set<String>?, selected: String) -> Value {
        let list = AddressRules.allCountries.filter { allowed?.contains($0.code) ?? true }
        return .array(list.map { ["code": .string($0.code), "name": .string($0.name), "selected": .bool($0.code == selected)] })
    }

    static func defaultAddress(_ db: Connection, customerId: Int64) throws -> CheckoutAddress? {
        guard let row = try db.queryFirst("""
            SELECT first_name, last_name, company, address1, address2, city, coalesce(province_code, '') AS province_code,
                   postal_code, country_code, coalesce(phone, '') AS phone
            FROM customer_addresses WHERE customer_id = \(customerId) ORDER BY is_default DESC, id DESC LIMIT 1
            """) else { return nil }
        return CheckoutAddress(firstName: try row.decode("first_name"), lastName: try row.decode("last_name"),
                               company: try row.decode("company"), address1: try row.decode("address1"),
                               address2: try row.decode("address2"), city: try row.decode("city"),
                               provinceCode: try row.decode("province_code"), postalCode: try row.decode("postal_code"),
                               countryCode: try row.decode("country_code"), phone: try row.decode("phone"))
    }
}
