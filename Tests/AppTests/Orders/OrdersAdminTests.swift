import Commerce
import Foundation
import HTTP
import Integrations
import Postgres
import Registry
import Testing
@testable import App

/// The orders admin through the router: list filters, the order page, mark paid, fulfil (with
/// the shipping mail caught by the stack's SMTP catcher), refunds, cancel, access and CSRF.
@Suite("Store admin: orders")
struct OrdersAdminTests {
    struct Shop {
        let base: AdminTests.Shop
        let client: WebClient
        let fixture: OrderFixture
        var admin: String { base.admin }
        var db: Connection { fixture.db }
    }

    static func shop(_ prefix: String) throws -> Shop? {
        guard let base = try AdminTests.shop(prefix) else { return nil }
        let client = try base.stack.signedInClient(userId: base.owner.userId)
        _ = try client.get(base.admin + "/orders")          // a page with the CSRF token
        return Shop(base: base, client: client, fixture: OrderFixture(db: try base.stack.tenantConnection(base.store)))
    }

    static func email(_ tag: String) -> String { "buyer-\(tag)-\(UUID().uuidString.prefix(8).lowercased())@example.com" }

    @Test("the list filters by payment, fulfilment and dates, and searches by number and email")
    func listFilters() throws {
        guard let shop = try Self.shop("ord-list") else { return }
        let f = shop.fixture
        let mug = try f.variant("Blue Mug", priceMinor: 1200, stock: 20)
        let pending = try f.order(email: "pending@example.com", lines: [.init(title: "Blue Mug", variantId: mug, quantity: 1, unitPriceMinor: 1200)])
        let paid = try f.order(email: "paid@example.com", lines: [.init(title: "Blue Mug", variantId: mug, quantity: 2, unitPriceMinor: 1200)], paid: true)
        let old = try f.order(email: "old@example.com", lines: [.init(title: "Blue Mug", variantId: mug, quantity: 1, unitPriceMinor: 1200)],
                              paid: true, createdAt: "2025-01-10 12:00:00+00")

        let all = try shop.client.get(shop.admin + "/orders")
        #expect(all.status == .ok)
        for o in [pending, paid, old] { #expect(all.text.contains("#\(o.number)")) }
        #expect(all.text.contains("Payment pending") && all.text.contains(">Paid<"))
        #expect(all.text.contains("3 orders"))

        let onlyPaid = try shop.client.get(shop.admin + "/orders?payment=paid")
        #expect(onlyPaid.text.contains("#\(paid.number)") && onlyPaid.text.contains("#\(old.number)"))
        #expect(!onlyPaid.text.contains("#\(pending.number)<"))

        let byNumber = try shop.client.get(shop.admin + "/orders?q=%23\(pending.number)")
        #expect(byNumber.text.contains("#\(pending.number)<") && !byNumber.text.contains("#\(paid.number)<"))
        let byEmail = try shop.client.get(shop.admin + "/orders?q=PAID@example.com")
        #expect(byEmail.text.contains("#\(paid.number)<") && !byEmail.text.contains("#\(old.number)<"))
        let byPart = try shop.client.get(shop.admin + "/orders?q=old%40")
        #expect(byPart.text.contains("#\(old.number)<") && !byPart.text.contains("#\(paid.number)<"))

        let january = try shop.client.get(shop.admin + "/orders?from=2025-01-01&to=2025-01-31")
        #expect(january.text.contains("#\(old.number)<") && !january.text.contains("#\(paid.number)<"))
        let badDate = try shop.client.get(shop.admin + "/orders?from=2025-02-31")
        #expect(badDate.status == .ok)
        #expect(badDate.text.contains("Enter a date like 2026-12-31."))

        let unfulfilled = try shop.client.get(shop.admin + "/orders?fulfillment=fulfilled")
        #expect(unfulfilled.text.contains("No orders match"))
    }

    @Test("keyset pages walk every order once, newest first")
    func pages() throws {
        guard let shop = try Self.shop("ord-pages") else { return }
        var numbers: [Int64] = []
        for day in 1...5 {
            numbers.append(try shop.fixture.order(email: "p\(day)@example.com", lines: [.init(title: "Tea", quantity: 1, unitPriceMinor: 500)],
                                                  createdAt: "2025-03-0\(day) 10:00:00+00").number)
        }
        var query = AdminOrderQuery()
        query.limit = 2
        var seen: [Int64] = []
        var page = try AdminOrderList.page(query, on: shop.db)
        seen += page.rows.map(\.number)
        while let next = page.next {
            query.after = next
            page = try AdminOrderList.page(query, on: shop.db)
            seen += page.rows.map(\.number)
        }
        #expect(seen == numbers.reversed())
        #expect(page.matching == 5)
        // And back.
        query.after = nil
        query.before = page.previous
        let back = try AdminOrderList.page(query, on: shop.db)
        #expect(back.rows.map(\.number) == Array(numbers.reversed()[2...3]))
    }

    @Test("the order page shows lines, totals, addresses and the timeline; mark as paid records the payment once")
    func detailAndMarkPaid() throws {
        guard let shop = try Self.shop("ord-paid") else { return }
        let f = shop.fixture
        let customer = try f.customer(email: "ada@example.com", first: "Ada", last: "Lovelace")
        let order = try f.order(email: "ada@example.com", customerId: customer,
                                lines: [.init(title: "Linen Apron", variantId: nil, quantity: 2, unitPriceMinor: 2450, variantTitle: "Sand", sku: "APR-SAND")],
                                shippingMinor: 500)
        let page = try shop.client.get(shop.admin + "/orders/\(order.number)")
        #expect(page.status == .ok)
        for text in ["Linen Apron", "Sand", "APR-SAND", "$49.00", "$5.00", "$54.00", "12 Analytical Row", "Please gift wrap",
                     "Order placed.", "Payment pending", "Mark as paid", "Ada Lovelace"] {
            #expect(page.text.contains(text), "\(text)")
        }
        let marked = try shop.client.post(shop.admin + "/orders/\(order.number)/mark-paid", [])
        #expect(marked.status == .seeOther)
        #expect(try f.value("SELECT financial_status FROM orders WHERE id = \(order.id)", String.self) == "paid")
        #expect(try f.value("SELECT count(*)::int FROM payments WHERE order_id = \(order.id) AND status = 'succeeded'", Int32.self) == 1)
        #expect(try f.value("SELECT count(*)::int FROM audit_log WHERE action = 'order.mark_paid' AND subject_id = '\(order.id)'", Int32.self) == 1)
        let after = try shop.client.get(shop.admin + "/orders/\(order.number)")
        #expect(after.text.contains("Order marked as paid."))
        #expect(after.text.contains("Payment of 54.00 USD received through bank transfer."))
        #expect(!after.text.contains(">Mark as paid<"))

        let again = try shop.client.post(shop.admin + "/orders/\(order.number)/mark-paid", [])
        #expect(again.status == .conflict)
        #expect(again.text.contains("only a pending order can be marked as paid"))
        #expect(try f.value("SELECT count(*)::int FROM payments WHERE order_id = \(order.id) AND status = 'succeeded'", Int32.self) == 1)

        #expect(try shop.client.get(shop.admin + "/orders/99999999").status == .notFound)
    }

    @Test("fulfilling part then the rest: shipments, statuses, refusals, and the shipping mail reaches the SMTP server")
    func fulfil() throws {
        guard let shop = try Self.shop("ord-ship") else { return }
        let f = shop.fixture
        let buyer = Self.email("ship")
        let apron = try f.variant("Apron", priceMinor: 2000, stock: 10)
        let mug = try f.variant("Mug", priceMinor: 900, stock: 10)
        let order = try f.order(email: buyer, lines: [.init(title: "Apron", variantId: apron, quantity: 2, unitPriceMinor: 2000),
                                                     .init(title: "Mug", variantId: mug, quantity: 1, unitPriceMinor: 900)], paid: true)
        let items: [Int64] = try shop.db.query("SELECT id FROM order_items WHERE order_id = \(order.id) ORDER BY id").map { try $0.decode("id") }
        let url = shop.admin + "/orders/\(order.number)"

        // More than ordered: refused, nothing written.
        let tooMany = try shop.client.post(url + "/fulfil", [("qty_\(items[0])", "3"), ("qty_\(items[1])", "0"), ("carrier", "UPS"),
                                                            ("tracking_number", "1Z999")])
        #expect(tooMany.status == .unprocessableContent)
        #expect(tooMany.text.contains("Only 2 of “Apron” are left to fulfil."))
        let noCarrier = try shop.client.post(url + "/fulfil", [("qty_\(items[0])", "1"), ("carrier", " ")])
        #expect(noCarrier.status == .unprocessableContent)
        #expect(noCarrier.text.contains("id=\"carrier-error\">Enter the carrier"))
        #expect(try f.value("SELECT count(*)::int FROM shipments WHERE order_id = \(order.id)", Int32.self) == 0)

        let first = try shop.client.post(url + "/fulfil", [("qty_\(items[0])", "1"), ("qty_\(items[1])", "0"), ("carrier", "UPS"),
                                                          ("tracking_number", "1Z999AA10123456784"), ("notify", "1")])
        #expect(first.status == .seeOther)
        #expect(try f.value("SELECT fulfillment_status FROM orders WHERE id = \(order.id)", String.self) == "partial")
        let partialPage = try shop.client.get(url)
        #expect(partialPage.text.contains("Shipping confirmation sent to \(buyer)."))
        #expect(partialPage.text.contains("Partially fulfilled"))
        #expect(partialPage.text.contains("https://www.ups.com/track?tracknum=1Z999AA10123456784"))

        let rest = try shop.client.post(url + "/fulfil", [("qty_\(items[0])", "1"), ("qty_\(items[1])", "1"), ("carrier", "DHL"),
                                                         ("tracking_number", "JD0002"), ("tracking_url", "https://track.example.com/JD0002"),
                                                         ("notify", "1")])
        #expect(rest.status == .seeOther)
        #expect(try f.value("SELECT fulfillment_status FROM orders WHERE id = \(order.id)", String.self) == "fulfilled")
        #expect(try f.value("SELECT sum(fulfilled_quantity)::int FROM order_items WHERE order_id = \(order.id)", Int32.self) == 3)
        #expect(try f.value("SELECT count(*)::int FROM shipment_items si JOIN shipments s ON s.id = si.shipment_id WHERE s.order_id = \(order.id)", Int32.self) == 3)
        let nothingLeft = try shop.client.post(url + "/fulfil", [("qty_\(items[1])", "1"), ("carrier", "DHL")])
        #expect(nothingLeft.status == .unprocessableContent)
        #expect(nothingLeft.text.contains("“Mug” has nothing left to fulfil."))

        // Both mails arrive at the stack's SMTP catcher (delivered by the running `storefleet jobs`).
        let mails = try Self.caughtMail(shop.base.stack, to: buyer, count: 2, seconds: 30)
        #expect(mails.count == 2)
        let partial = try #require(mails.first { $0.text?.contains("1Z999AA10123456784") == true })
        #expect(partial.entry.subject == "Your Olive’s Oils order #\(order.number) is on its way")
        #expect(partial.header("X-Storefleet-Kind") == "shipping_confirmation")
        let partialText = partial.text ?? ""
        #expect(partialText.contains("part of your order #\(order.number)"))
        #expect(partialText.contains("Shipped with UPS") && partialText.contains("https://www.ups.com/track?tracknum=1Z999AA10123456784"))
        #expect(partialText.contains("- 1 × Apron") && !partialText.contains("Mug"))
        #expect(partial.html?.contains("Track your parcel") == true)
        let complete = try #require(mails.first { $0.text?.contains("JD0002") == true })
        let completeText = complete.text ?? ""
        #expect(completeText.contains("your order #\(order.number) from Olive’s Oils is on its way."))
        #expect(completeText.contains("https://track.example.com/JD0002"))
        #expect(completeText.contains("- 1 × Apron") && completeText.contains("- 1 × Mug") && completeText.contains("12 Analytical Row"))
    }

    /// The mails the stack's SMTP catcher stored for `address`, waiting up to `seconds` for `count`.
    static func caughtMail(_ stack: AppStack, to address: String, count: Int, seconds: Double) throws -> [CaughtMessage] {
        let mailbox = CaughtMailbox(folder: try stack.stack.value("STOREFLEET_MAIL_DIR"))
        let deadline = ContinuousClock.now + .seconds(seconds)
        var found: [CaughtMessage] = []
        repeat {
            found = mailbox.entries().filter { $0.recipients.contains(address) }.compactMap { mailbox.message(id: $0.id) }
            if found.count >= count { return found }
            var pause = timespec(tv_sec: 0, tv_nsec: 100_000_000)
            nanosleep(&pause, nil)
        } while ContinuousClock.now < deadline
        return found
    }
}
