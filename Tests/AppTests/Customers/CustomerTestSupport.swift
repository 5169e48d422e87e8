import Crypto
import Foundation
import HTTP
import Postgres
import Registry
import TestSupport
@testable import App

/// A shopper's browser on a store's host over the in-process handler: keeps cookies, sends the
/// `Origin` of the store with every POST (the storefront's same-origin check) and `_csrf` from
/// the `sf_csrf` cookie (the double-submit token), and comes from its own client address so
/// the log-in throttle of one test never touches another.
final class ShopperClient {
    let handle: (Request) -> Response
    let host: String
    let address: String
    var cookies: [String: String] = [:]

    init(_ stack: AppStack, store: ProvisionedStore, handler: ((Request) -> Response)? = nil) throws {
        handle = try handler ?? stack.handler()
        host = stack.host(store)
        address = AppStack.randomAddress()
    }

    @discardableResult
    func get(_ path: String, follow: Bool = false) throws -> Response {
        try send(.get, path, body: [], contentType: nil, origin: nil, follow: follow)
    }

    /// POSTs a form with `_csrf` (the cookie's value, unless `csrf` is given; "" sends none).
    @discardableResult
    func post(_ path: String, _ fields: [(String, String)], csrf: String? = nil, origin: String? = nil,
              follow: Bool = false) throws -> Response {
        var all = fields
        let token = csrf ?? cookies["sf_csrf"] ?? ""
        if !token.isEmpty { all.insert(("_csrf", token), at: 0) }
        let body = all.map { WebClient.encode($0.0) + "=" + WebClient.encode($0.1) }.joined(separator: "&")
        return try send(.post, path, body: Array(body.utf8), contentType: "application/x-www-form-urlencoded",
                        origin: origin ?? "http://" + host, follow: follow)
    }

    func send(_ method: HTTP.Method, _ path: String, body: [UInt8], contentType: String?, origin: String?,
              follow: Bool) throws -> Response {
        var headers: [(String, String)] = []
        if !cookies.isEmpty { headers.append(("Cookie", cookies.map { "\($0.key)=\($0.value)" }.sorted().joined(separator: "; "))) }
        if let contentType { headers.append(("Content-Type", contentType)) }
        if let origin { headers.append(("Origin", origin)) }
        var request = try Request(method: method, uri: path, host: host, headers: headers, body: body)
        request.remoteAddress = address
        let response = handle(request)
        for value in response.headers.values("Set-Cookie") {
            let pair = value.split(separator: ";", maxSplits: 1)[0]
            guard let eq = pair.firstIndex(of: "=") else { continue }
            let name = String(pair[..<eq]), v = String(pair[pair.index(after: eq)...])
            if value.contains("Max-Age=0") || v.isEmpty { cookies[name] = nil } else { cookies[name] = v }
        }
        if follow, (300..<400).contains(response.status.code), let location = response.headers["Location"] {
            return try get(WebClient.pathOf(location), follow: true)
        }
        return response
    }
}

/// Customers, products and orders made straight in a store's database, for the account tests.
struct AccountFixtures {
    let db: Connection

    /// A customer who can log in (the hash made as sign-up makes it).
    @discardableResult
    func customer(email: String, password: String = "correct horse battery", first: String = "Ada",
                  last: String = "Lovelace") throws -> Int64 {
        try db.queryFirst("""
            INSERT INTO customers (email, first_name, last_name, password_hash)
            VALUES (\(email), \(first), \(last), \(PasswordHasher.hash(password))) RETURNING id
            """)!.decode("id")
    }

    /// A guest customer, as checkout makes one (no password).
    @discardableResult
    func guest(email: String) throws -> Int64 {
        try db.queryFirst("INSERT INTO customers (email) VALUES (\(email)) RETURNING id")!.decode("id")
    }

    /// An active product with one variant; returns (product id, variant id, handle).
    func product(_ title: String, priceMinor: Int64 = 2500) throws -> (id: Int64, variantId: Int64, handle: String) {
        let handle = AppStack.handle(title) + "-" + Hex.encode(SecureRandom.bytes(3))
        let id: Int64 = try db.queryFirst("""
            INSERT INTO products (handle, title, vendor, status, published_at)
            VALUES (\(handle), \(title), 'Test Vendor', 'active', now()) RETURNING id
            """)!.decode("id")
        let variantId: Int64 = try db.queryFirst("""
            INSERT INTO variants (product_id, position, title, price_minor, inventory_quantity)
            VALUES (\(id), 1, 'Default Title', \(priceMinor), 10) RETURNING id
            """)!.decode("id")
        return (id, variantId, handle)
    }

    /// An order with one line of `productId`; returns its number.
    @discardableResult
    func order(email: String, customerId: Int64?, productId: Int64? = nil, title: String = "Linen shirt",
               quantity: Int32 = 1, unitMinor: Int64 = 2500, financial: String = "paid", cancelled: Bool = false,
               shippingMinor: Int64 = 500) throws -> Int64 {
        let subtotal = unitMinor * Int64(quantity)
        let row = try db.queryFirst("""
            INSERT INTO orders (email, customer_id, currency, subtotal_minor, shipping_minor, total_minor, financial_status,
                                status, cancelled_at, cancel_reason, shipping_method_name, shipping_address)
            VALUES (\(email), \(customerId), 'USD', \(subtotal), \(shippingMinor), \(subtotal + shippingMinor), \(financial),
                    \(cancelled ? "cancelled" : "open"), \(cancelled ? Date() : nil), \(cancelled ? "customer" : nil),
                    'Standard', '{"first_name":"Ada","last_name":"Lovelace","address1":"12 Analytical Row","city":"London","postal_code":"N1 9GU","country_code":"GB"}'::jsonb)
            RETURNING id, number
            """)!
        let id: Int64 = try row.decode("id")
        try db.execute("""
            INSERT INTO order_items (order_id, product_id, title, variant_title, quantity, unit_price_minor)
            VALUES (\(id), \(productId), \(title), 'Default Title', \(quantity), \(unitMinor))
            """)
        return try row.decode("number")
    }
}

extension AppStack {
    /// The newest queued mail to `address` whose text contains `marker`, and the path of its
    /// first link that contains `marker`.
    func customerMailLink(to address: String, containing marker: String) throws -> String? {
        try linkPath(inMailTo: address, containing: marker)
    }
}
