import Commerce
import Foundation
import HTTP
import Postgres
import Registry
import Testing
@testable import App

/// Reviews: only buyers may write one, the merchant moderates, and the cached product page
/// (with its JSON-LD) shows the published ones as soon as they are published.
@Suite(.serialized) struct ProductReviewTests {
    @Test func onlyALoggedInBuyerMayReview() throws {
        guard let stack = try AppStack.required() else { return }
        let store = try stack.provisionStore(prefix: "rev-elig", name: "Review Shop")
        let db = try stack.tenantConnection(store)
        let f = AccountFixtures(db: db)
        let product = try f.product("Oak chair")
        let buyerEmail = AppStack.uniqueEmail("buyer")
        let buyer = try f.customer(email: buyerEmail, first: "Grace", last: "Hopper")
        let bought = try f.order(email: buyerEmail, customerId: buyer, productId: product.id, title: "Oak chair")
        let browserEmail = AppStack.uniqueEmail("browser")
        let browser = try f.customer(email: browserEmail)
        // Unpaid and cancelled orders do not count.
        try f.order(email: browserEmail, customerId: browser, productId: product.id, financial: "pending")
        try f.order(email: browserEmail, customerId: browser, productId: product.id, cancelled: true)

        let review = [("rating", "4"), ("title", "Sturdy"), ("body", "Sits well.")]
        let path = "/products/\(product.handle)/reviews"

        // The product page's form is the same for everyone and says who may review.
        let page = try ShopperClient(stack, store: store).get("/products/\(product.handle)")
        #expect(page.text.contains("action=\"/products/\(product.handle)/reviews\""))
        #expect(page.text.contains("Only customers who bought this product can review it"))
        #expect(page.text.contains("type=\"radio\" id=\"review-rating-5\" name=\"rating\" value=\"5\""))

        // A guest is sent to log in, and back to the review form afterwards.
        let guest = try ShopperClient(stack, store: store)
        let toLogin = try guest.post(path, review)
        #expect(toLogin.status == .seeOther)
        #expect(toLogin.location == "/account/login?return_to=" + FormEncoding.encode("/products/\(product.handle)/review"))
        // Another site's form is refused.
        #expect(try guest.post(path, review, origin: "http://evil.example").status == .forbidden)

        // A customer who did not buy it gets a clear 403.
        let other = try CustomerAccountTests.loggedIn(stack, store: store, email: browserEmail)
        let refused = try other.post(path, review)
        #expect(refused.status == .forbidden)
        #expect(refused.text.contains("Only customers who bought this product can review it"))
        #expect(try other.get("/products/\(product.handle)/review").status == .forbidden)

        // The buyer: validation errors next to the fields, then a pending review.
        let shopper = try CustomerAccountTests.loggedIn(stack, store: store, email: buyerEmail)
        // The order page links each bought product to its review form.
        #expect(try shopper.get("/account/orders/\(bought)").text.contains("href=\"/products/\(product.handle)/review\""))
        let invalid = try shopper.post(path, [("rating", "9"), ("title", ""), ("body", "")])
        #expect(invalid.status.code == 422)
        #expect(invalid.text.contains("id=\"review-rating-error\""))
        #expect(invalid.text.contains("id=\"review-body-error\""))
        let sent = try shopper.post(path, review)
        #expect(sent.location == "/products/\(product.handle)/review")
        let thanks = try shopper.get("/products/\(product.handle)/review")
        #expect(thanks.text.contains("will appear once the store has checked it"))
        #expect(thanks.text.contains("value=\"4\" checked"))
        // Writing again replaces the review (one per customer and product).
        _ = try shopper.post(path, [("rating", "5"), ("title", "Even better"), ("body", "Still sits well.")])
        let rows = try db.query("SELECT rating, status, author_name FROM reviews WHERE product_id = \(product.id)")
        #expect(rows.count == 1)
        #expect(try rows[0].decode("rating", as: Int16.self) == 5)
        #expect(try rows[0].decode("status", as: String.self) == "pending")
        #expect(try rows[0].decode("author_name", as: String.self) == "Grace H.")
        #expect(!(try ShopperClient(stack, store: store).get("/products/\(product.handle)").text.contains("Even better")),
                "pending reviews are not shown")
    }

    @Test func moderationPublishesToTheCachedProductPageAndItsJSONLD() throws {
        guard let stack = try AppStack.required() else { return }
        let user = try stack.createUser(name: "Staff Moderator")
        let store = try stack.provisionStore(prefix: "rev-mod", orgId: user.orgId, name: "Moderated Shop")
        let db = try stack.tenantConnection(store)
        let f = AccountFixtures(db: db)
        let product = try f.product("Walnut table")
        var reviewIds: [Int64] = []
        for (i, rating) in [5, 4, 4].enumerated() {
            let email = AppStack.uniqueEmail("mod\(i)")
            let id = try f.customer(email: email, first: "Buyer\(i)", last: "Smith")
            try f.order(email: email, customerId: id, productId: product.id, title: "Walnut table")
            let shopper = try CustomerAccountTests.loggedIn(stack, store: store, email: email)
            _ = try shopper.post("/products/\(product.handle)/reviews",
                                 [("rating", String(rating)), ("title", "Review \(i)"), ("body", "Body \(i) <b>bold</b>")])
            reviewIds.append(try db.queryFirst("SELECT id FROM reviews WHERE customer_id = \(id)")!.decode("id"))
        }

        // One handler, like one worker: the product page is cached before moderation.
        let handler = try stack.handler()
        let visitor = try ShopperClient(stack, store: store, handler: handler)
        let before = try visitor.get("/products/\(product.handle)").text
        #expect(before.contains("No reviews yet."))
        #expect(!before.contains("aggregateRating"))

        let admin = try stack.signedInClient(userId: user.userId)
        let list = try admin.get("/store/\(store.slug)/admin/reviews")
        #expect(list.status == .ok)
        #expect(list.text.contains("Review 0") && list.text.contains("Review 2"))
        #expect(list.text.contains("Body 1 &lt;b&gt;bold&lt;/b&gt;"))

        // Without the CSRF token nothing changes.
        let forged = try admin.post("/store/\(store.slug)/admin/reviews/\(reviewIds[0])/publish", [], csrf: "")
        #expect(forged.status == .forbidden)

        for id in reviewIds.prefix(2) {
            let done = try admin.post("/store/\(store.slug)/admin/reviews/\(id)/publish",
                                      [("back", "/store/\(store.slug)/admin/reviews?status=pending")])
            #expect(done.location == "/store/\(store.slug)/admin/reviews?status=pending")
        }
        let rejected = try admin.post("/store/\(store.slug)/admin/reviews/\(reviewIds[2])/reject", [])
        #expect(rejected.status == .seeOther)
        #expect(try admin.get("/store/\(store.slug)/admin/reviews?status=published").text.contains("Review 1"))
        #expect(!(try admin.get("/store/\(store.slug)/admin/reviews?status=published").text.contains("Review 2")))

        // A NOTIFY reaches the worker just after the committing client hears back: poll briefly.
        let after = try Self.page(visitor, "/products/\(product.handle)") { $0.contains("based on 2 reviews") }
        #expect(after.contains("4.5"), "the average of the published 5 and 4")
        #expect(after.contains("based on 2 reviews"))
        #expect(after.contains("aria-label=\"Rated 4.5 out of 5\""))
        #expect(after.contains("Review 0") && after.contains("Review 1"))
        #expect(!after.contains("Review 2"), "rejected reviews are not shown")
        #expect(after.contains("Body 1 &lt;b&gt;bold&lt;/b&gt;"), "review text is escaped")
        #expect(after.contains("Buyer0 S."))

        let jsonLD = try #require(Self.productJSONLD(after))
        let rating = try #require(jsonLD["aggregateRating"] as? [String: Any])
        #expect(rating["ratingValue"] as? String == "4.5")
        #expect(rating["reviewCount"] as? Int == 2)
        let reviews = try #require(jsonLD["review"] as? [[String: Any]])
        #expect(reviews.count == 2)

        let audit = try db.query("SELECT action FROM audit_log WHERE subject_type = 'review' ORDER BY id").map { try $0.decode("action", as: String.self) }
        #expect(audit == ["review.published", "review.published", "review.rejected"])

        // Unpublishing takes it off the cached page again.
        _ = try admin.post("/store/\(store.slug)/admin/reviews/\(reviewIds[0])/reject", [])
        let later = try Self.page(visitor, "/products/\(product.handle)") { !$0.contains("Review 0") }
        #expect(later.contains("based on 1 review"))
        #expect(!later.contains("Review 0"))
        #expect(Self.productJSONLD(later).flatMap { ($0["aggregateRating"] as? [String: Any])?["ratingValue"] as? String } == "4.0")
    }

    @Test func aRoleWithoutTheStoreGetsNoReviews() throws {
        guard let stack = try AppStack.required() else { return }
        let owner = try stack.createUser(name: "Owner")
        let store = try stack.provisionStore(prefix: "rev-acl", orgId: owner.orgId, name: "ACL Shop")
        let outsider = try stack.createUser(name: "Outsider")
        let client = try stack.signedInClient(userId: outsider.userId)
        #expect(try client.get("/store/\(store.slug)/admin/reviews").status == .forbidden)
        // Staff may moderate.
        let staff = try stack.createUser(name: "Staff")
        try stack.addMember(userId: staff.userId, orgId: owner.orgId, role: "staff")
        #expect(try stack.signedInClient(userId: staff.userId).get("/store/\(store.slug)/admin/reviews").status == .ok)
    }

    /// The page once it satisfies `condition` (within two seconds), else the last one seen.
    static func page(_ shopper: ShopperClient, _ path: String, until condition: (String) -> Bool) throws -> String {
        let deadline = ContinuousClock.now + .seconds(2)
        var text = try shopper.get(path).text
        while !condition(text), ContinuousClock.now < deadline { text = try shopper.get(path).text }
        return text
    }

    static func productJSONLD(_ html: String) -> [String: Any]? {
        guard let start = html.range(of: "<script type=\"application/ld+json\">"),
              let end = html[start.upperBound...].range(of: "</script>") else { return nil }
        let json = String(html[start.upperBound..<end.lowerBound])
        return (try? JSONSerialization.jsonObject(with: Data(json.utf8))) as? [String: Any]
    }
}
