import Foundation
import Postgres

/// What every storefront page of a store needs besides its own data, read in one round trip and
/// kept by the App until `storefront_version` moves: the store's settings row, the current
/// theme and its settings, and the published pages and collections for navigation and footer.
public struct StorefrontContext: Sendable, Hashable {
    /// The current theme's folder name, nil when no theme was chosen yet.
    public let themeName: String?
    /// The merchant's values for the theme's settings (a JSON object), `{}` when none.
    public let themeSettingsJSON: String
    /// `store_settings` as a JSON object (every column, whatever this schema version has).
    public let storeSettingsJSON: String
    /// Published pages, by title.
    public let pages: [LinkTarget]
    /// Published collections, by title (at most `navigationCollectionLimit`).
    public let collections: [LinkTarget]

    public struct LinkTarget: Sendable, Hashable, Codable {
        public let handle: String
        public let title: String
    }

    public static let navigationCollectionLimit = 50

    public static func load(on db: Connection) throws -> StorefrontContext {
        let row = try db.queryFirst("""
            SELECT (SELECT to_jsonb(s) FROM store_settings s LIMIT 1) AS store,
                   (SELECT theme FROM theme_settings WHERE is_current) AS theme,
                   (SELECT settings FROM theme_settings WHERE is_current) AS settings,
                   (SELECT coalesce(jsonb_agg(jsonb_build_object('handle', handle, 'title', title) ORDER BY title, id), '[]')
                    FROM pages WHERE published) AS pages,
                   (SELECT coalesce(jsonb_agg(jsonb_build_object('handle', handle, 'title', title) ORDER BY title, id), '[]')
                    FROM (SELECT handle, title, id FROM collections WHERE published
                          ORDER BY title, id LIMIT \(navigationCollectionLimit)) c) AS collections
            """)
        guard let row else { throw CommerceError.missingResult("storefront context") }
        return StorefrontContext(
            themeName: try row.decode("theme"),
            themeSettingsJSON: try row.decode("settings", as: JSON?.self)?.rawText ?? "{}",
            storeSettingsJSON: try row.decode("store", as: JSON?.self)?.rawText ?? "{}",
            pages: try row.decode("pages", as: JSON.self).decode([LinkTarget].self),
            collections: try row.decode("collections", as: JSON.self).decode([LinkTarget].self))
    }
}

extension Catalog {
    /// How many active products a list holds with this filter — of a collection, or the store.
    public static func countActiveProducts(collectionId: Int64? = nil, filter: ProductFilter = .none,
                                           on db: Connection) throws -> Int {
        var scope: Query = "p.status = 'active'" + filter.conditions
        if let collectionId {
            scope = scope + " AND p.id IN (SELECT product_id FROM collection_products WHERE collection_id = \(collectionId))"
        }
        let row = try db.queryFirst("SELECT count(*) AS n FROM products p WHERE \(scope)")
        return Int(try row?.decode("n", as: Int64.self) ?? 0)
    }
}
