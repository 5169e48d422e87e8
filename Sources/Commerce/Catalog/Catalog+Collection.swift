import Foundation
import Postgres

/// A collection as its storefront page shows it (the products come from
/// `Catalog.collectionProducts`).
public struct CollectionInfo: Sendable, Hashable {
    public let id: Int64
    public let handle: String
    public let title: String
    /// Sanitised when stored; safe to output unescaped.
    public let descriptionHTML: String
    /// The merchant's chosen order, used when the shopper picks none.
    public let defaultSort: ProductSort
    public let image: ImageReference?
    public let seoTitle: String?
    public let seoDescription: String?
    /// Active products in it.
    public let productCount: Int
}

extension Catalog {
    /// The published collection with this handle, or nil.
    public static func collection(handle: String, on db: Connection) throws -> CollectionInfo? {
        guard let row = try db.queryFirst("""
            SELECT c.id, c.handle, c.title, c.description_html, c.sort_order, c.image_storage_key,
                   c.image_alt, c.seo_title, c.seo_description,
                   (SELECT count(*) FROM collection_products cp JOIN products p ON p.id = cp.product_id
                    WHERE cp.collection_id = c.id AND p.status = 'active') AS product_count
            FROM collections c WHERE c.handle = \(handle) AND c.published
            """) else { return nil }
        return CollectionInfo(
            id: try row.decode("id"),
            handle: try row.decode("handle"),
            title: try row.decode("title"),
            descriptionHTML: try row.decode("description_html"),
            defaultSort: ProductSort(collectionSortOrder: try row.decode("sort_order")),
            image: try row.decode("image_storage_key", as: String?.self).map {
                ImageReference(storageKey: $0, alt: try row.decode("image_alt"), width: nil, height: nil)
            },
            seoTitle: try row.decode("seo_title"),
            seoDescription: try row.decode("seo_description"),
            productCount: try row.decode("product_count"))
    }
}
