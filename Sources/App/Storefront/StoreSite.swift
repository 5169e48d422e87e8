import Crypto
import HTTP
import Postgres
import Registry

/// A request on a store's host: the store, links back to the platform, and the shopper's
/// cookies (docs/CONTRACTS.md, "Storefront shopper seam").
///
/// Storefront pages that every shopper sees alike (home, collections, products, search) are
/// cached per store and URL, so they never read these cookies. Pages that belong to one shopper
/// (cart, checkout, account, order status) are rendered fresh by `Storefront.shopperPage`, carry
/// a CSRF token in their forms, and are never cached.
final class StoreSite {
    let route: StoreRoute
    let links: SiteLinks
    let request: Request
    private unowned(unsafe) let appReference: StorefleetApp?
    /// Cookies to add to whatever this request answers, errors and redirects included.
    var pendingCookies: [SetCookie] = []
    private var csrf: String?
    /// The customer `customer(db:)` found for this request (`.some(nil)`: looked up, a guest).
    var customerLookup: ShopperCustomer??

    init(route: StoreRoute, links: SiteLinks, request: Request? = nil, app: StorefleetApp? = nil) {
        self.route = route
        self.links = links
        self.request = request ?? StoreSite.placeholderRequest()
        self.appReference = app
    }

    /// The worker's app (always set for a request the router dispatched).
    var app: StorefleetApp {
        guard let app = appReference else { preconditionFailure("StoreSite without an app") }
        return app
    }

    var config: AppConfiguration { app.config }
    var keyring: Keyring { app.sites.keyring }

    /// The store's own database, with the storefront's retry and back-off rules.
    func withTenant<T>(_ body: (Connection) throws -> T) throws -> T {
        try app.withTenant(route, body)
    }

    // MARK: - Cookies

    /// A shopper cookie on this store's host: `HttpOnly`, `SameSite=Lax`, `Secure` behind TLS.
    func setCookie(_ name: String, value: String, maxAge: Int?, httpOnly: Bool = true) {
        pendingCookies.append(SetCookie(name: name, value: value, path: "/", maxAge: maxAge,
                                        secure: request.isSecure, httpOnly: httpOnly, sameSite: .lax))
    }

    func deleteCookie(_ name: String) {
        pendingCookies.append(SetCookie.deletion(name: name, path: "/", secure: request.isSecure))
    }

    // MARK: - CSRF

    /// The token this shopper's forms carry in `_csrf` (double-submit: it must equal the
    /// `sf_csrf` cookie, set now if the browser has none).
    func csrfToken() -> String {
        if let csrf { return csrf }
        if let t = request.cookies[ShopCookie.csrf], CSRF.isWellFormed(t) {
            csrf = t
            return t
        }
        let t = SecureRandom.token(bytes: 24)
        csrf = t
        setCookie(ShopCookie.csrf, value: t, maxAge: nil)
        return t
    }

    /// Throws 403 unless the POST came from this store's own pages: the `Origin` header (or,
    /// without one, the `Referer`) must name this host. Forms on cached pages (the product
    /// page's add-to-cart) rely on this alone, as they cannot carry a per-shopper token.
    func verifySameOrigin() throws {
        let source = request.header("Origin").flatMap { $0 == "null" ? nil : $0 } ?? request.header("Referer")
        guard let source, let host = StoreSite.host(ofURL: source), host == request.host else {
            throw HTTPError(.forbidden, "This form was sent from another site. Go back to the store and try again.")
        }
    }

    /// Throws 403 unless the form's `_csrf` matches this shopper's cookie and the POST is
    /// same-origin. Every state-changing form on a shopper page calls it first.
    func verifyCSRF(_ form: FormData) throws {
        try verifySameOrigin()
        guard let expected = request.cookies[ShopCookie.csrf], CSRF.isWellFormed(expected),
              let sent = form["_csrf"], CSRF.matches(sent, expected) else {
            throw HTTPError(.forbidden, "This form has expired. Reload the page and try again.")
        }
    }

    /// The request's form after checking its CSRF token and origin.
    func verifiedForm() throws -> FormData {
        let form = try request.form()
        try verifyCSRF(form)
        return form
    }

    // MARK: - Responses

    /// A redirect after a POST (303), with an optional flash message for the next page.
    func redirect(to location: String, flash: Flash? = nil) -> Response {
        var response = Response.redirect(to: location)
        if let flash { response.setCookie(flash.cookie(request: request)) }
        return response
    }

    /// The flash message set by the previous response, cleared now that it is shown.
    func takeFlash() -> Flash? {
        guard let raw = request.cookies[WebCookie.flash], !raw.isEmpty else { return nil }
        deleteCookie(WebCookie.flash)
        return Flash(cookieValue: raw)
    }

    // MARK: - Helpers

    /// The host of an absolute URL (`https://shop.example:8080/x` → `shop.example`), lower-cased.
    static func host(ofURL url: String) -> String? {
        guard let scheme = url.range(of: "://") else { return nil }
        var rest = url[scheme.upperBound...]
        if let end = rest.firstIndex(where: { $0 == "/" || $0 == "?" || $0 == "#" }) { rest = rest[..<end] }
        if let at = rest.lastIndex(of: "@") { rest = rest[rest.index(after: at)...] }
        if rest.hasPrefix("[") { return nil }
        if let colon = rest.lastIndex(of: ":") { rest = rest[..<colon] }
        let host = rest.lowercased()
        return host.isEmpty ? nil : (host.hasSuffix(".") ? String(host.dropLast()) : host)
    }

    private static func placeholderRequest() -> Request {
        // Rendering outside a request (tests, previews): a bare GET of `/`.
        (try? Request(cgi: ["REQUEST_METHOD": "GET", "REQUEST_URI": "/", "HTTP_HOST": "localhost"], body: []))!
    }
}

/// The cookies a store's host sets (none is shared with the platform host).
enum ShopCookie {
    /// The cart's token (its SHA-256 is `carts.token_hash`).
    static let cart = "sf_cart"
    /// The number of items in the cart, readable by the theme's script so cached pages can show
    /// a cart count (not `HttpOnly`; it holds nothing secret).
    static let cartCount = "sf_cart_count"
    /// A logged-in customer's session token (its SHA-256 is `customer_sessions.token_hash`).
    static let customer = "sf_customer"
    /// The double-submit CSRF token of shopper forms.
    static let csrf = "sf_csrf"
}
