import Foundation
import Postgres

/// A published review as product pages show it.
public struct PublishedReview: Sendable, Equatable {
    public let id: Int64
    public let rating: Int
    public let title: String
    public let body: String
    public let authorName: String
    public let createdAt: Date
}

/// The figures a product page shows: published reviews only.
public struct ReviewSummary: Sendable, Equatable {
    public let count: Int
    public let ratingSum: Int
    /// The newest few, newest first.
    public let recent: [PublishedReview]

    public static let empty = ReviewSummary(count: 0, ratingSum: 0, recent: [])

    /// The average in tenths, rounded half up (4.35 → 44): `4.4` on the page. 0 without reviews.
    public var averageTenths: Int { count == 0 ? 0 : (ratingSum * 20 + count) / (count * 2) }

    /// "4.4" — one decimal, never floating point.
    public var averageText: String { "\(averageTenths / 10).\(averageTenths % 10)" }
}

/// What the review form may send, checked.
public struct ReviewInput: Sendable, Equatable {
    public static let maxTitle = 120
    public static let maxBody = 5000

    public let rating: Int
    public let title: String
    public let body: String

    /// The checked input, or the fields' messages.
    public static func check(rating: String?, title: String?, body: String?) -> Result<ReviewInput, ReviewInputProblems> {
        var problems = ReviewInputProblems()
        let r = Int((rating ?? "").trimmingCharacters(in: .whitespaces)) ?? 0
        if !(1...5).contains(r) { problems.messages["rating"] = "Choose a rating from 1 to 5 stars." }
        let t = (title ?? "").trimmingCharacters(in: .whitespacesAndNewlines)
        if t.count > maxTitle { problems.messages["title"] = "Use at most \(maxTitle) characters." }
        let b = (body ?? "").trimmingCharacters(in: .whitespacesAndNewlines)
        if b.isEmpty { problems.messages["body"] = "Tell other shoppers what you thought." }
        else if b.count > maxBody { problems.messages["body"] = "Use at most \(maxBody) characters." }
        if !problems.messages.isEmpty { return .failure(problems) }
        return .success(ReviewInput(rating: r, title: t, body: b))
    }
}

public struct ReviewInputProblems: Error, Sendable, Equatable {
    /// Field (`rating`, `title`, `body`) → message.
    public var messages: [String: String] = [:]
}

/// Reviews by buyers: only a customer with a paid, not cancelled order containing the product
/// may write one (one per customer and product); it waits for the merchant's moderation.
public enum ProductReviews {
    public enum SubmitOutcome: Sendable, Equatable {
        /// A new review, pending moderation.
        case created
        /// The customer's earlier review was replaced and waits for moderation again.
        case updated
        /// No paid order of this product by this customer.
        case notABuyer
    }

    /// The summary and the newest `recent` published reviews, in one indexed query
    /// (`reviews_product_published`); the window totals are over every published review.
    public static func summary(_ db: Connection, productId: Int64, recent: Int = 6) throws -> ReviewSummary {
        let rows = try db.query("""
            SELECT id, rating, title, body, author_name, created_at,
                   count(*) OVER () AS total, sum(rating) OVER () AS rating_sum
            FROM reviews WHERE product_id = \(productId) AND status = 'published'
            ORDER BY created_at DESC, id DESC LIMIT \(recent)
            """)
        guard let first = rows.first else { return .empty }
        return ReviewSummary(
            count: Int(try first.decode("total", as: Int64.self)),
            ratingSum: Int(try first.decode("rating_sum", as: Int64.self)),
            recent: try rows.map { r in
                PublishedReview(id: try r.decode("id"), rating: Int(try r.decode("rating", as: Int16.self)),
                                title: try r.decode("title"), body: try r.decode("body"),
                                authorName: try r.decode("author_name"), createdAt: try r.decode("created_at"))
            })
    }

    /// The newest paid, not cancelled order of the customer with a line of this product.
    public static func purchase(_ db: Connection, customer: CustomerAccount, productId: Int64) throws -> Int64? {
        try db.queryFirst("""
            SELECT o.id FROM orders o
            WHERE \(CustomerOrders.owned(customer))
              AND o.financial_status IN ('paid', 'partially_refunded') AND o.status <> 'cancelled'
              AND EXISTS (SELECT 1 FROM order_items i WHERE i.order_id = o.id AND i.product_id = \(productId))
            ORDER BY o.created_at DESC LIMIT 1
            """).map { try $0.decode("id", as: Int64.self) }
    }

    /// Writes (or rewrites) the customer's review of a product they bought. The author shown is
    /// the first name and last initial ("Ada L."), never the email.
    public static func submit(_ db: Connection, customer: CustomerAccount, productId: Int64,
                              _ input: ReviewInput) throws -> SubmitOutcome {
        try db.transaction { db in
            guard let orderId = try purchase(db, customer: customer, productId: productId) else { return .notABuyer }
            let author = authorName(customer)
            let row = try db.queryFirst("""
                INSERT INTO reviews (product_id, customer_id, order_id, rating, title, body, author_name)
                VALUES (\(productId), \(customer.id), \(orderId), \(Int16(input.rating)), \(input.title), \(input.body), \(author))
                ON CONFLICT (product_id, customer_id) WHERE customer_id IS NOT NULL DO UPDATE
                SET rating = EXCLUDED.rating, title = EXCLUDED.title, body = EXCLUDED.body,
                    author_name = EXCLUDED.author_name, order_id = EXCLUDED.order_id,
                    status = 'pending', moderated_at = NULL, created_at = now()
                RETURNING (xmax = 0) AS inserted
                """)!
            return try row.decode("inserted", as: Bool.self) ? .created : .updated
        }
    }

    static func authorName(_ c: CustomerAccount) -> String {
        let first = c.firstName.trimmingCharacters(in: .whitespaces)
        let last = c.lastName.trimmingCharacters(in: .whitespaces)
        if first.isEmpty { return last.isEmpty ? "Verified buyer" : last }
        return last.isEmpty ? first : first + " " + String(last.prefix(1)) + "."
    }
}

extension ProductReviews {
    /// The customer's own review of a product (any status), to refill the form.
    public struct OwnReview: Sendable, Equatable {
        public let rating: Int
        public let title: String
        public let body: String
        public let status: ReviewStatus
    }

    public static func own(_ db: Connection, customerId: Int64, productId: Int64) throws -> OwnReview? {
        try db.queryFirst("""
            SELECT rating, title, body, status FROM reviews WHERE product_id = \(productId) AND customer_id = \(customerId)
            """).map { r in
            OwnReview(rating: Int(try r.decode("rating", as: Int16.self)), title: try r.decode("title"),
                      body: try r.decode("body"), status: try r.decode("status"))
        }
    }
}
