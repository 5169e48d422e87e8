import Foundation
import Postgres

/// What a shopper chose so far in checkout, kept on their cart row between the steps
/// (`carts.email`, `shipping_address`, `shipping_rate_id`, `payment_provider_id`, `discount_code`),
/// so every step is a plain page and form that works without JavaScript.
public struct CheckoutDetails: Sendable, Equatable {
    public var email: String?
    public var shippingAddress: CheckoutAddress?
    public var shippingRateId: Int64?
    public var paymentProviderId: Int64?
    public var discountCode: String?

    public init(email: String? = nil, shippingAddress: CheckoutAddress? = nil, shippingRateId: Int64? = nil,
                paymentProviderId: Int64? = nil, discountCode: String? = nil) {
        self.email = email
        self.shippingAddress = shippingAddress
        self.shippingRateId = shippingRateId
        self.paymentProviderId = paymentProviderId
        self.discountCode = discountCode
    }

    public static func load(_ db: Connection, cartId: Int64) throws -> CheckoutDetails {
        guard let row = try db.queryFirst("""
            SELECT email, shipping_address::text AS shipping_address, shipping_rate_id, payment_provider_id, discount_code
            FROM carts WHERE id = \(cartId)
            """) else { return CheckoutDetails() }
        return try CheckoutDetails(row: row)
    }

    init(row: Row) throws {
        self.init(
            email: try row.decode("email"),
            shippingAddress: CheckoutAddress.from(json: try row.decode("shipping_address", as: String?.self).map(JSON.init(rawText:))),
            shippingRateId: try row.decode("shipping_rate_id"), paymentProviderId: try row.decode("payment_provider_id"),
            discountCode: try row.decode("discount_code"))
    }

    /// The open cart this token names and what was chosen so far, for one checkout step:
    /// `Carts.read` with the checkout columns in the same statement (one statement, no lock, when
    /// the lines need no change). Nil when the token names no open cart.
    public static func cart(_ db: Connection, token: String) throws -> (cart: CartContents, details: CheckoutDetails)? {
        let columns: Query = ", c.shipping_address::text AS shipping_address, c.shipping_rate_id, c.payment_provider_id"
        switch try Carts.readUnlocked(db, token: token, extraColumns: columns) {
        case .none:
            return nil
        case .fresh(let cart, let row):
            return (cart, try CheckoutDetails(row: row))
        case .needsRecheck:
            guard let cart = try Carts.open(db, token: token) else { return nil }
            return (cart, try load(db, cartId: cart.id))
        }
    }

    /// Contact and address from the first step. A new address forgets the shipping method (its
    /// rates depend on the country).
    public static func saveContact(_ db: Connection, cartId: Int64, email: String, address: CheckoutAddress) throws {
        try db.execute("""
            UPDATE carts SET email = \(email),
                   shipping_rate_id = CASE WHEN shipping_address = \(address.json)::jsonb THEN shipping_rate_id END,
                   shipping_address = \(address.json)::jsonb, billing_address = \(address.json)::jsonb
            WHERE id = \(cartId) AND status = 'open'
            """)
    }

    public static func saveShippingRate(_ db: Connection, cartId: Int64, rateId: Int64?) throws {
        try db.execute("UPDATE carts SET shipping_rate_id = \(rateId) WHERE id = \(cartId) AND status = 'open'")
    }

    public static func savePaymentProvider(_ db: Connection, cartId: Int64, providerId: Int64?) throws {
        try db.execute("UPDATE carts SET payment_provider_id = \(providerId) WHERE id = \(cartId) AND status = 'open'")
    }

    public static func saveDiscountCode(_ db: Connection, cartId: Int64, code: String?) throws {
        try db.execute("UPDATE carts SET discount_code = \(code) WHERE id = \(cartId) AND status = 'open'")
    }

    /// Countries the store ships to (its shipping zones); nil when any country will do (a
    /// rest-of-world zone, or no zones set up yet, when pricing decides what is possible).
    public static func shippingCountries(_ db: Connection) throws -> Set<String>? {
        try addressChoices(db).allowed
    }

    /// `shippingCountries` and the store's own country (the address form's default), in one
    /// statement.
    public static func addressChoices(_ db: Connection) throws -> (allowed: Set<String>?, storeCountry: String) {
        let row = try db.queryFirst("""
            SELECT EXISTS (SELECT 1 FROM shipping_zones WHERE rest_of_world) AS rest,
                   ARRAY(SELECT DISTINCT country_code FROM shipping_zone_countries)::text[] AS codes,
                   (SELECT country_code FROM store_settings LIMIT 1) AS store_country
            """)
        let storeCountry = try row?.decode("store_country", as: String?.self) ?? "US"
        let codes = try row?.decode("codes", as: [String].self) ?? []
        if try row?.decode("rest", as: Bool.self) ?? false || codes.isEmpty { return (nil, storeCountry) }
        return (Set(codes), storeCountry)
    }

    /// The order a cart became, for a shopper who submits or reloads after it was placed.
    public static func convertedOrderToken(_ db: Connection, cartTokenHash: [UInt8]) throws -> String? {
        try db.queryFirst("""
            SELECT o.public_token FROM carts c JOIN orders o ON o.id = c.order_id
            WHERE c.token_hash = \(cartTokenHash) AND c.status = 'converted'
            """)?.decode("public_token")
    }

    public static func orderToken(_ db: Connection, idempotencyKey: String) throws -> String? {
        try db.queryFirst("SELECT public_token FROM orders WHERE idempotency_key = \(idempotencyKey)")?.decode("public_token")
    }

    /// A plausible email address: one `@`, something before it, a dot in the domain, no spaces.
    public static func validEmail(_ text: String) -> Bool {
        let parts = text.split(separator: "@", omittingEmptySubsequences: false)
        guard text.count <= 254, parts.count == 2, !parts[0].isEmpty, parts[1].contains("."),
              !parts[1].hasPrefix("."), !parts[1].hasSuffix("."),
              !text.contains(where: { $0.isWhitespace || $0 == "<" || $0 == ">" || $0 == "," }) else { return false }
        return true
    }
}
