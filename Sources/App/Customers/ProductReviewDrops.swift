import Commerce
import Foundation
import Liquid

/// Published reviews on the product page: the drop's `rating` (`value` "4.4", `tenths`,
/// `percent` for the stars), `review_count` and `reviews` (newest first), and the Product
/// JSON-LD's `aggregateRating` and `review` items — only when there is a published review
/// (Google rejects an `aggregateRating` with a count of 0).
enum ProductReviewDrops {
    static func adding(_ summary: ReviewSummary, to product: Value, timezone: String) -> Value {
        guard case .dictionary(var d) = product else { return product }
        d["review_count"] = .int(summary.count)
        d["rating"] = summary.count == 0 ? .nil : [
            "value": .string(summary.averageText), "tenths": .int(summary.averageTenths),
            "percent": .int(summary.averageTenths * 2), "count": .int(summary.count),
        ]
        d["reviews"] = .array(summary.recent.map { r in
            ["id": .int(Int(r.id)), "rating": .int(r.rating), "percent": .int(r.rating * 20), "title": .string(r.title),
             "body": .string(r.body), "author": .string(r.authorName),
             "date": .string(StorefleetApp.shortDate(r.createdAt, timezone: timezone)),
             "datetime": .string(isoDate(r.createdAt))]
        })
        return .dictionary(d)
    }

    static func addingStructuredData(_ summary: ReviewSummary, to product: Value) -> Value {
        guard summary.count > 0, case .dictionary(var d) = product else { return product }
        d["aggregateRating"] = [
            "@type": "AggregateRating", "ratingValue": .string(summary.averageText),
            "reviewCount": .int(summary.count), "bestRating": "5", "worstRating": "1",
        ]
        d["review"] = .array(summary.recent.map { r in
            var review: [String: Value] = [
                "@type": "Review",
                "reviewRating": ["@type": "Rating", "ratingValue": .string(String(r.rating)), "bestRating": "5"],
                "author": ["@type": "Person", "name": .string(r.authorName)],
                "datePublished": .string(isoDate(r.createdAt)),
                "reviewBody": .string(r.body),
            ]
            if !r.title.isEmpty { review["name"] = .string(r.title) }
            return .dictionary(review)
        })
        return .dictionary(d)
    }

    static func isoDate(_ date: Date) -> String {
        let f = DateFormatter()
        f.locale = Locale(identifier: "en_US_POSIX")
        f.timeZone = TimeZone(identifier: "UTC")
        f.dateFormat = "yyyy-MM-dd"
        return f.string(from: date)
    }
}
