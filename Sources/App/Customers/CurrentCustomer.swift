import Commerce
import Foundation
import Postgres

/// The customer logged in on a store's host, as other shopper areas see them.
struct ShopperCustomer: Equatable {
    let id: Int64
    let email: String
    let firstName: String
    let lastName: String
}

extension StoreSite {
    /// The logged-in customer: the `sf_customer` cookie's session in `customer_sessions`, nil for
    /// a guest or an expired session. Looked up once per request (sliding expiry: a session in
    /// use is pushed ahead every few minutes); a cookie that names no live session is deleted.
    func customer(db: Connection) throws -> ShopperCustomer? {
        if let known = customerLookup { return known }
        var found: ShopperCustomer?
        if let token = request.cookies[ShopCookie.customer], !token.isEmpty {
            if let account = try CustomerSessions.find(db, token: token) {
                found = ShopperCustomer(id: account.id, email: account.email, firstName: account.firstName,
                                        lastName: account.lastName)
            } else {
                deleteCookie(ShopCookie.customer)
            }
        }
        customerLookup = .some(found)
        return found
    }

    /// Logs `customerId` in on this browser: a new session cookie, and the browser's cart tied to
    /// the customer (merged with the cart they left open before, `Carts.attach`).
    func logIn(_ account: CustomerAccount, db: Connection) throws {
        let token = try CustomerSessions.create(db, customerId: account.id)
        setCookie(ShopCookie.customer, value: token, maxAge: CustomerSessions.lifetimeSeconds)
        customerLookup = .some(ShopperCustomer(id: account.id, email: account.email, firstName: account.firstName,
                                               lastName: account.lastName))
        if let (cartToken, contents) = try Carts.attach(db, token: request.cookies[ShopCookie.cart], customerId: account.id) {
            setCookie(ShopCookie.cart, value: cartToken, maxAge: CustomerSessions.lifetimeSeconds)
            setCookie(ShopCookie.cartCount, value: String(contents.itemCount), maxAge: CustomerSessions.lifetimeSeconds,
                      httpOnly: false)
        }
    }
}

extension ShopperCustomer {
    /// The account as the Commerce functions take it (a session only exists for an account with
    /// a password).
    var account: CustomerAccount {
        CustomerAccount(id: id, email: email, firstName: firstName, lastName: lastName, hasPassword: true,
                        createdAt: Date(timeIntervalSince1970: 0))
    }
}
