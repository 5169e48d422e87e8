import Foundation
import HTTP
import Postgres
import Testing
@testable import App

/// A store set up to sell: a US shipping zone with two rates, a bank-transfer method, and
/// helpers that walk a shopper through checkout.
struct CheckoutStore {
    let shop: CartStore
    let standardRateId: Int64
    let expressRateId: Int64
    let bankId: Int64

    init(_ stack: AppStack, prefix: String) throws {
        shop = try CartStore(stack, prefix: prefix)
        let db = shop.db
        let zone: Int64 = try db.queryFirst("INSERT INTO shipping_zones (name) VALUES ('North America') RETURNING id")!.decode("id")
        try db.execute("INSERT INTO shipping_zone_countries (zone_id, country_code) VALUES (\(zone), 'US'), (\(zone), 'CA')")
        standardRateId = try db.queryFirst("""
            INSERT INTO shipping_rates (zone_id, name, kind, price_minor, delivery_days_min, delivery_days_max, position)
            VALUES (\(zone), 'Standard', 'flat', 500, 3, 5, 1) RETURNING id
            """)!.decode("id")
        expressRateId = try db.queryFirst("""
            INSERT INTO shipping_rates (zone_id, name, kind, price_minor, delivery_days_min, delivery_days_max, position)
            VALUES (\(zone), 'Express', 'flat', 1500, 1, 1, 2) RETURNING id
            """)!.decode("id")
        bankId = try db.queryFirst("""
            INSERT INTO payment_providers (kind, name, enabled, instructions)
            VALUES ('bank_transfer', 'Bank transfer', true, 'Pay to IBAN DE89 3704 0044 0532 0130 00, Example Bank.')
            RETURNING id
            """)!.decode("id")
    }

    var db: Connection { shop.db }

    static let address: [(String, String)] = [
        ("email", "ada@example.com"), ("first_name", "Ada"), ("last_name", "Lovelace"), ("address1", "12 Analytical Way"),
        ("address2", ""), ("city", "Springfield"), ("province_code", "IL"), ("postal_code", "62701"),
        ("country_code", "US"), ("phone", ""),
    ]

    /// Adds to the cart and walks to the payment page; returns its HTML.
    func toPayment(_ browser: ShopperClient, variantId: Int64, quantity: Int = 1, rateId: Int64? = nil) throws -> String {
        let added = try browser.post("/cart/add", [("id", String(variantId)), ("quantity", String(quantity))], csrf: "")
        #expect(added.status == .seeOther)
        try browser.get("/checkout")
        let info = try browser.post("/checkout", CheckoutStore.address)
        #expect(info.headers["Location"] == "/checkout/shipping")
        try browser.get("/checkout/shipping")
        let ship = try browser.post("/checkout/shipping", [("shipping_rate", String(rateId ?? standardRateId))])
        #expect(ship.headers["Location"] == "/checkout/payment")
        return try browser.get("/checkout/payment").text
    }

    /// The hidden idempotency key of a payment page.
    static func key(in html: String) -> String? {
        guard let r = html.range(of: "name=\"idempotency_key\" value=\"") else { return nil }
        let rest = html[r.upperBound...]
        return rest.firstIndex(of: "\"").map { String(rest[..<$0]) }
    }

    func orderCount() throws -> Int {
        try db.queryFirst("SELECT count(*) AS n FROM orders")!.decode("n", as: Int.self)
    }

    func stock(_ variantId: Int64) throws -> Int {
        try db.queryFirst("SELECT inventory_quantity FROM variants WHERE id = \(variantId)")!.decode("inventory_quantity")
    }
}
