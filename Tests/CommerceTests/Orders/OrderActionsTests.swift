import Foundation
import Postgres
import Testing
@testable import Commerce

/// The order actions on a real store database: cancellation (stock back once), refunds through a
/// gateway (its failure records nothing; its refund id is kept), fulfilment limits.
@Suite("Orders: cancel, refund, fulfil")
struct OrderActionsTests {
    /// A tracked variant with `stock` units, and an order of `quantity` of it with the stock taken.
    static func order(_ store: StoreFixture, stock: Int, quantity: Int32, priceMinor: Int64 = 1000, paid: Bool,
                      reference: String? = nil) throws -> (order: Int64, variant: Int64, item: Int64) {
        let product = try ProductAdmin.create(ProductInput(title: "Thing \(UUID().uuidString.prefix(6))", status: .active,
                                                           variants: [VariantInput(priceMinor: priceMinor, inventoryQuantity: stock)]),
                                              by: store.actor, on: store.db)
        let variant: Int64 = try store.db.queryFirst("SELECT id FROM variants WHERE product_id = \(product)")!.decode("id")
        let total = priceMinor * Int64(quantity)
        let order: Int64 = try store.db.queryFirst("""
            INSERT INTO orders (email, currency, subtotal_minor, total_minor, financial_status)
            VALUES ('t@example.com', 'USD', \(total), \(total), \(paid ? "paid" : "pending")) RETURNING id
            """)!.decode("id")
        let item: Int64 = try store.db.queryFirst("""
            INSERT INTO order_items (order_id, variant_id, title, quantity, unit_price_minor)
            VALUES (\(order), \(variant), 'Thing', \(quantity), \(priceMinor)) RETURNING id
            """)!.decode("id")
        try store.db.execute("UPDATE variants SET inventory_quantity = inventory_quantity - \(quantity) WHERE id = \(variant)")
        try store.db.execute("""
            INSERT INTO payments (order_id, provider_kind, provider_reference, amount_minor, currency, status, succeeded_at)
            VALUES (\(order), \(reference == nil ? "bank_transfer" : "stripe"), \(reference), \(total), 'USD',
                    \(paid ? "succeeded" : "pending"), \(paid ? "now" : nil)::timestamptz)
            """)
        return (order, variant, item)
    }

    static func stock(_ store: StoreFixture, _ variant: Int64) throws -> Int32 {
        try store.db.queryFirst("SELECT inventory_quantity FROM variants WHERE id = \(variant)")!.decode("inventory_quantity")
    }

    @Test("cancel returns each unit once, even when a refund restocked some already")
    func cancelAfterRestock() throws {
        try StoreFixture.run("ord-cxl") { store in
            let o = try Self.order(store, stock: 10, quantity: 4, paid: true)
            _ = try OrderRefunds.refund(store.db, orderId: o.order, RefundInput(quantities: [o.item: 1], restock: true),
                                        gateway: { _ in nil }, by: store.actor)
            #expect(try Self.stock(store, o.variant) == 7)
            #expect(try OrderCancellation.cancel(store.db, orderId: o.order, reason: "other", actor: "system"))
            #expect(try Self.stock(store, o.variant) == 10)
            #expect(try OrderCancellation.cancel(store.db, orderId: o.order, reason: "other", actor: "system") == false)
            #expect(try Self.stock(store, o.variant) == 10)
            // Paid: stays paid (partially refunded), the merchant refunds the rest.
            #expect(try store.db.queryFirst("SELECT financial_status FROM orders WHERE id = \(o.order)")!.decode("financial_status", as: String.self) == "partially_refunded")
            #expect(throws: OrderActionError.self) { try OrderCancellation.cancel(store.db, orderId: o.order, reason: "whim", actor: "system") }
        }
    }

    struct FailingGateway: RefundGateway {
        struct Declined: Error, CustomStringConvertible { var description: String { "charge_already_refunded" } }
        func refund(paymentReference: String, amountMinor: Int64, idempotencyKey: String) throws -> String { throw Declined() }
    }

    final class RecordingGateway: RefundGateway, @unchecked Sendable {
        var calls: [(String, Int64, String)] = []
        func refund(paymentReference: String, amountMinor: Int64, idempotencyKey: String) throws -> String {
            calls.append((paymentReference, amountMinor, idempotencyKey))
            return "re_test_\(calls.count)"
        }
    }

    @Test("a refused card refund records nothing; an accepted one keeps the provider's refund id")
    func gatewayRefunds() throws {
        try StoreFixture.run("ord-gw") { store in
            let o = try Self.order(store, stock: 5, quantity: 2, paid: true, reference: "pi_123")
            #expect {
                try OrderRefunds.refund(store.db, orderId: o.order, RefundInput(quantities: [o.item: 1], restock: true),
                                        gateway: { _ in FailingGateway() }, by: store.actor)
            } throws: { ($0 as? OrderActionError)?.code == .gateway && "\($0)".contains("charge_already_refunded") }
            #expect(try store.count("SELECT count(*) FROM refunds") == 0)
            #expect(try store.count("SELECT refunded_quantity FROM order_items") == 0)
            #expect(try Self.stock(store, o.variant) == 3)

            let gateway = RecordingGateway()
            let result = try OrderRefunds.refund(store.db, orderId: o.order, RefundInput(quantities: [o.item: 1]),
                                                 gateway: { kind in kind == "stripe" ? gateway : nil }, by: store.actor)
            #expect(result.amountMinor == 1000 && result.providerReference == "re_test_1")
            #expect(gateway.calls.count == 1 && gateway.calls[0].0 == "pi_123" && gateway.calls[0].1 == 1000)
            #expect(try store.db.queryFirst("SELECT provider_reference FROM refunds")!.decode("provider_reference", as: String.self) == "re_test_1")
            #expect(try Self.stock(store, o.variant) == 3)   // no restock asked
        }
    }

    @Test("fulfilment refuses a cancelled order and counts refunded units as not to ship")
    func fulfilLimits() throws {
        try StoreFixture.run("ord-ful") { store in
            let o = try Self.order(store, stock: 5, quantity: 3, paid: true)
            _ = try OrderRefunds.refund(store.db, orderId: o.order, RefundInput(quantities: [o.item: 1]), gateway: { _ in nil }, by: store.actor)
            #expect(throws: OrderActionError.self) {
                try OrderFulfillment.fulfil(store.db, orderId: o.order, FulfillmentInput(quantities: [o.item: 3], carrier: "UPS", trackingNumber: ""), by: store.actor)
            }
            let done = try OrderFulfillment.fulfil(store.db, orderId: o.order,
                                                   FulfillmentInput(quantities: [o.item: 2], carrier: "USPS", trackingNumber: "9400"), by: store.actor)
            #expect(done.fulfillmentStatus == "fulfilled")
            #expect(done.trackingURL == "https://tools.usps.com/go/TrackConfirmAction?tLabels=9400")

            let pending = try Self.order(store, stock: 5, quantity: 1, paid: false)
            _ = try OrderCancellation.cancel(store.db, orderId: pending.order, reason: "customer", actor: "system")
            #expect {
                try OrderFulfillment.fulfil(store.db, orderId: pending.order, FulfillmentInput(quantities: [pending.item: 1], carrier: "UPS", trackingNumber: ""), by: store.actor)
            } throws: { ($0 as? OrderActionError)?.code == .notAllowed }
        }
    }
    @Test("the dashboard's sales follow refunds and cancellations made here")
    func salesReportAgrees() throws {
        try StoreFixture.run("ord-sales") { store in
            let kept = try Self.order(store, stock: 10, quantity: 3, priceMinor: 1000, paid: true)
            let refunded = try Self.order(store, stock: 10, quantity: 1, priceMinor: 700, paid: true)
            let unpaid = try Self.order(store, stock: 10, quantity: 1, priceMinor: 400, paid: false)
            #expect(try SalesReport.load(on: store.db, timezone: "UTC").today.netSalesMinor == 3700)
            _ = try OrderRefunds.refund(store.db, orderId: kept.order, RefundInput(quantities: [kept.item: 1], restock: true),
                                        gateway: { _ in nil }, by: store.actor)
            _ = try OrderRefunds.refund(store.db, orderId: refunded.order, RefundInput(full: true), gateway: { _ in nil }, by: store.actor)
            _ = try OrderCancellation.cancel(store.db, orderId: unpaid.order, reason: "customer", actor: "system")
            let today = try SalesReport.load(on: store.db, timezone: "UTC").today
            #expect(today.netSalesMinor == 2000)     // 3000 − 1000; the full refund nets 0; unpaid never counted
            #expect(try OrderRecord.load(id: kept.order, on: store.db)?.netMinor == 2000)
        }
    }
    final class Outcome: @unchecked Sendable {
        let lock = NSLock()
        var value: Result<Bool, any Error>?
        func set(_ r: Result<Bool, any Error>) { lock.lock(); value = r; lock.unlock() }
        func get() -> Result<Bool, any Error>? { lock.lock(); defer { lock.unlock() }; return value }
    }

    @Test("two cancellations at once (the expiry job and the merchant) return the stock once")
    func concurrentCancel() throws {
        try StoreFixture.run("ord-race") { store in
            let o = try Self.order(store, stock: 10, quantity: 4, paid: false)
            let first = try Connection(url: store.url)
            let outcome = Outcome()
            let done = DispatchSemaphore(value: 0)
            let url = store.url, orderId = o.order
            var firstCancelled = false
            let early = try first.transaction { (db: Connection) throws -> DispatchTimeoutResult in
                firstCancelled = try OrderCancellation.cancel(db, orderId: orderId, reason: "customer", actor: "user:1")
                // The second waits on the order's row lock until this transaction commits.
                Thread.detachNewThread {
                    outcome.set(Result { try OrderCancellation.cancel(try Connection(url: url), orderId: orderId, reason: "payment_expired", actor: "system") })
                    done.signal()
                }
                return done.wait(timeout: .now() + 0.5)
            }
            #expect(firstCancelled)
            #expect(early == .timedOut, "finished before the first committed: \(String(describing: outcome.get()))")
            if early == .timedOut { #expect(done.wait(timeout: .now() + 10) == .success) }
            #expect(try outcome.get()?.get() == false)
            #expect(try Self.stock(store, o.variant) == 10)
            #expect(try store.count("SELECT count(*) FROM inventory_movements WHERE reason = 'order_cancelled' AND order_id = \(o.order)") == 1)
        }
    }
}
