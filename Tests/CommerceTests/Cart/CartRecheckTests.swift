import Postgres
import Testing
@testable import Commerce

/// A product with one variant in a fixture store, for cart tests.
struct CartProduct {
    let productId: Int64
    let variantId: Int64

    static func make(_ f: StoreFixture, title: String, priceMinor: Int64, stock: Int = 10, tracked: Bool = true,
                     policy: String = "deny", status: String = "active", variantTitle: String = "Default Title") throws -> CartProduct {
        let handle = title.lowercased().map { $0.isLetter || $0.isNumber ? String($0) : "-" }.joined()
            + "-" + String(Int.random(in: 1000...999_999))
        let p = try f.db.queryFirst("""
            INSERT INTO products (handle, title, status, published_at)
            VALUES (\(handle), \(title), \(status), CASE WHEN \(status) = 'active' THEN now() END) RETURNING id
            """)!
        let productId: Int64 = try p.decode("id")
        let v = try f.db.queryFirst("""
            INSERT INTO variants (product_id, position, title, price_minor, inventory_tracked, inventory_quantity, inventory_policy)
            VALUES (\(productId), 1, \(variantTitle), \(priceMinor), \(tracked), \(stock), \(policy)) RETURNING id
            """)!
        return CartProduct(productId: productId, variantId: try v.decode("id"))
    }

    func setPrice(_ f: StoreFixture, _ minor: Int64) throws {
        _ = try f.db.execute("UPDATE variants SET price_minor = \(minor) WHERE id = \(variantId)")
    }

    func setStock(_ f: StoreFixture, _ quantity: Int) throws {
        _ = try f.db.execute("UPDATE variants SET inventory_quantity = \(quantity) WHERE id = \(variantId)")
    }

    func setStatus(_ f: StoreFixture, _ status: String) throws {
        _ = try f.db.execute("UPDATE products SET status = \(status) WHERE id = \(productId)")
    }
}

@Suite("Carts: adding and the re-check of price, stock and availability")
struct CartRecheckTests {
    @Test("adding sums quantities, totals are integer minor units")
    func addAndTotals() throws {
        try StoreFixture.run("cart-add") { f in
            let mug = try CartProduct.make(f, title: "Mug", priceMinor: 1_250)
            let tee = try CartProduct.make(f, title: "Tee", priceMinor: 2_000, variantTitle: "M / Red")
            let (token, _) = try Carts.create(f.db, currency: "USD")
            _ = try Carts.add(f.db, token: token, variantId: mug.variantId, quantity: 1)
            _ = try Carts.add(f.db, token: token, variantId: mug.variantId, quantity: 2)
            let c = try Carts.add(f.db, token: token, variantId: tee.variantId, quantity: 1)
            #expect(c.lines.map(\.variantId) == [mug.variantId, tee.variantId])
            #expect(c.line(variantId: mug.variantId)?.quantity == 3)
            #expect(c.line(variantId: mug.variantId)?.lineTotalMinor == 3_750)
            #expect(c.subtotalMinor == 5_750)
            #expect(c.itemCount == 4)
            #expect(c.notices.isEmpty)
            #expect(c.line(variantId: tee.variantId)?.displayName == "Tee – M / Red")
            #expect(try Carts.open(f.db, token: token)?.subtotalMinor == 5_750)
            #expect(try Carts.open(f.db, token: "not-a-real-token") == nil)
        }
    }

    @Test("the cookie token is not stored; only its SHA-256")
    func tokenIsHashed() throws {
        try StoreFixture.run("cart-hash") { f in
            let (token, id) = try Carts.create(f.db, currency: "USD")
            let row = try f.db.queryFirst("SELECT token_hash FROM carts WHERE id = \(id)")!
            let stored: [UInt8] = try row.decode("token_hash")
            #expect(stored == Carts.tokenHash(token))
            #expect(stored.count == 32)
            #expect(Array(token.utf8) != stored)
        }
    }

    @Test("a price change updates the cart and says so")
    func priceChange() throws {
        try StoreFixture.run("cart-price") { f in
            let mug = try CartProduct.make(f, title: "Mug", priceMinor: 1_000)
            let (token, _) = try Carts.create(f.db, currency: "USD")
            _ = try Carts.add(f.db, token: token, variantId: mug.variantId, quantity: 2)
            try mug.setPrice(f, 1_200)
            let c = try #require(try Carts.open(f.db, token: token))
            #expect(c.notices.map(\.message) == ["The price of Mug changed from $10.00 to $12.00."])
            #expect(c.notices.first?.kind == .priceChanged)
            #expect(c.subtotalMinor == 2_400)
            // Said once: the cart now holds the new price.
            #expect(try Carts.open(f.db, token: token)?.notices.isEmpty == true)
        }
    }

    @Test("stock below the cart's quantity lowers it; sold out removes the line")
    func stockLoweredAndSoldOut() throws {
        try StoreFixture.run("cart-stock") { f in
            let mug = try CartProduct.make(f, title: "Mug", priceMinor: 1_000, stock: 10)
            let cap = try CartProduct.make(f, title: "Cap", priceMinor: 500, stock: 10)
            let (token, _) = try Carts.create(f.db, currency: "USD")
            _ = try Carts.add(f.db, token: token, variantId: mug.variantId, quantity: 5)
            _ = try Carts.add(f.db, token: token, variantId: cap.variantId, quantity: 1)
            try mug.setStock(f, 3)
            try cap.setStock(f, 0)
            let c = try #require(try Carts.open(f.db, token: token))
            #expect(c.lines.map(\.variantId) == [mug.variantId])
            #expect(c.line(variantId: mug.variantId)?.quantity == 3)
            #expect(c.notices.map(\.kind) == [.quantityLowered, .soldOut])
            #expect(c.notices[0].message == "Only 3 of Mug are left; we changed the quantity in your cart.")
            #expect(c.notices[1].message == "Cap is sold out and was removed from your cart.")
            #expect(try f.count("SELECT count(*) FROM cart_items WHERE cart_id = \(c.id)") == 1)
        }
    }

    @Test("untracked and keep-selling variants are never capped")
    func unlimitedStock() throws {
        try StoreFixture.run("cart-unlimited") { f in
            let print = try CartProduct.make(f, title: "Print", priceMinor: 100, stock: 0, tracked: false)
            let preorder = try CartProduct.make(f, title: "Preorder", priceMinor: 100, stock: 0, policy: "continue")
            let (token, _) = try Carts.create(f.db, currency: "USD")
            _ = try Carts.add(f.db, token: token, variantId: print.variantId, quantity: 50)
            let c = try Carts.add(f.db, token: token, variantId: preorder.variantId, quantity: 20)
            #expect(c.itemCount == 70)
            #expect(c.lines.allSatisfy { $0.available == nil })
            #expect(c.notices.isEmpty)
        }
    }

    @Test("a product taken off sale leaves the cart with a notice")
    func unpublished() throws {
        try StoreFixture.run("cart-draft") { f in
            let mug = try CartProduct.make(f, title: "Mug", priceMinor: 1_000)
            let (token, _) = try Carts.create(f.db, currency: "USD")
            _ = try Carts.add(f.db, token: token, variantId: mug.variantId, quantity: 1)
            try mug.setStatus(f, "draft")
            let c = try #require(try Carts.open(f.db, token: token))
            #expect(c.lines.isEmpty)
            #expect(c.notices.map(\.kind) == [.unavailable])
            #expect(c.notices.first?.message == "Mug is no longer available and was removed from your cart.")

            // Scheduled for later: not for sale yet.
            let soon = try CartProduct.make(f, title: "Soon", priceMinor: 1_000)
            _ = try f.db.execute("UPDATE products SET published_at = now() + interval '1 day' WHERE id = \(soon.productId)")
            #expect(throws: CartError.unavailable(title: "Soon")) { try Carts.add(f.db, token: token, variantId: soon.variantId, quantity: 1) }
        }
    }

    @Test("refused adds change nothing and say why")
    func refusedAdds() throws {
        try StoreFixture.run("cart-refuse") { f in
            let draft = try CartProduct.make(f, title: "Draft", priceMinor: 1_000, status: "draft")
            let gone = try CartProduct.make(f, title: "Gone", priceMinor: 1_000, stock: 0)
            let mug = try CartProduct.make(f, title: "Mug", priceMinor: 1_000)
            let (token, id) = try Carts.create(f.db, currency: "USD")
            #expect(throws: CartError.unknownVariant) { try Carts.add(f.db, token: token, variantId: 999_999_999, quantity: 1) }
            #expect(throws: CartError.unavailable(title: "Draft")) { try Carts.add(f.db, token: token, variantId: draft.variantId, quantity: 1) }
            #expect(throws: CartError.soldOut(title: "Gone")) { try Carts.add(f.db, token: token, variantId: gone.variantId, quantity: 1) }
            #expect(throws: CartError.quantityOutOfRange) { try Carts.add(f.db, token: token, variantId: mug.variantId, quantity: 0) }
            #expect(throws: CartError.quantityOutOfRange) { try Carts.add(f.db, token: token, variantId: mug.variantId, quantity: 10_001) }
            #expect(throws: CartError.cartNotFound) { try Carts.add(f.db, token: "nope", variantId: mug.variantId, quantity: 1) }
            #expect(try f.count("SELECT count(*) FROM cart_items WHERE cart_id = \(id)") == 0)
        }
    }

    @Test("adding more than is in stock takes what is left, with a notice")
    func addCappedAtStock() throws {
        try StoreFixture.run("cart-cap") { f in
            let mug = try CartProduct.make(f, title: "Mug", priceMinor: 1_000, stock: 4)
            let (token, _) = try Carts.create(f.db, currency: "USD")
            let c = try Carts.add(f.db, token: token, variantId: mug.variantId, quantity: 9)
            #expect(c.line(variantId: mug.variantId)?.quantity == 4)
            #expect(c.notices.map(\.message) == ["Only 4 of Mug are left; we changed the quantity in your cart."])
        }
    }

    @Test("set quantity, remove, update all at once, clear")
    func changes() throws {
        try StoreFixture.run("cart-change") { f in
            let mug = try CartProduct.make(f, title: "Mug", priceMinor: 1_000, stock: 6)
            let cap = try CartProduct.make(f, title: "Cap", priceMinor: 500)
            let (token, _) = try Carts.create(f.db, currency: "USD")
            _ = try Carts.add(f.db, token: token, variantId: mug.variantId, quantity: 1)
            _ = try Carts.add(f.db, token: token, variantId: cap.variantId, quantity: 1)

            var c = try Carts.setQuantity(f.db, token: token, variantId: mug.variantId, quantity: 8)
            #expect(c.line(variantId: mug.variantId)?.quantity == 6)
            #expect(c.notices.map(\.kind) == [.quantityLowered])

            c = try Carts.update(f.db, token: token, quantities: [mug.variantId: 2, cap.variantId: 0], note: "Gift wrap")
            #expect(c.lines.map(\.variantId) == [mug.variantId])
            #expect(c.note == "Gift wrap")
            #expect(c.subtotalMinor == 2_000)

            #expect(throws: CartError.quantityOutOfRange) {
                try Carts.update(f.db, token: token, quantities: [mug.variantId: 1, cap.variantId: -1], note: "x")
            }
            #expect(try Carts.open(f.db, token: token)?.note == "Gift wrap")
            c = try Carts.update(f.db, token: token, quantities: [:], note: "Ring\u{0} twice\r\nthanks")
            #expect(c.note == "Ring twice\nthanks")
            c = try Carts.update(f.db, token: token, quantities: [:], note: "Gift wrap")
            #expect(throws: CartError.lineNotFound) { try Carts.setQuantity(f.db, token: token, variantId: cap.variantId, quantity: 1) }

            c = try Carts.remove(f.db, token: token, variantId: mug.variantId)
            #expect(c.isEmpty)
            _ = try Carts.add(f.db, token: token, variantId: cap.variantId, quantity: 3)
            c = try Carts.clear(f.db, token: token)
            #expect(c.isEmpty && c.itemCount == 0)
        }
    }

    @Test("a converted cart is no longer open")
    func convertedIsClosed() throws {
        try StoreFixture.run("cart-closed") { f in
            let (token, id) = try Carts.create(f.db, currency: "USD")
            _ = try f.db.execute("UPDATE carts SET status = 'converted' WHERE id = \(id)")
            #expect(try Carts.open(f.db, token: token) == nil)
        }
    }

    @Test("money in notices")
    func money() {
        #expect(CartMoney.format(1_205, currency: "USD") == "$12.05")
        #expect(CartMoney.format(5, currency: "EUR") == "€0,05")
        #expect(CartMoney.format(1_200, currency: "JPY") == "¥1200")
        #expect(CartMoney.format(99_900, currency: "SEK") == "999,00 kr")
        #expect(CartMoney.format(100, currency: "XYZ") == "1.00 XYZ")
    }
}
