import Foundation
import HTTP
import Postgres
import Registry
import Testing
@testable import App

@Suite("Unpaid card orders: the stock hold and its expiry job")
struct OrderHoldExpiryJobTests {
    @Test("a card order holds stock; the job cancels it once the hold ran out and returns the stock; a paid one is left alone")
    func expiry() throws {
        guard let stack = try AppStack.required() else { return }
        let store = try CheckoutStore(stack, prefix: "co-hold")
        let cardId: Int64 = try store.db.queryFirst("""
            INSERT INTO payment_providers (kind, name, enabled, stripe_account_id, charges_enabled, position)
            VALUES ('stripe', 'Card', true, \("acct_" + store.shop.store.slug.filter { $0.isLetter || $0.isNumber }), true, 0)
            RETURNING id
            """)!.decode("id")
        let lamp = try store.shop.product("Brass Lamp", priceMinor: 9_000, stock: 4)

        func buyByCard() throws -> String {
            let browser = store.shop.shopper()
            let page = try store.toPayment(browser, variantId: lamp.variantId)
            let key = try #require(CheckoutStore.key(in: page))
            let placed = try browser.post("/checkout/complete", [("idempotency_key", key), ("payment_method", String(cardId))])
            let location = try #require(placed.headers["Location"])
            #expect(location.hasPrefix("/checkout/pay/"))
            return String(location.dropFirst("/checkout/pay/".count))
        }
        let unpaid = try buyByCard(), paid = try buyByCard()
        #expect(try store.stock(lamp.variantId) == 2)
        let held = try store.db.queryFirst("""
            SELECT id, extract(epoch FROM reserved_until - created_at)::int AS hold FROM orders WHERE public_token = \(unpaid)
            """)!
        let unpaidId: Int64 = try held.decode("id")
        #expect(try held.decode("hold", as: Int.self) == 30 * 60)
        let paidId: Int64 = try store.db.queryFirst("SELECT id FROM orders WHERE public_token = \(paid)")!.decode("id")
        #expect(try store.db.queryFirst("SELECT count(*) AS n FROM outbox WHERE topic = 'orders.expire_hold'")!.decode("n", as: Int.self) == 2)

        // Too early: nothing changes, and the next look is queued for when the hold ends — also
        // while another look at the order waits to run before then (the relay's, not yet run).
        let registry = try stack.ownerConnection()
        let payload = JSON(rawText: "{\"order_id\":\(unpaidId)}")
        let pending = try JobQueue.enqueue(registry, kind: OrderHoldExpiryJob.kind, payload: payload,
                                           storeId: store.shop.store.storeId, runAt: Date().addingTimeInterval(600))
        defer { _ = try? registry.execute("DELETE FROM jobs WHERE id = \(pending)") }
        let early = try OrderHoldExpiryJob.run(payload, storeId: store.shop.store.storeId, db: store.db, registry: registry)
        guard case .notYet = early.outcome else { Issue.record("touched an order inside its hold: \(early)"); return }
        let later = try registry.queryFirst("""
            SELECT count(*) AS n FROM jobs WHERE kind = 'orders.expire_hold' AND store_id = \(store.shop.store.storeId)
              AND run_at > now() + interval '29 minutes' AND payload->>'order_id' = \(String(unpaidId))
            """)!.decode("n", as: Int.self)
        #expect(later == 1)

        // The hold ran out for both; one of them was paid meanwhile.
        try store.db.execute("UPDATE orders SET reserved_until = now() - interval '1 minute'")
        try store.db.execute("UPDATE orders SET financial_status = 'paid', paid_at = now() WHERE id = \(paidId)")
        let due = try OrderHoldExpiryJob.run(payload, storeId: store.shop.store.storeId, db: store.db, registry: registry)
        #expect(due.outcome == .cancelled)
        let again = try OrderHoldExpiryJob.run(payload, storeId: store.shop.store.storeId, db: store.db, registry: registry)
        #expect(again.outcome == .untouched)
        let paidRun = try OrderHoldExpiryJob.run(JSON(rawText: "{\"order_id\":\(paidId)}"), storeId: store.shop.store.storeId,
                                                 db: store.db, registry: registry)
        #expect(paidRun.outcome == .untouched)

        #expect(try store.stock(lamp.variantId) == 3)
        let rows = try store.db.query("SELECT id, status, cancel_reason FROM orders ORDER BY id")
        #expect(try rows.map { try $0.decode("status", as: String.self) } == ["cancelled", "open"])
        #expect(try rows[0].decode("cancel_reason", as: String?.self) == "payment_expired")

        // The buyer's status page says so.
        let page = try store.shop.shopper().get("/orders/" + unpaid).text
        #expect(page.contains("This order was cancelled"))
        #expect(page.contains("payment not received in time"))
    }
}
