import Commerce
import Foundation
import HTTP
import Postgres
import Testing
@testable import App

/// The customers list and page: search, order counts, what each spent (paid orders net of
/// refunds, as the dashboard counts sales), note and tags.
@Suite("Store admin: customers")
struct CustomersAdminTests {
    @Test("the list searches and shows orders and spend; the page shows orders, addresses and saves note and tags")
    func listAndDetail() throws {
        guard let shop = try OrdersAdminTests.shop("cust-admin") else { return }
        let f = shop.fixture
        let ada = try f.customer(email: "ada@example.com", first: "Ada", last: "Lovelace")
        let alan = try f.customer(email: "alan@example.com", first: "Alan", last: "Turing")
        try shop.db.execute("""
            INSERT INTO customer_addresses (customer_id, first_name, last_name, address1, city, postal_code, country_code, is_default)
            VALUES (\(ada), 'Ada', 'Lovelace', '12 Analytical Row', 'London', 'N1 9GU', 'GB', true)
            """)
        let line = OrderFixture.Line(title: "Notebook", quantity: 1, unitPriceMinor: 3000)
        let first = try f.order(email: "ada@example.com", customerId: ada, lines: [line], paid: true)
        try f.order(email: "ada@example.com", customerId: ada, lines: [line], paid: true)
        try f.order(email: "ada@example.com", customerId: ada, lines: [line])                   // unpaid: not spent
        let cancelled = try f.order(email: "ada@example.com", customerId: ada, lines: [line])
        _ = try OrderCancellation.cancel(shop.db, orderId: cancelled.id, reason: "customer", actor: "system")
        _ = try OrderRefunds.refund(shop.db, orderId: first.id, RefundInput(amountMinor: 500), gateway: { _ in nil },
                                    by: CatalogActor(id: "1"))

        let list = try shop.client.get(shop.admin + "/customers")
        #expect(list.status == .ok)
        #expect(list.text.contains("Ada Lovelace") && list.text.contains("Alan Turing"))
        #expect(list.text.contains("$55.00"))                                  // 30 + 30 − 5
        let search = try shop.client.get(shop.admin + "/customers?q=turing")
        #expect(search.text.contains("Alan Turing") && !search.text.contains("Ada Lovelace"))
        let byEmail = try shop.client.get(shop.admin + "/customers?q=ada%40")
        #expect(byEmail.text.contains("Ada Lovelace") && !byEmail.text.contains("Alan Turing"))

        let page = try shop.client.get(shop.admin + "/customers/\(ada)")
        #expect(page.status == .ok)
        #expect(page.text.contains("$55.00") && page.text.contains("12 Analytical Row"))
        #expect(page.text.contains("#\(first.number)") && page.text.contains("#\(cancelled.number)"))
        #expect(page.text.contains("Partially refunded") && page.text.contains("Cancelled"))
        #expect(page.text.contains("<span class=\"stat-value\">4</span>"))

        let saved = try shop.client.post(shop.admin + "/customers/\(ada)", [("note", "Prefers email"), ("tags", "vip, VIP, wholesale")])
        #expect(saved.status == .seeOther)
        let row = try shop.db.queryFirst("SELECT note, tags FROM customers WHERE id = \(ada)")!
        #expect(try row.decode("note", as: String.self) == "Prefers email")
        #expect(try row.decode("tags", as: [String].self) == ["vip", "wholesale"])
        let tooLong = try shop.client.post(shop.admin + "/customers/\(ada)", [("note", ""), ("tags", String(repeating: "x", count: 41))])
        #expect(tooLong.status == .unprocessableContent)
        #expect(tooLong.text.contains("id=\"tags-error\">Keep each tag under 40 characters."))
        #expect(try shop.client.get(shop.admin + "/customers/99999999").status == .notFound)
        _ = alan
    }
}
