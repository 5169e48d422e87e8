import Commerce

/// The two cart cookies: `sf_cart` (the token, HttpOnly) and `sf_cart_count` (the item count the
/// theme's script shows on cached pages). Every response that changes a cart sets both.
enum CartCookies {
    /// Thirty days, renewed by every change.
    static let maxAge = 30 * 24 * 3600

    /// The token the browser holds, if it looks like one of ours (43 base64url characters).
    static func token(_ site: StoreSite) -> String? {
        guard let t = site.request.cookies[ShopCookie.cart], t.count >= 20, t.count <= 100,
              t.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "-" || $0 == "_") })
        else { return nil }
        return t
    }

    static func set(_ site: StoreSite, token: String, itemCount: Int) {
        site.setCookie(ShopCookie.cart, value: token, maxAge: maxAge)
        site.setCookie(ShopCookie.cartCount, value: String(itemCount), maxAge: maxAge, httpOnly: false)
    }

    /// Keeps the count cookie true when a read finds it stale (another device changed the cart,
    /// the re-check removed lines) and forgets a token that names no open cart.
    static func sync(_ site: StoreSite, contents: CartContents?) {
        let shown = site.request.cookies[ShopCookie.cartCount].flatMap { Int($0) } ?? 0
        guard let contents else {
            if site.request.cookies[ShopCookie.cart] != nil { site.deleteCookie(ShopCookie.cart) }
            if site.request.cookies[ShopCookie.cartCount] != nil { site.deleteCookie(ShopCookie.cartCount) }
            return
        }
        if shown != contents.itemCount || site.request.cookies[ShopCookie.cartCount] == nil {
            site.setCookie(ShopCookie.cartCount, value: String(contents.itemCount), maxAge: maxAge, httpOnly: false)
        }
    }
}
