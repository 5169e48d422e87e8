import Foundation
import Postgres

/// A review in the admin's moderation list.
public struct ModerationReview: Sendable {
    public let id: Int64
    public let productId: Int64
    public let productTitle: String
    public let productHandle: String
    public let customerEmail: String?
    public let authorName: String
    public let rating: Int
    public let title: String
    public let body: String
    public let status: ReviewStatus
    public let createdAt: Date
    public let moderatedAt: Date?
}

public enum ReviewStatus: String, Sendable, CaseIterable, PostgresDecodable {
    case pending, published, rejected
}

/// The merchant's side: list reviews by status, publish or reject them. Publishing and
/// rejecting a published review move `storefront_version` (tenant migration 0015's triggers),
/// so cached product pages show the change at once.
public enum ReviewModeration {
    public static let pageSize = 50

    /// Reviews with `status` (all when nil), newest first, `pageSize` from `offset`.
    public static func list(_ db: Connection, status: ReviewStatus?, offset: Int = 0) throws -> [ModerationReview] {
        let filter: Query = status.map { "r.status = \($0.rawValue)" } ?? "true"
        return try db.query("""
            SELECT r.id, r.product_id, p.title AS product_title, p.handle, c.email, r.author_name, r.rating, r.title,
                   r.body, r.status, r.created_at, r.moderated_at
            FROM reviews r JOIN products p ON p.id = r.product_id LEFT JOIN customers c ON c.id = r.customer_id
            WHERE \(filter)
            ORDER BY r.created_at DESC, r.id DESC LIMIT \(pageSize) OFFSET \(offset)
            """).map { r in
            ModerationReview(id: try r.decode("id"), productId: try r.decode("product_id"),
                             productTitle: try r.decode("product_title"), productHandle: try r.decode("handle"),
                             customerEmail: try r.decode("email"), authorName: try r.decode("author_name"),
                             rating: Int(try r.decode("rating", as: Int16.self)), title: try r.decode("title"),
                             body: try r.decode("body"), status: try r.decode("status"),
                             createdAt: try r.decode("created_at"), moderatedAt: try r.decode("moderated_at"))
        }
    }

    /// How many reviews have each status.
    public static func counts(_ db: Connection) throws -> [ReviewStatus: Int] {
        var out: [ReviewStatus: Int] = [.pending: 0, .published: 0, .rejected: 0]
        for r in try db.query("SELECT status, count(*) AS n FROM reviews GROUP BY status") {
            if let s = ReviewStatus(rawValue: try r.decode("status")) { out[s] = Int(try r.decode("n", as: Int64.self)) }
        }
        return out
    }

    /// Sets a review's status; returns the product's id and the status it had, nil when there is
    /// no such review.
    public static func setStatus(_ db: Connection, id: Int64, to status: ReviewStatus) throws -> (productId: Int64, previous: ReviewStatus)? {
        try db.queryFirst("""
            WITH old AS (SELECT id, status FROM reviews WHERE id = \(id) FOR UPDATE)
            UPDATE reviews r SET status = \(status.rawValue), moderated_at = now()
            FROM old WHERE r.id = old.id
            RETURNING r.product_id, old.status AS previous
            """).map { (try $0.decode("product_id"), try $0.decode("previous")) }
    }
}
