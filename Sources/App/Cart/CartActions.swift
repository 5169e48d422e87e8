import Commerce
import Foundation
import HTTP
import Liquid
import Postgres

/// One cart request: reads the shopper's cart cookie, calls `Carts`, and answers with the page,
/// JSON, or a redirect with a flash. A `CartError` (bad input, sold out, expired cart) is the
/// shopper's to fix: it becomes a flash on the cart page (400 JSON for scripts) and nothing changes.
struct CartActions {
    let app: StorefleetApp
    let site: StoreSite

    var wantsJSON: Bool {
        (site.request.header("Accept") ?? "").contains("application/json")
    }

    // MARK: - Reads

    /// `GET /cart`: the theme's cart page, with what the re-check changed at the top.
    func page() throws -> Response {
        try site.withTenant { db in
            let contents = try currentCart(db)
            let view = CartView(contents, storeId: site.route.storeId)
            return try app.storefront.shopperPage(
                site, db: db, template: "cart", title: "Your cart",
                assigns: [
                    "cart": view.liquid,
                    "cart_notices": .array((contents?.notices ?? []).map { .string($0.message) }),
                    "cart_count": .int(contents?.itemCount ?? 0),
                ])
        }
    }

    /// `GET /cart.js`: the cart for scripts (never cached; it is this shopper's).
    func json() throws -> Response {
        try site.withTenant { db in
            jsonResponse(try currentCart(db))
        }
    }

    // MARK: - Changes

    /// `POST /cart/add`: `id` (variant), `quantity` (default 1), `return_to` (a path on this store).
    func add() throws -> Response {
        try site.verifySameOrigin()
        let form = try site.request.form()
        let returnTo = CartActions.localPath(form["return_to"])
        guard let variantId = CartActions.id(form["id"]) else {
            return failure("Choose an item to add to your cart.")
        }
        let quantityText = (form["quantity"] ?? "").trimmingCharacters(in: .whitespaces)
        guard let quantity = quantityText.isEmpty ? 1 : CartActions.quantity(quantityText), quantity >= 1 else {
            return failure(CartError.quantityOutOfRange.message)
        }
        return try changing { db in
            if let token = CartCookies.token(site) {
                do {
                    return (token, try Carts.add(db, token: token, variantId: variantId, quantity: quantity))
                } catch CartError.cartNotFound {
                    // Converted to an order or gone: start a new cart below.
                }
            }
            guard let customerId = try site.customer(db: db)?.id else {
                // A guest's new cart: one write statement, no transaction needed.
                return try Carts.createWithItem(db, currency: site.route.currency, variantId: variantId, quantity: quantity)
            }
            return try db.transaction { db in
                // A logged-in customer without a cart in this browser carries on with the one
                // they left open elsewhere.
                if let token = try Carts.attach(db, token: nil, customerId: customerId)?.token {
                    return (token, try Carts.add(db, token: token, variantId: variantId, quantity: quantity))
                }
                return try Carts.createWithItem(db, currency: site.route.currency, customerId: customerId,
                                                variantId: variantId, quantity: quantity)
            }
        } success: { contents in
            let name = contents.line(variantId: variantId)?.displayName ?? "The item"
            return (returnTo ?? "/cart", "\(name) is in your cart.")
        }
    }

    /// `POST /cart/change`: `id` (variant) or `line` (1-based), `quantity` (0 removes).
    func change() throws -> Response {
        let form = try site.verifiedForm()
        guard let quantity = CartActions.quantity(form["quantity"] ?? "") else {
            return failure(CartError.quantityOutOfRange.message)
        }
        let lineNumber = CartActions.id(form["line"]).map(Int.init)
        let variantId = CartActions.id(form["id"])
        guard variantId != nil || lineNumber != nil else { return failure(CartError.lineNotFound.message) }
        return try existingCart { db, token in
            if let variantId {
                return try Carts.setQuantity(db, token: token, variantId: variantId, quantity: quantity)
            }
            // A line number is one of the page the shopper saw: read the lines as they are now.
            let before = try Carts.open(db, token: token)
            let lines = before?.lines ?? []
            guard let n = lineNumber, n >= 1, n <= lines.count else { throw CartError.lineNotFound }
            return CartActions.keepingNotices(of: before, try Carts.setQuantity(db, token: token, variantId: lines[n - 1].variantId,
                                                                               quantity: quantity))
        } success: { _ in
            ("/cart", quantity == 0 ? "Removed from your cart." : "Your cart was updated.")
        }
    }

    /// `POST /cart/remove`: `id` (variant). The cart page's per-line Remove button.
    func remove() throws -> Response {
        let form = try site.verifiedForm()
        guard let variantId = CartActions.id(form["id"]) else { return failure(CartError.lineNotFound.message) }
        var name: String?
        return try existingCart { db, token in
            let before = try Carts.open(db, token: token)
            name = before?.line(variantId: variantId)?.displayName
            return CartActions.keepingNotices(of: before, try Carts.remove(db, token: token, variantId: variantId), except: variantId)
        } success: { _ in
            ("/cart", name.map { "Removed \($0) from your cart." } ?? "Removed from your cart.")
        }
    }

    /// `POST /cart/update`: `updates[<variant id>]` for each line, `note`; with `checkout` in the
    /// form it goes on to `/checkout` (the cart page's Check out button saves its quantities).
    func update() throws -> Response {
        let form = try site.verifiedForm()
        var quantities: [Int64: Int] = [:]
        for field in form.fields where field.name.hasPrefix("updates[") && field.name.hasSuffix("]") {
            let key = field.name.dropFirst("updates[".count).dropLast()
            guard let variantId = CartActions.id(String(key)), let quantity = CartActions.quantity(field.value) else {
                return failure(CartError.quantityOutOfRange.message)
            }
            quantities[variantId] = quantity
            // A cart holds at most `maxLines` lines; more fields than that are not a cart page's.
            guard quantities.count <= Carts.maxLines else { return failure(CartError.tooManyLines.message) }
        }
        let note = form["note"]
        let toCheckout = form["checkout"] != nil
        return try existingCart { db, token in
            try Carts.update(db, token: token, quantities: quantities, note: note)
        } success: { contents in
            if toCheckout && !contents.isEmpty && contents.notices.isEmpty { return ("/checkout", nil) }
            return ("/cart", "Your cart was updated.")
        }
    }

    /// `POST /cart/clear`.
    func clear() throws -> Response {
        _ = try site.verifiedForm()
        return try existingCart { db, token in
            try Carts.clear(db, token: token)
        } success: { _ in
            ("/cart", "Your cart was emptied.")
        }
    }

    // MARK: - Plumbing

    /// The browser's open cart, re-checked; for a logged-in customer without one here, the cart
    /// they left open elsewhere (`Carts.attach`). Keeps the cookies true either way.
    private func currentCart(_ db: Connection) throws -> CartContents? {
        let contents = try CartCookies.token(site).flatMap { try Carts.read(db, token: $0) }
        if contents == nil, let customer = try site.customer(db: db),
           let (token, saved) = try Carts.attach(db, token: nil, customerId: customer.id) {
            CartCookies.set(site, token: token, itemCount: saved.itemCount)
            return saved
        }
        CartCookies.sync(site, contents: contents)
        return contents
    }

    /// Runs a change on the cart the cookie names; without one, the cart "expired".
    private func existingCart(_ body: (Connection, String) throws -> CartContents,
                              success: (CartContents) -> (String, String?)) throws -> Response {
        guard let token = CartCookies.token(site) else { return failure(CartError.cartNotFound.message) }
        return try changing({ db in (token, try body(db, token)) }, success: success)
    }

    /// Runs a change, sets the cookies, and answers with a flash: what was done, then what the
    /// re-check changed (stock, price), so nothing changes behind the shopper's back. Check out
    /// stops at the cart when something changed.
    private func changing(_ body: (Connection) throws -> (String, CartContents),
                          success: (CartContents) -> (String, String?)) throws -> Response {
        let token: String, contents: CartContents
        do {
            (token, contents) = try site.withTenant(body)
        } catch let error as CartError {
            if error == .cartNotFound {
                site.deleteCookie(ShopCookie.cart)
                site.deleteCookie(ShopCookie.cartCount)
            }
            return failure(error.message)
        }
        CartCookies.set(site, token: token, itemCount: contents.itemCount)
        if wantsJSON { return jsonResponse(contents) }
        let (location, message) = success(contents)
        if !contents.notices.isEmpty {
            let text = ([message].compactMap { $0 } + contents.notices.map(\.message)).joined(separator: " ")
            return site.redirect(to: location == "/checkout" ? "/cart" : location, flash: .info(text))
        }
        return site.redirect(to: location, flash: message.map(Flash.success))
    }

    /// `after` with the notices of a re-check made just before it (which would otherwise be lost:
    /// a change is said once), leaving out those about the line the shopper just removed.
    static func keepingNotices(of before: CartContents?, _ after: CartContents, except variantId: Int64? = nil) -> CartContents {
        var contents = after
        let earlier = (before?.notices ?? []).filter { $0.variantId != variantId }
        contents.notices = earlier + after.notices.filter { n in !earlier.contains(n) }
        return contents
    }

    private func failure(_ message: String) -> Response {
        if wantsJSON {
            let body = (try? String(decoding: JSONEncoder().encode(["status": "400", "message": message]), as: UTF8.self)) ?? "{}"
            var response = Response.json(body, status: .badRequest)
            response.headers["Cache-Control"] = "no-store"
            return response
        }
        return site.redirect(to: "/cart", flash: .error(message))
    }

    private func jsonResponse(_ contents: CartContents?) -> Response {
        var response = Response.json(CartView(contents, storeId: site.route.storeId).json())
        response.headers["Cache-Control"] = "no-store"
        return response
    }

    // MARK: - Input

    /// A positive id of at most 18 digits, else nil.
    static func id(_ text: String?) -> Int64? {
        guard let text = text?.trimmingCharacters(in: .whitespaces), !text.isEmpty, text.count <= 18,
              text.allSatisfy({ $0.isASCII && $0.isNumber }), let n = Int64(text), n > 0 else { return nil }
        return n
    }

    /// A quantity 0...`Carts.maxQuantity` written as plain digits, else nil.
    static func quantity(_ text: String) -> Int? {
        let text = text.trimmingCharacters(in: .whitespaces)
        guard !text.isEmpty, text.count <= 6, text.allSatisfy({ $0.isASCII && $0.isNumber }),
              let n = Int(text), n <= Carts.maxQuantity else { return nil }
        return n
    }

    /// `return_to` when it is a path on this host (`/products/x`), never another site.
    static func localPath(_ text: String?) -> String? {
        guard let text, text.hasPrefix("/"), !text.hasPrefix("//"), text.count <= 500,
              !text.contains("\\"), text.unicodeScalars.allSatisfy({ $0.value > 0x20 && $0.value < 0x7F }) else { return nil }
        return text
    }
}
