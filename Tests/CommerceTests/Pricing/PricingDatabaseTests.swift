import Foundation
import Postgres
import Testing
@testable import Commerce

/// `Pricing.quote` against a real store database (rules loaded from the tables the admin
/// writes) and `DiscountUsage.take` under concurrency.
@Suite("Pricing in the database")
struct PricingDatabaseTests {
    static let now = Date(timeIntervalSince1970: 1_800_000_000)

    /// Two products; the second is in a collection. Returns (productA, variantA, productB, variantB, collection).
    func seed(_ f: StoreFixture) throws -> (Int64, Int64, Int64, Int64, Int64) {
        let a = try ProductAdmin.create(ProductInput(title: "Mug", status: .active, variants: [VariantInput(sku: "MUG", priceMinor: 1250)]),
                                        by: f.actor, on: f.db)
        let b = try ProductAdmin.create(ProductInput(title: "Tee", status: .active, variants: [VariantInput(sku: "TEE", priceMinor: 2000)]),
                                        by: f.actor, on: f.db)
        let va: Int64 = try f.db.queryFirst("SELECT id FROM variants WHERE product_id = \(a)")!.decode("id")
        let vb: Int64 = try f.db.queryFirst("SELECT id FROM variants WHERE product_id = \(b)")!.decode("id")
        let c = try CollectionAdmin.create(CollectionInput(title: "Clothes", productIds: [b]), by: f.actor, on: f.db)
        return (a, va, b, vb, c)
    }

    @Test func quoteLoadsZonesTaxesAndACollectionCode() throws {
        try StoreFixture.run("price-q") { f in
            let (a, va, b, vb, c) = try seed(f)
            let eu = try ShippingAdmin.saveZone(nil, ShippingZoneInput(name: "Europe", countryCodes: ["FR", "de"]), by: f.actor, on: f.db)
            let world = try ShippingAdmin.saveZone(nil, ShippingZoneInput(name: "World", restOfWorld: true), by: f.actor, on: f.db)
            let standard = try ShippingAdmin.saveRate(nil, zoneId: eu, ShippingRateRule(id: 0, name: "Standard", kind: .flat, priceMinor: 600),
                                                      by: f.actor, on: f.db)
            let intl = try ShippingAdmin.saveRate(nil, zoneId: world, ShippingRateRule(id: 0, name: "Intl", kind: .flat, priceMinor: 2500),
                                                  by: f.actor, on: f.db)
            try ShippingAdmin.saveTaxRate(nil, TaxRateRule(countryCode: "FR", name: "TVA", ratePpm: 200_000), by: f.actor, on: f.db)
            try ShippingAdmin.saveTaxSettings(pricesIncludeTax: true, taxShipping: true, by: f.actor, on: f.db)
            try DiscountAdmin.save(nil, DiscountInput(code: "Clothes15", kind: .percentage, percentPpm: 150_000,
                                                      appliesTo: .collections, collectionIds: [c]), by: f.actor, on: f.db)
            let lines = [PricingLine(variantId: va, productId: a, quantity: 1, unitPriceMinor: 1250),
                         PricingLine(variantId: vb, productId: b, quantity: 3, unitPriceMinor: 2000)]
            let q = try Pricing.quote(f.db, lines: lines, currency: "EUR", address: PricingAddress(countryCode: "FR"),
                                      shippingRateId: standard, discountCode: "clothes15", customerId: nil,
                                      email: "a@example.com", now: Self.now)
            #expect(q.shippingOptions.map(\.rateId) == [standard])
            #expect(q.discount?.code == "Clothes15")
            // 15% of 60.00 (tees only) = 9.00
            #expect(q.lines.map(\.discountMinor) == [0, 900])
            // Included 20%: 12.50 → 2.0833 → 2.08; 51.00 → 8.50; shipping 6.00 → 1.00
            #expect(q.lines.map(\.taxMinor) == [208, 850])
            #expect(q.taxMinor == 208 + 850 + 100)
            #expect(q.totalMinor == 7250 - 900 + 600)
            #expect(q.taxesIncluded)
            // A rate of another zone is not taken, and the rest of world serves Japan.
            let foreign = try Pricing.quote(f.db, lines: lines, currency: "EUR", address: PricingAddress(countryCode: "FR"),
                                            shippingRateId: intl, discountCode: nil, customerId: nil, email: nil, now: Self.now)
            #expect(foreign.shipping == nil)
            let japan = try Pricing.quote(f.db, lines: lines, currency: "EUR", address: PricingAddress(countryCode: "JP"),
                                          shippingRateId: intl, discountCode: "NOPE", customerId: nil, email: nil, now: Self.now)
            #expect(japan.shipping?.priceMinor == 2500)
            #expect(japan.discountError == "This code isn't valid")
            #expect(japan.taxMinor == 0)
        }
    }

    /// Places a bare order to take uses against.
    func order(_ db: Connection, email: String = "buyer@example.com") throws -> Int64 {
        try db.queryFirst("""
            INSERT INTO orders (email, currency, subtotal_minor, total_minor) VALUES (\(email), 'USD', 1000, 1000) RETURNING id
            """)!.decode("id")
    }

    @Test func takeCountsUsesAndThePerCustomerLimitByEmail() throws {
        try StoreFixture.run("price-take") { f in
            let id = try DiscountAdmin.save(nil, DiscountInput(code: "ONCE", kind: .fixedAmount, amountMinor: 500, usageLimit: 3,
                                                               perCustomerLimit: 1), by: f.actor, on: f.db)
            try DiscountUsage.take(f.db, discountId: id, orderId: try order(f.db), customerId: nil, email: "Guest@Example.com", amountMinor: 500)
            // The same guest, another spelling of the email: refused.
            #expect(throws: DiscountUsageError.customerLimitReached) {
                try DiscountUsage.take(f.db, discountId: id, orderId: try order(f.db), customerId: nil, email: "guest@example.com", amountMinor: 500)
            }
            let quoted = try Pricing.quote(f.db, lines: [PricingLine(variantId: 1, productId: 1, quantity: 1, unitPriceMinor: 900)],
                                           currency: "USD", address: nil, shippingRateId: nil, discountCode: "once",
                                           customerId: nil, email: "GUEST@example.com", now: Date())
            #expect(quoted.discountError == "You've already used this code")
            try DiscountUsage.take(f.db, discountId: id, orderId: try order(f.db), customerId: nil, email: "b@example.com", amountMinor: 500)
            try DiscountUsage.take(f.db, discountId: id, orderId: try order(f.db), customerId: nil, email: "c@example.com", amountMinor: 500)
            #expect(throws: DiscountUsageError.limitReached) {
                try DiscountUsage.take(f.db, discountId: id, orderId: try order(f.db), customerId: nil, email: "d@example.com", amountMinor: 500)
            }
            #expect(try f.count("SELECT times_used FROM discount_codes") == 3)
            #expect(try f.count("SELECT count(*) FROM discount_uses") == 3)
        }
    }

    @Test func takeCountsACustomerByIdAndRefusesADisabledCode() throws {
        try StoreFixture.run("price-cust") { f in
            let id = try DiscountAdmin.save(nil, DiscountInput(code: "VIP", kind: .percentage, percentPpm: 50_000, perCustomerLimit: 1),
                                            by: f.actor, on: f.db)
            let customer: Int64 = try f.db.queryFirst("INSERT INTO customers (email) VALUES ('vip@example.com') RETURNING id")!.decode("id")
            try DiscountUsage.take(f.db, discountId: id, orderId: try order(f.db), customerId: customer, email: "vip@example.com", amountMinor: 50)
            // The same account with another email on the order: still this customer's use.
            #expect(throws: DiscountUsageError.customerLimitReached) {
                try DiscountUsage.take(f.db, discountId: id, orderId: try order(f.db), customerId: customer, email: "other@example.com", amountMinor: 50)
            }
            try DiscountAdmin.setEnabled(id, false, by: f.actor, on: f.db)
            #expect(throws: DiscountUsageError.unavailable) {
                try DiscountUsage.take(f.db, discountId: id, orderId: try order(f.db), customerId: nil, email: "new@example.com", amountMinor: 50)
            }
            #expect(try f.count("SELECT times_used FROM discount_codes") == 1)
        }
    }

    @Test func twoConnectionsRacingForTheLastUseOneWins() throws {
        try StoreFixture.run("price-race") { f in
            let id = try DiscountAdmin.save(nil, DiscountInput(code: "LAST", kind: .freeShipping, usageLimit: 1), by: f.actor, on: f.db)
            let first = try order(f.db)
            let second = try order(f.db)
            let url = f.url
            // The first transaction takes the use and stays open until the second is seen
            // waiting for the code's row; the second then finds the limit reached.
            let outcome = LockedResult()
            var waited = false
            try f.db.transaction { db in
                try DiscountUsage.take(db, discountId: id, orderId: first, customerId: nil, email: "a@example.com", amountMinor: 0)
                let thread = Thread {
                    do {
                        let other = try Connection(url: url)
                        try other.transaction { db in
                            try DiscountUsage.take(db, discountId: id, orderId: second, customerId: nil, email: "b@example.com", amountMinor: 0)
                        }
                        outcome.set("taken")
                    } catch let e as DiscountUsageError {
                        outcome.set(e.message)
                    } catch {
                        outcome.set("\(error)")
                    }
                }
                thread.start()
                // Polls for the waiting lock (a condition, not a timed sleep), up to 10 s.
                for _ in 0..<1000 {
                    if try db.queryFirst("SELECT 1 FROM pg_locks WHERE NOT granted AND locktype IN ('transactionid', 'tuple')") != nil {
                        waited = true
                        break
                    }
                    usleep(10_000)
                }
            }
            #expect(waited)
            #expect(outcome.wait() == "This code has reached its usage limit")
            #expect(try f.count("SELECT times_used FROM discount_codes") == 1)
            #expect(try f.count("SELECT count(*) FROM discount_uses") == 1)
        }
    }

    @Test func adminValidationRefusesBadDiscountsAndTaxes() throws {
        try StoreFixture.run("price-val") { f in
            try DiscountAdmin.save(nil, DiscountInput(code: "SAVE10", kind: .percentage, percentPpm: 100_000), by: f.actor, on: f.db)
            let dup = validationErrors { try DiscountAdmin.save(nil, DiscountInput(code: "save10", kind: .percentage, percentPpm: 1), by: f.actor, on: f.db) }
            #expect(dup?["code"] == "Another discount already uses the code “save10”.")
            let start = Self.now
            let bad = validationErrors {
                try DiscountAdmin.save(nil, DiscountInput(code: "X", kind: .percentage, percentPpm: 1_000_001, startsAt: start,
                                                          endsAt: start), by: f.actor, on: f.db)
            }
            #expect(bad?["value"] == "The percentage cannot be more than 100.")
            #expect(bad?["ends_at"] == "The end must be after the start.")
            let zero = validationErrors { try DiscountAdmin.save(nil, DiscountInput(code: "Z", kind: .percentage, percentPpm: 0), by: f.actor, on: f.db) }
            #expect(zero?["value"] == "The percentage must be more than 0.")
            try ShippingAdmin.saveTaxRate(nil, TaxRateRule(countryCode: "US", regionCode: "NY", name: "NY", ratePpm: 88_750), by: f.actor, on: f.db)
            let twice = validationErrors { try ShippingAdmin.saveTaxRate(nil, TaxRateRule(countryCode: "us", regionCode: "ny", name: "NY", ratePpm: 1), by: f.actor, on: f.db) }
            #expect(twice?["region"] == "This region already has a rate; edit that one.")
            try ShippingAdmin.saveZone(nil, ShippingZoneInput(name: "World", restOfWorld: true), by: f.actor, on: f.db)
            let second = validationErrors { try ShippingAdmin.saveZone(nil, ShippingZoneInput(name: "Also world", restOfWorld: true), by: f.actor, on: f.db) }
            #expect(second?["rest_of_world"] == "Another zone already covers the rest of the world.")
            #expect(try f.count("SELECT count(*) FROM discount_codes") == 1)
            #expect(try f.count("SELECT count(*) FROM audit_log WHERE action IN ('discount.create', 'tax_rate.create', 'shipping_zone.create')") == 3)
        }
    }
}

/// A value set by another thread, waited for with a condition (no sleeps).
final class LockedResult: @unchecked Sendable {
    private let condition = NSCondition()
    private var value: String?

    func set(_ v: String) {
        condition.lock(); value = v; condition.signal(); condition.unlock()
    }

    func wait() -> String {
        condition.lock()
        defer { condition.unlock() }
        while value == nil { condition.wait() }
        return value!
    }
}
