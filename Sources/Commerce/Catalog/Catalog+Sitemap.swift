import Foundation
import Postgres

/// What a store's sitemap lists: active products, published collections and pages.
public struct SitemapCounts: Sendable, Hashable {
    public let products: Int
    public let collections: Int
    public let pages: Int
}

/// One URL of a sitemap: a path on the store's host and when it last changed.
public struct SitemapEntry: Sendable, Hashable {
    public let path: String
    public let lastModified: Date?

    public init(path: String, lastModified: Date?) {
        self.path = path
        self.lastModified = lastModified
    }
}

extension Catalog {
    public static func sitemapCounts(on db: Connection) throws -> SitemapCounts {
        let row = try db.queryFirst("""
            SELECT (SELECT count(*) FROM products WHERE status = 'active') AS products,
                   (SELECT count(*) FROM collections WHERE published) AS collections,
                   (SELECT count(*) FROM pages WHERE published) AS pages
            """)
        return SitemapCounts(products: Int(try row?.decode("products", as: Int64.self) ?? 0),
                             collections: Int(try row?.decode("collections", as: Int64.self) ?? 0),
                             pages: Int(try row?.decode("pages", as: Int64.self) ?? 0))
    }

    /// Active products `offset ..< offset + limit` in id order, streamed one row at a time.
    public static func streamSitemapProducts(on db: Connection, offset: Int, limit: Int,
                                             _ body: (SitemapEntry) throws -> Void) throws {
        try db.stream("""
            SELECT handle, updated_at FROM products WHERE status = 'active'
            ORDER BY id LIMIT \(max(0, limit)) OFFSET \(max(0, offset))
            """) { row in
            try body(SitemapEntry(path: "/products/" + (try row.decode("handle", as: String.self)),
                                  lastModified: try row.decode("updated_at")))
        }
    }

    /// Published collections, then published pages, in id order, streamed.
    public static func streamSitemapCollectionsAndPages(on db: Connection, offset: Int, limit: Int,
                                                        _ body: (SitemapEntry) throws -> Void) throws {
        try db.stream("""
            SELECT path, updated_at FROM (
                SELECT 0 AS kind, id, '/collections/' || handle AS path, updated_at FROM collections WHERE published
                UNION ALL
                SELECT 1, id, '/pages/' || handle, updated_at FROM pages WHERE published
            ) u ORDER BY kind, id LIMIT \(max(0, limit)) OFFSET \(max(0, offset))
            """) { row in
            try body(SitemapEntry(path: try row.decode("path"), lastModified: try row.decode("updated_at")))
        }
    }
}
