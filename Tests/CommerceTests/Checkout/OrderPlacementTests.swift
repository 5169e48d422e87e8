import Crypto
import Foundation
import Postgres
import Testing
@testable import Commerce

@Suite("Order placement")
struct OrderPlacementTests {
    @Test("placing an order takes the stock, snapshots the lines, converts the cart and records a guest")
    func placesOrder() throws {
        try StoreFixture.run("place") { store in
            let mug = try store.checkoutVariant(title: "Blue Mug", priceMinor: 1800, stock: 10, sku: "MUG-1")
            let tee = try store.checkoutVariant(title: "Plain Tee", priceMinor: 2500, stock: 0, tracked: false)
            let cart = try store.checkoutCart([(mug, 2), (tee, 1)])
            let order = try OrderPlacement.place(store.db, checkoutDraft(cart: cart, lines: [(mug, 2, 1800), (tee, 1, 2500)],
                                                                         email: "Ada@Example.com"))
            #expect(order.isNew)
            #expect(order.publicToken.count >= 20)
            #expect(try store.stock(mug) == 8)
            #expect(try store.stock(tee) == 0)   // untracked: never counted down
            let row = try store.db.queryFirst("""
                SELECT total_minor, subtotal_minor, shipping_minor, status, financial_status, reserved_until,
                       shipping_address->>'city' AS city, customer_id, number
                FROM orders WHERE id = \(order.id)
                """)!
            #expect(try row.decode("total_minor", as: Int64.self) == 2 * 1800 + 2500 + 500)
            #expect(try row.decode("city", as: String.self) == "Springfield")
            #expect(try row.decode("reserved_until", as: Date?.self) == nil)
            #expect(try row.decode("number", as: Int64.self) == order.number)
            let items = try store.db.query("SELECT title, sku, quantity, weight_grams FROM order_items WHERE order_id = \(order.id) ORDER BY id")
            #expect(try items.map { try $0.decode("title", as: String.self) } == ["Blue Mug", "Plain Tee"])
            #expect(try items[0].decode("sku", as: String?.self) == "MUG-1")
            #expect(try items[0].decode("weight_grams", as: Int.self) == 250)
            let movement = try store.db.queryFirst("SELECT delta, quantity_after, reason FROM inventory_movements WHERE order_id = \(order.id)")!
            #expect(try movement.decode("delta", as: Int.self) == -2)
            #expect(try movement.decode("quantity_after", as: Int.self) == 8)
            #expect(try movement.decode("reason", as: String.self) == "order")
            let cartRow = try store.db.queryFirst("SELECT status, order_id FROM carts WHERE id = \(cart)")!
            #expect(try cartRow.decode("status", as: String.self) == "converted")
            #expect(try cartRow.decode("order_id", as: Int64?.self) == order.id)
            #expect(try store.count("SELECT count(*) FROM order_events WHERE kind = 'placed'") == 1)
            #expect(try store.count("SELECT count(*) FROM customers WHERE lower(email) = 'ada@example.com' AND password_hash IS NULL") == 1)
            #expect(try store.count("SELECT count(*) FROM outbox WHERE topic = 'orders.expire_hold'") == 0)

            // The receipt the placement returned is the one read back from the database.
            let returned = try #require(order.receipt)
            let stored = try #require(try OrderReceipt.load(store.db, orderId: order.id))
            func summary(_ r: OrderReceipt) -> [String] {
                [String(r.id), String(r.number), r.publicToken, r.email, r.currency, r.status, r.financialStatus,
                 r.fulfillmentStatus, "\(r.subtotalMinor)/\(r.discountMinor)/\(r.shippingMinor)/\(r.taxMinor)/\(r.totalMinor)",
                 String(r.taxesIncluded), r.discountCode ?? "-", r.shippingMethodName ?? "-", r.paymentMethodName ?? "-",
                 r.paymentKind ?? "-", r.paymentInstructions, String(describing: r.shippingAddress),
                 String(describing: r.billingAddress), "\(r.reservedUntil.map { $0.timeIntervalSince1970 } ?? -1)",
                 r.cancelReason ?? "-", String(r.createdAt.timeIntervalSince1970)]
                    + r.lines.map { "\($0.title)|\($0.variantTitle)|\($0.sku ?? "-")|\($0.quantity)|\($0.unitPriceMinor)|\($0.discountMinor)|\($0.taxMinor)|\($0.productHandle ?? "-")" }
            }
            #expect(summary(returned) == summary(stored))
            #expect(returned.lines.count == 2)

            // The same guest again: the customer row is reused, not duplicated.
            let again = try store.checkoutCart([(mug, 1)])
            _ = try OrderPlacement.place(store.db, checkoutDraft(cart: again, lines: [(mug, 1, 1800)], email: "ada@example.com"))
            #expect(try store.count("SELECT count(*) FROM customers") == 1)
        }
    }

    @Test("a sold-out line names the product and writes nothing")
    func soldOut() throws {
        try StoreFixture.run("soldout") { store in
            let lamp = try store.checkoutVariant(title: "Desk Lamp", priceMinor: 4000, stock: 1)
            let mug = try store.checkoutVariant(title: "Mug", priceMinor: 1000, stock: 5)
            let cart = try store.checkoutCart([(lamp, 2), (mug, 1)])
            #expect {
                try OrderPlacement.place(store.db, checkoutDraft(cart: cart, lines: [(lamp, 2, 4000), (mug, 1, 1000)]))
            } throws: { error in
                guard case OrderPlacementError.soldOut(let lines) = error else { return false }
                return lines.map(\.productTitle) == ["Desk Lamp"] && lines[0].available == 1
                    && (error as! OrderPlacementError).description.contains("Only 1 of Desk Lamp is left")
            }
            #expect(try store.stock(lamp) == 1)
            #expect(try store.stock(mug) == 5)
            #expect(try store.count("SELECT count(*) FROM orders") == 0)
            #expect(try store.count("SELECT count(*) FROM customers") == 0)
            #expect(try store.count("SELECT count(*) FROM carts WHERE status = 'open'") == 1)
        }
    }

    @Test("'continue' variants sell past zero; drafts cannot be bought")
    func policies() throws {
        try StoreFixture.run("policy") { store in
            let preorder = try store.checkoutVariant(title: "Preorder", priceMinor: 1000, stock: 0, policy: "continue")
            let cart = try store.checkoutCart([(preorder, 3)])
            _ = try OrderPlacement.place(store.db, checkoutDraft(cart: cart, lines: [(preorder, 3, 1000)]))
            #expect(try store.stock(preorder) == -3)

            let hidden = try store.checkoutVariant(title: "Hidden", priceMinor: 1000, stock: 5)
            try store.db.execute("UPDATE products SET status = 'draft' WHERE id = (SELECT product_id FROM variants WHERE id = \(hidden))")
            let other = try store.checkoutCart([(hidden, 1)])
            #expect(throws: OrderPlacementError.unavailable(["Hidden"])) {
                try OrderPlacement.place(store.db, checkoutDraft(cart: other, lines: [(hidden, 1, 1000)]))
            }
        }
    }

    @Test("a second submit with the same key, or of a converted cart, returns the first order")
    func idempotent() throws {
        try StoreFixture.run("idem") { store in
            let mug = try store.checkoutVariant(title: "Mug", priceMinor: 1000, stock: 5)
            let cart = try store.checkoutCart([(mug, 1)])
            let draft = checkoutDraft(cart: cart, lines: [(mug, 1, 1000)], key: "key-1")
            let first = try OrderPlacement.place(store.db, draft)
            let second = try OrderPlacement.place(store.db, draft)
            var reloaded = draft
            reloaded.idempotencyKey = "key-2"   // a reloaded review page made a new key
            let third = try OrderPlacement.place(store.db, reloaded)
            #expect(second.id == first.id && !second.isNew)
            #expect(third.id == first.id && third.publicToken == first.publicToken)
            #expect(try store.count("SELECT count(*) FROM orders") == 1)
            #expect(try store.stock(mug) == 4)
        }
    }

    @Test("20 buyers on their own connections for the last 5 units: exactly 5 orders")
    func race() throws {
        try StoreFixture.run("race") { store in
            let lamp = try store.checkoutVariant(title: "Last Lamp", priceMinor: 4000, stock: 5)
            let buyers = 20
            let carts = try (0..<buyers).map { _ in try store.checkoutCart([(lamp, 1)]) }
            let results = RaceResults()
            let url = store.url
            DispatchQueue.concurrentPerform(iterations: buyers) { n in
                do {
                    let db = try Connection(url: url)
                    defer { db.close() }
                    _ = try OrderPlacement.place(db, checkoutDraft(cart: carts[n], lines: [(lamp, 1, 4000)], email: "b\(n)@example.com"))
                    results.add("ok")
                } catch OrderPlacementError.soldOut {
                    results.add("sold out")
                } catch {
                    results.add("error: \(error)")
                }
            }
            #expect(results.count("ok") == 5)
            #expect(results.count("sold out") == 15)
            #expect(try store.stock(lamp) == 0)
            #expect(try store.count("SELECT count(*) FROM orders") == 5)
            #expect(try store.count("SELECT coalesce(sum(-delta), 0) FROM inventory_movements WHERE reason = 'order'") == 5)
        }
    }

    @Test("a card order holds its stock until the hold runs out; the expiry cancels only unpaid orders")
    func holdExpiry() throws {
        try StoreFixture.run("hold") { store in
            let mug = try store.checkoutVariant(title: "Mug", priceMinor: 1000, stock: 3)
            let unpaid = try OrderPlacement.place(store.db, checkoutDraft(cart: try store.checkoutCart([(mug, 1)]),
                                                                          lines: [(mug, 1, 1000)], card: true))
            let paid = try OrderPlacement.place(store.db, checkoutDraft(cart: try store.checkoutCart([(mug, 1)]),
                                                                        lines: [(mug, 1, 1000)], card: true))
            #expect(unpaid.holdsStock)
            #expect(try store.count("SELECT count(*) FROM outbox WHERE topic = 'orders.expire_hold'") == 2)
            let minutes = try store.db.queryFirst("""
                SELECT round(extract(epoch FROM reserved_until - created_at) / 60)::int AS m FROM orders WHERE id = \(unpaid.id)
                """)!.decode("m", as: Int.self)
            #expect(minutes == 30)

            // Not due yet: nothing happens.
            guard case .notYet = try OrderHoldExpiry.expire(store.db, orderId: unpaid.id) else {
                Issue.record("an order inside its hold was touched"); return
            }
            try store.db.execute("UPDATE orders SET reserved_until = now() - interval '1 minute'")
            try store.db.execute("UPDATE orders SET financial_status = 'paid', paid_at = now() WHERE id = \(paid.id)")
            #expect(try OrderHoldExpiry.due(store.db) == [unpaid.id])
            #expect(try OrderHoldExpiry.expire(store.db, orderId: unpaid.id) == .cancelled)
            #expect(try OrderHoldExpiry.expire(store.db, orderId: unpaid.id) == .untouched)
            #expect(try OrderHoldExpiry.expire(store.db, orderId: paid.id) == .untouched)
            #expect(try store.stock(mug) == 2)
            #expect(try store.db.queryFirst("SELECT status FROM orders WHERE id = \(paid.id)")!.decode("status", as: String.self) == "open")
            let cancelled = try store.db.queryFirst("SELECT status, cancel_reason FROM orders WHERE id = \(unpaid.id)")!
            #expect(try cancelled.decode("status", as: String.self) == "cancelled")
            #expect(try cancelled.decode("cancel_reason", as: String?.self) == "payment_expired")
        }
    }
}

/// Outcomes collected from concurrent buyers.
final class RaceResults: @unchecked Sendable {
    private let lock = NSLock()
    private var outcomes: [String] = []

    func add(_ outcome: String) { lock.lock(); outcomes.append(outcome); lock.unlock() }
    func count(_ outcome: String) -> Int { lock.lock(); defer { lock.unlock() }; return outcomes.filter { $0 == outcome }.count }
    var all: [String] { lock.lock(); defer { lock.unlock() }; return outcomes }
}
