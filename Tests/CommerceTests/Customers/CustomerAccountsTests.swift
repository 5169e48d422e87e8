import Crypto
import Foundation
import Postgres
import Testing
@testable import Commerce

/// The customer and review rules below the pages: averages to one decimal without floating
/// point, review input limits, a guest claiming their orders through the sign-up link, and the
/// storefront cache key moving only for published reviews.
@Suite struct CustomerAccountsTests {
    @Test func averagesRoundHalfUpToOneDecimal() {
        #expect(ReviewSummary(count: 2, ratingSum: 9, recent: []).averageText == "4.5")
        #expect(ReviewSummary(count: 3, ratingSum: 13, recent: []).averageText == "4.3")   // 4.333…
        #expect(ReviewSummary(count: 3, ratingSum: 14, recent: []).averageText == "4.7")   // 4.666…
        #expect(ReviewSummary(count: 20, ratingSum: 87, recent: []).averageText == "4.4")  // 4.35 → 4.4
        #expect(ReviewSummary(count: 1, ratingSum: 5, recent: []).averageText == "5.0")
        #expect(ReviewSummary.empty.averageTenths == 0)
    }

    @Test func reviewInputIsChecked() {
        #expect(ReviewInput.check(rating: "5", title: " Great ", body: " Lovely. ") == .success(ReviewInput(rating: 5, title: "Great", body: "Lovely.")))
        guard case .failure(let p) = ReviewInput.check(rating: "0", title: String(repeating: "x", count: 121), body: "  ") else {
            Issue.record("expected problems"); return
        }
        #expect(Set(p.messages.keys) == ["rating", "title", "body"])
        #expect(CustomerRules.passwordProblem("123456789") != nil)
        #expect(CustomerRules.passwordProblem("1234567890") == nil)
        #expect(CustomerRules.normalizedEmail(" a@b.example ") == "a@b.example")
        #expect(CustomerRules.normalizedEmail("a@b") == nil)
        #expect(CustomerRules.normalizedEmail("a b@c.example") == nil)
    }

    @Test func aGuestClaimsTheirOrdersThroughTheSignUpLink() throws {
        try StoreFixture.run("cust-claim") { store in
            let db = store.db
            let email = "guest-\(Hex.encode(SecureRandom.bytes(4)))@example.com"
            let guestId: Int64 = try db.queryFirst("INSERT INTO customers (email) VALUES (\(email)) RETURNING id")!.decode("id")
            try db.execute("""
                INSERT INTO orders (email, currency, subtotal_minor, total_minor) VALUES (\(email.uppercased()), 'USD', 100, 100)
                """)
            // A guest cannot log in, with any password.
            #expect(try CustomerAccounts.authenticate(db, email: email, password: "", address: "10.0.0.1") == .invalid)

            guard case .confirmationNeeded(let customer, let token) = try CustomerAccounts.register(
                db, firstName: "Gus", lastName: "Guest", email: email, password: "guest password 1") else {
                Issue.record("a guest's address gets a confirmation link"); return
            }
            #expect(customer.id == guestId)
            #expect(customer.hasPassword == false)
            #expect(try CustomerAccounts.authenticate(db, email: email, password: "guest password 1", address: "10.0.0.1") == .invalid,
                    "no password before the link is used")

            let confirmed = try #require(try CustomerAccounts.confirm(db, token: token))
            #expect(confirmed.id == guestId && confirmed.firstName == "Gus" && confirmed.hasPassword)
            #expect(try CustomerAccounts.confirm(db, token: token) == nil, "a link works once")
            guard case .authenticated = try CustomerAccounts.authenticate(db, email: email, password: "guest password 1",
                                                                          address: "10.0.0.1") else {
                Issue.record("the password set by the link logs in"); return
            }
            let orders = try CustomerOrders.list(db, customer: confirmed)
            #expect(orders.count == 1)
            #expect(try db.queryFirst("SELECT customer_id FROM orders WHERE lower(email) = lower(\(email))")!
                .decode("customer_id", as: Int64?.self) == guestId)

            // Signing up again with the address now says nothing and changes nothing.
            guard case .alreadyRegistered = try CustomerAccounts.register(db, firstName: "X", lastName: "Y", email: email,
                                                                          password: "another password") else {
                Issue.record("an account's address is not signed up again"); return
            }
        }
    }

    @Test func onlyPublishedReviewsMoveTheStorefrontVersion() throws {
        try StoreFixture.run("cust-revver") { store in
            let db = store.db
            func version() throws -> Int64 { try db.queryFirst("SELECT version FROM storefront_version")!.decode("version") }
            let handle = "rev-" + Hex.encode(SecureRandom.bytes(3))
            let productId: Int64 = try db.queryFirst("""
                INSERT INTO products (handle, title, status) VALUES (\(handle), 'Cup', 'active') RETURNING id
                """)!.decode("id")
            let v0 = try version()
            let reviewId: Int64 = try db.queryFirst("""
                INSERT INTO reviews (product_id, rating, body) VALUES (\(productId), 4, 'Nice') RETURNING id
                """)!.decode("id")
            #expect(try version() == v0, "a pending review shows nowhere")
            #expect(try ReviewModeration.setStatus(db, id: reviewId, to: .published)?.previous == .pending)
            let v1 = try version()
            #expect(v1 > v0)
            #expect(try ProductReviews.summary(db, productId: productId).count == 1)
            _ = try ReviewModeration.setStatus(db, id: reviewId, to: .rejected)
            #expect(try version() > v1)
            #expect(try ProductReviews.summary(db, productId: productId) == .empty)
            #expect(try ReviewModeration.setStatus(db, id: reviewId + 1000, to: .published) == nil)
        }
    }
}
