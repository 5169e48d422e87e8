import Postgres
import Testing
@testable import Commerce

@Suite("Carts.attach: a customer logs in")
struct CartAttachTests {
    static func customer(_ f: StoreFixture) throws -> Int64 {
        let email = "shopper-\(Int.random(in: 1...999_999_999))@example.com"
        return try f.db.queryFirst("INSERT INTO customers (email) VALUES (\(email)) RETURNING id")!.decode("id")
    }

    @Test("both carts: lines merged into the browser's, capped by stock; the other abandoned")
    func mergeBoth() throws {
        try StoreFixture.run("cart-merge") { f in
            let customerId = try Self.customer(f)
            let mug = try CartProduct.make(f, title: "Mug", priceMinor: 1_000, stock: 5)
            let cap = try CartProduct.make(f, title: "Cap", priceMinor: 500)
            let tee = try CartProduct.make(f, title: "Tee", priceMinor: 2_000)
            let (saved, savedId) = try Carts.create(f.db, currency: "USD", customerId: customerId)
            _ = try Carts.add(f.db, token: saved, variantId: mug.variantId, quantity: 3)
            _ = try Carts.add(f.db, token: saved, variantId: cap.variantId, quantity: 2)
            _ = try Carts.update(f.db, token: saved, quantities: [:], note: "Leave at the door")
            let (browser, browserId) = try Carts.create(f.db, currency: "USD")
            _ = try Carts.add(f.db, token: browser, variantId: mug.variantId, quantity: 4)
            _ = try Carts.add(f.db, token: browser, variantId: tee.variantId, quantity: 1)

            let (token, c) = try #require(try Carts.attach(f.db, token: browser, customerId: customerId))
            #expect(token == browser)
            #expect(c.id == browserId)
            #expect(c.customerId == customerId)
            #expect(c.line(variantId: mug.variantId)?.quantity == 5)   // 3 + 4, capped at 5 in stock
            #expect(c.line(variantId: cap.variantId)?.quantity == 2)
            #expect(c.line(variantId: tee.variantId)?.quantity == 1)
            #expect(c.note == "Leave at the door")
            #expect(c.notices.map(\.kind) == [.quantityLowered])
            #expect(try Carts.open(f.db, token: saved) == nil)
            let status: String = try f.db.queryFirst("SELECT status FROM carts WHERE id = \(savedId)")!.decode("status")
            #expect(status == "abandoned")
        }
    }

    @Test("browser cart only: it becomes the customer's, same token")
    func browserOnly() throws {
        try StoreFixture.run("cart-attach") { f in
            let customerId = try Self.customer(f)
            let mug = try CartProduct.make(f, title: "Mug", priceMinor: 1_000)
            let (browser, _) = try Carts.create(f.db, currency: "USD")
            _ = try Carts.add(f.db, token: browser, variantId: mug.variantId, quantity: 1)
            let (token, c) = try #require(try Carts.attach(f.db, token: browser, customerId: customerId))
            #expect(token == browser)
            #expect(c.customerId == customerId)
            #expect(c.itemCount == 1)
        }
    }

    @Test("customer cart only: the browser takes it over under a new token")
    func customerOnly() throws {
        try StoreFixture.run("cart-resume") { f in
            let customerId = try Self.customer(f)
            let mug = try CartProduct.make(f, title: "Mug", priceMinor: 1_000)
            let (saved, savedId) = try Carts.create(f.db, currency: "USD", customerId: customerId)
            _ = try Carts.add(f.db, token: saved, variantId: mug.variantId, quantity: 2)
            let (token, c) = try #require(try Carts.attach(f.db, token: nil, customerId: customerId))
            #expect(token != saved)
            #expect(c.id == savedId)
            #expect(try Carts.open(f.db, token: token)?.itemCount == 2)
            #expect(try Carts.attach(f.db, token: nil, customerId: try Self.customer(f)) == nil)
        }
    }

    @Test("another customer's cart in the browser is not taken")
    func otherCustomersCart() throws {
        try StoreFixture.run("cart-other") { f in
            let alice = try Self.customer(f), bob = try Self.customer(f)
            let mug = try CartProduct.make(f, title: "Mug", priceMinor: 1_000)
            let (alicesCart, _) = try Carts.create(f.db, currency: "USD", customerId: alice)
            _ = try Carts.add(f.db, token: alicesCart, variantId: mug.variantId, quantity: 1)
            #expect(try Carts.attach(f.db, token: alicesCart, customerId: bob) == nil)
            #expect(try Carts.open(f.db, token: alicesCart)?.customerId == alice)
        }
    }
}
