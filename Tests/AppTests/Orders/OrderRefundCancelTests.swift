import Commerce
import Foundation
import HTTP
import Postgres
import Registry
import Testing
@testable import App

/// Refunds, cancellation, who may act, and CSRF on the orders admin.
@Suite("Store admin: refunds and cancellation")
struct OrderRefundCancelTests {
    @Test("a partial refund by units restocks; an over-refund is refused and changes nothing; a full refund closes it")
    func refunds() throws {
        guard let shop = try OrdersAdminTests.shop("ord-refund") else { return }
        let f = shop.fixture
        let apron = try f.variant("Apron", priceMinor: 2000, stock: 10)
        let buyer = OrdersAdminTests.email("refund")
        let order = try f.order(email: buyer, lines: [.init(title: "Apron", variantId: apron, quantity: 2, unitPriceMinor: 2000)],
                                shippingMinor: 1000, paid: true)
        #expect(try f.stock(apron) == 8)
        let item: Int64 = try f.value("SELECT id FROM order_items WHERE order_id = \(order.id)")
        let url = shop.admin + "/orders/\(order.number)"

        let partial = try shop.client.post(url + "/refund", [("qty_\(item)", "1"), ("restock", "1"), ("amount", ""), ("reason", "Damaged"),
                                                              ("notify", "1")])
        #expect(partial.status == .seeOther)
        #expect(try f.value("SELECT refunded_minor FROM orders WHERE id = \(order.id)", Int64.self) == 2000)
        #expect(try f.value("SELECT financial_status FROM orders WHERE id = \(order.id)", String.self) == "partially_refunded")
        #expect(try f.value("SELECT refunded_quantity::int FROM order_items WHERE id = \(item)", Int32.self) == 1)
        #expect(try f.stock(apron) == 9)
        #expect(try f.value("SELECT count(*)::int FROM inventory_movements WHERE order_id = \(order.id) AND reason = 'refund_restock'", Int32.self) == 1)
        let page = try shop.client.get(url)
        #expect(page.text.contains("Refunded $20.00. 1 item back in stock. Refund email sent to \(buyer)."))
        #expect(page.text.contains("Refunded 20.00 USD: Damaged. 1 item restocked."))
        #expect(page.text.contains("Partially refunded"))

        // What's left is $30.00: asking for more is refused next to the amount, nothing changes.
        let over = try shop.client.post(url + "/refund", [("amount", "30.01"), ("reason", "")])
        #expect(over.status == .unprocessableContent)
        #expect(over.text.contains("role=\"alert\" id=\"action-error\">You can refund at most 30.00 USD"))
        #expect(over.text.contains("id=\"refund-amount-error\">You can refund at most 30.00 USD"))
        let tooManyUnits = try shop.client.post(url + "/refund", [("qty_\(item)", "2")])
        #expect(tooManyUnits.status == .unprocessableContent)
        #expect(tooManyUnits.text.contains("Only 1 of “Apron” can still be refunded."))
        #expect(try f.value("SELECT refunded_minor FROM orders WHERE id = \(order.id)", Int64.self) == 2000)
        #expect(try f.value("SELECT count(*)::int FROM refunds WHERE order_id = \(order.id)", Int32.self) == 1)

        let full = try shop.client.post(url + "/refund", [("full", "1"), ("restock", "1")])
        #expect(full.status == .seeOther)
        #expect(try f.value("SELECT refunded_minor FROM orders WHERE id = \(order.id)", Int64.self) == 5000)
        #expect(try f.value("SELECT financial_status FROM orders WHERE id = \(order.id)", String.self) == "refunded")
        #expect(try f.value("SELECT sum(amount_minor)::bigint FROM refunds WHERE order_id = \(order.id) AND status = 'succeeded'", Int64.self) == 5000)
        #expect(try f.stock(apron) == 10)
        #expect(try f.value("SELECT count(*)::int FROM audit_log WHERE action = 'order.refund'", Int32.self) == 2)

        let more = try shop.client.post(url + "/refund", [("amount", "1.00")])
        #expect(more.status == .conflict)
        #expect(more.text.contains("already been refunded in full"))

        // The customer was told about the refund that asked for it.
        let mails = try OrdersAdminTests.caughtMail(shop.base.stack, to: buyer, count: 1, seconds: 30)
        #expect(mails.count == 1)
        let mail = try #require(mails.first)
        #expect(mail.entry.subject == "A refund of $20.00 for your Olive’s Oils order #\(order.number)")
        #expect(mail.header("X-Storefleet-Kind") == "refund_notification")
        #expect(mail.text?.contains("Olive’s Oils has refunded $20.00 for your order #\(order.number): Damaged") == true)
        #expect(mail.text?.contains("Refunded so far: $20.00.") == true)

        // An unpaid order has nothing to refund.
        let unpaid = try f.order(email: "u@example.com", lines: [.init(title: "Apron", variantId: apron, quantity: 1, unitPriceMinor: 2000)])
        let refused = try shop.client.post(shop.admin + "/orders/\(unpaid.number)/refund", [("amount", "5")])
        #expect(refused.status == .conflict)
        #expect(refused.text.contains("Nothing was paid for this order"))
    }

    @Test("cancelling returns the stock once, voids the pending payment, and a fulfilled order cannot be cancelled")
    func cancel() throws {
        guard let shop = try OrdersAdminTests.shop("ord-cancel") else { return }
        let f = shop.fixture
        let tea = try f.variant("Tea", priceMinor: 800, stock: 10)
        let cup = try f.variant("Cup", priceMinor: 1500, stock: 4)
        let order = try f.order(email: "c@example.com", lines: [.init(title: "Tea", variantId: tea, quantity: 3, unitPriceMinor: 800),
                                                               .init(title: "Cup", variantId: cup, quantity: 1, unitPriceMinor: 1500)])
        #expect(try f.stock(tea) == 7 && f.stock(cup) == 3)
        let url = shop.admin + "/orders/\(order.number)"
        let cancelled = try shop.client.post(url + "/cancel", [("reason", "customer")])
        #expect(cancelled.status == .seeOther)
        #expect(try f.stock(tea) == 10 && f.stock(cup) == 4)
        let row = try shop.db.queryFirst("SELECT status, financial_status, cancel_reason, cancelled_at IS NOT NULL AS at FROM orders WHERE id = \(order.id)")!
        #expect(try row.decode("status", as: String.self) == "cancelled")
        #expect(try row.decode("financial_status", as: String.self) == "voided")
        #expect(try row.decode("cancel_reason", as: String.self) == "customer")
        #expect(try f.value("SELECT status FROM payments WHERE order_id = \(order.id)", String.self) == "cancelled")
        #expect(try f.value("SELECT count(*)::int FROM inventory_movements WHERE order_id = \(order.id) AND reason = 'order_cancelled'", Int32.self) == 2)
        let page = try shop.client.get(url)
        #expect(page.text.contains("Order cancelled and its items returned to stock."))
        #expect(page.text.contains("4 items returned to stock."))

        // Again (the button twice, or the expiry job afterwards): nothing more moves.
        let twice = try shop.client.post(url + "/cancel", [("reason", "customer")])
        #expect(twice.status == .seeOther)
        #expect(try shop.client.get(twice.headers["Location"]!).text.contains("This order was already cancelled."))
        #expect(try OrderCancellation.cancel(shop.db, orderId: order.id, reason: "payment_expired", actor: "system") == false)
        #expect(try f.stock(tea) == 10 && f.stock(cup) == 4)

        // A bad reason and a fulfilled order are refused.
        let shipped = try f.order(email: "s@example.com", lines: [.init(title: "Tea", variantId: tea, quantity: 1, unitPriceMinor: 800)], paid: true)
        let item: Int64 = try f.value("SELECT id FROM order_items WHERE order_id = \(shipped.id)")
        let badReason = try shop.client.post(shop.admin + "/orders/\(shipped.number)/cancel", [("reason", "bored")])
        #expect(badReason.status == .unprocessableContent)
        _ = try shop.client.post(shop.admin + "/orders/\(shipped.number)/fulfil", [("qty_\(item)", "1"), ("carrier", "Courier")])
        let refused = try shop.client.post(shop.admin + "/orders/\(shipped.number)/cancel", [("reason", "customer")])
        #expect(refused.status == .conflict)
        #expect(refused.text.contains("can no longer be cancelled"))
        #expect(try f.value("SELECT status FROM orders WHERE id = \(shipped.id)", String.self) == "open")
        #expect(try f.stock(tea) == 9)

        // A paid order cancelled by the merchant stays paid and offers the refund.
        let paid = try f.order(email: "p@example.com", lines: [.init(title: "Cup", variantId: cup, quantity: 1, unitPriceMinor: 1500)], paid: true)
        _ = try shop.client.post(shop.admin + "/orders/\(paid.number)/cancel", [("reason", "inventory")])
        #expect(try f.value("SELECT financial_status FROM orders WHERE id = \(paid.id)", String.self) == "paid")
        let paidPage = try shop.client.get(shop.admin + "/orders/\(paid.number)")
        #expect(paidPage.text.contains("has not been refunded: refund it below"))
    }

    @Test("staff may work on orders; another organization gets 403; a POST without the CSRF token changes nothing")
    func access() throws {
        guard let shop = try OrdersAdminTests.shop("ord-access") else { return }
        let f = shop.fixture
        let order = try f.order(email: "a@example.com", lines: [.init(title: "Soap", quantity: 1, unitPriceMinor: 600)])
        let url = shop.admin + "/orders/\(order.number)"

        let staffUser = try shop.base.stack.createUser(name: "Sam Staff")
        try shop.base.stack.addMember(userId: staffUser.userId, orgId: shop.base.owner.orgId, role: "staff")
        let staff = try shop.base.stack.signedInClient(userId: staffUser.userId)
        #expect(try staff.get(shop.admin + "/orders").status == .ok)   // also picks up the CSRF token
        #expect(try staff.get(url).status == .ok)
        #expect(try staff.post(url + "/comment", [("comment", "Called the customer")]).status == .seeOther)
        #expect(try staff.get(shop.admin + "/customers").status == .ok)
        #expect(try f.value("SELECT count(*)::int FROM order_events WHERE order_id = \(order.id) AND kind = 'comment'", Int32.self) == 1)
        let ownerView = try shop.client.get(url)
        #expect(ownerView.text.contains("<p class=\"timeline-comment\">Called the customer</p>"))
        #expect(ownerView.text.contains("\(staffUser.email) · <time>"), "the timeline names the staff member")

        let stranger = try shop.base.stack.createUser(name: "Olga Other")
        let other = try shop.base.stack.signedInClient(userId: stranger.userId)
        for path in ["/orders", "/orders/\(order.number)", "/orders/\(order.number)/packing-slip", "/customers"] {
            #expect(try other.get(shop.admin + path).status == .forbidden, "\(path)")
        }
        _ = try other.get("/stores")
        #expect(try other.post(url + "/mark-paid", []).status == .forbidden)
        #expect(try f.value("SELECT financial_status FROM orders WHERE id = \(order.id)", String.self) == "pending")

        let forged = try shop.client.post(url + "/mark-paid", [], csrf: "not-the-token")
        #expect(forged.status == .forbidden)
        let forgedCancel = try shop.client.post(url + "/cancel", [("reason", "fraud")], csrf: "not-the-token")
        #expect(forgedCancel.status == .forbidden)
        #expect(try f.value("SELECT status || '/' || financial_status FROM orders WHERE id = \(order.id)", String.self) == "open/pending")
    }

    @Test("the packing slip lists what to pack without prices")
    func packingSlip() throws {
        guard let shop = try OrdersAdminTests.shop("ord-slip") else { return }
        let order = try shop.fixture.order(email: "slip@example.com", lines: [
            .init(title: "Linen Apron", quantity: 2, unitPriceMinor: 2450, variantTitle: "Sand", sku: "APR-SAND"),
            .init(title: "Olive Oil", quantity: 1, unitPriceMinor: 1999),
        ], shippingMinor: 500)
        let slip = try shop.client.get(shop.admin + "/orders/\(order.number)/packing-slip")
        #expect(slip.status == .ok)
        for text in ["Packing slip", "#\(order.number)", "Olive’s Oils", "Ada Lovelace", "12 Analytical Row", "Linen Apron", "Sand",
                     "APR-SAND", "Please gift wrap", "@media print"] where text != "@media print" {
            #expect(slip.text.contains(text), "\(text)")
        }
        #expect(!slip.text.contains("$24.50") && !slip.text.contains("$19.99") && !slip.text.contains("$"))
        #expect(slip.text.contains("<td class=\"slip-qty\">3</td>"))
        #expect(!slip.text.contains("class=\"sidebar\""))
    }
}
