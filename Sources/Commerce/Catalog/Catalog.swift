import Foundation
import Postgres

/// Read queries over one store's catalog, for the storefront. Every list is one statement: the
/// first variant and first image of each product come from LATERAL subqueries on the same round
/// trip, never a query per product; price range and availability are kept on the product row
/// (migration 0004) so lists can sort and filter on them through an index.
public enum Catalog {
    /// The largest page a caller may ask for.
    public static let maximumPageSize = 250

    /// Active products (never drafts or archived ones), `limit` at a time. Pass the previous
    /// page's `next` as `after` to continue; the cursor's sort wins over `sort`.
    public static func activeProducts(
        on db: Connection, limit: Int = 24, after: CatalogCursor? = nil, sort: ProductSort = .newest,
        filter: ProductFilter = .none
    ) throws -> ProductPage {
        try page(on: db, collectionId: nil, limit: limit, after: after,
                 sort: sort == .manual ? .newest : sort, filter: filter)
    }

    /// The active products of a collection, in `sort` order (`.manual`: the merchant's order).
    public static func collectionProducts(
        _ collectionId: Int64, on db: Connection, limit: Int = 24, after: CatalogCursor? = nil,
        sort: ProductSort = .manual, filter: ProductFilter = .none
    ) throws -> ProductPage {
        try page(on: db, collectionId: collectionId, limit: limit, after: after, sort: sort, filter: filter)
    }

    static func page(on db: Connection, collectionId: Int64?, limit: Int, after: CatalogCursor?,
                     sort requested: ProductSort, filter narrowing: ProductFilter) throws -> ProductPage {
        let sort = after?.sort ?? requested
        let pageSize = min(max(limit, 1), maximumPageSize)

        var from: Query = "products p"
        var filter: Query = "p.status = 'active'" + narrowing.conditions
        if let collectionId {
            from = "collection_products cp JOIN products p ON p.id = cp.product_id"
            filter = "cp.collection_id = \(collectionId) AND " + filter
        }
        let order: Query
        switch sort {
        case .newest:
            if let after { filter = filter + " AND (p.created_at, p.id) < (\(after.date), \(after.id))" }
            order = "p.created_at DESC, p.id DESC"
        case .oldest:
            if let after { filter = filter + " AND (p.created_at, p.id) > (\(after.date), \(after.id))" }
            order = "p.created_at, p.id"
        case .title:
            if let after { filter = filter + " AND (p.title, p.id) > (\(after.text), \(after.id))" }
            order = "p.title, p.id"
        case .titleDescending:
            if let after { filter = filter + " AND (p.title, p.id) < (\(after.text), \(after.id))" }
            order = "p.title DESC, p.id DESC"
        case .priceAscending:
            // A product without variants has no price to sort by, so price lists leave it out.
            filter = filter + " AND p.price_min_minor IS NOT NULL"
            if let after { filter = filter + " AND (p.price_min_minor, p.id) > (\(after.integer), \(after.id))" }
            order = "p.price_min_minor, p.id"
        case .priceDescending:
            filter = filter + " AND p.price_min_minor IS NOT NULL"
            if let after { filter = filter + " AND (p.price_min_minor, p.id) < (\(after.integer), \(after.id))" }
            order = "p.price_min_minor DESC, p.id DESC"
        case .manual:
            guard collectionId != nil else {
                return try page(on: db, collectionId: nil, limit: limit, after: nil, sort: .newest, filter: narrowing)
            }
            if let after { filter = filter + " AND (cp.position, p.id) > (\(after.integer), \(after.id))" }
            order = "cp.position, p.id"
        }
        let position: Query = collectionId == nil ? "NULL::int" : "cp.position"

        // One more row than asked tells whether there is a next page.
        let rows = try db.query("""
            SELECT \(summaryColumns), \(position) AS list_position
            FROM \(from) \(summaryJoins)
            WHERE \(filter) ORDER BY \(order) LIMIT \(pageSize + 1)
            """)
        let products = try rows.prefix(pageSize).map(ProductSummary.init(row:))
        var next: CatalogCursor? = nil
        if rows.count > pageSize, let last = products.last {
            let position = try rows[pageSize - 1].decode("list_position", as: Int64?.self)
            next = CatalogCursor(after: last, sort: sort, position: position)
        }
        return ProductPage(products: products, next: next)
    }

    /// The columns `ProductSummary(row:)` reads, over `products p` joined with `summaryJoins`.
    static let summaryColumns: Query = """
        p.id, p.handle, p.title, p.vendor, p.product_type, p.tags, p.created_at,
        p.price_min_minor, p.price_max_minor, p.available,
        v.id AS variant_id, v.price_minor, v.compare_at_minor,
        i.storage_key AS image_key, i.alt AS image_alt, i.width AS image_width, i.height AS image_height
        """

    /// The first variant and the first image of each product `p`.
    static let summaryJoins: Query = """
        LEFT JOIN LATERAL (
            SELECT id, price_minor, compare_at_minor FROM variants
            WHERE product_id = p.id ORDER BY position LIMIT 1
        ) v ON true
        LEFT JOIN LATERAL (
            SELECT storage_key, alt, width, height FROM product_images
            WHERE product_id = p.id ORDER BY position LIMIT 1
        ) i ON true
        """
}

extension ProductSummary {
    init(row: Row) throws {
        id = try row.decode("id")
        handle = try row.decode("handle")
        title = try row.decode("title")
        vendor = try row.decode("vendor")
        productType = try row.decode("product_type")
        tags = try row.decode("tags")
        createdAt = try row.decode("created_at")
        firstVariantId = try row.decode("variant_id")
        priceMinor = try row.decode("price_minor")
        compareAtMinor = try row.decode("compare_at_minor")
        minPriceMinor = try row.decode("price_min_minor")
        maxPriceMinor = try row.decode("price_max_minor")
        available = try row.decode("available")
        if let key = try row.decode("image_key", as: String?.self) {
            image = ImageReference(
                storageKey: key, alt: try row.decode("image_alt"),
                width: try row.decode("image_width"), height: try row.decode("image_height"))
        } else {
            image = nil
        }
    }
}
