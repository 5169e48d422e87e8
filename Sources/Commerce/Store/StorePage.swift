import Foundation
import Postgres

/// A static page of the store (about, contact, policies), at `/pages/<handle>`.
public struct StorePage: Sendable, Hashable {
    public let id: Int64
    public let handle: String
    public let title: String
    /// Sanitised when stored; safe to output unescaped.
    public let bodyHTML: String
    public let seoTitle: String?
    public let seoDescription: String?
    public let updatedAt: Date

    /// The published page with this handle, or nil.
    public static func published(handle: String, on db: Connection) throws -> StorePage? {
        try db.queryFirst("""
            SELECT id, handle, title, body_html, seo_title, seo_description, updated_at
            FROM pages WHERE handle = \(handle) AND published
            """).map(StorePage.init(row:))
    }

    /// Every published page, by title (navigation, sitemap).
    public static func allPublished(on db: Connection) throws -> [StorePage] {
        try db.query("""
            SELECT id, handle, title, body_html, seo_title, seo_description, updated_at
            FROM pages WHERE published ORDER BY title, id
            """).map(StorePage.init(row:))
    }

    init(row: Row) throws {
        id = try row.decode("id")
        handle = try row.decode("handle")
        title = try row.decode("title")
        bodyHTML = try row.decode("body_html")
        seoTitle = try row.decode("seo_title")
        seoDescription = try row.decode("seo_description")
        updatedAt = try row.decode("updated_at")
    }
}
