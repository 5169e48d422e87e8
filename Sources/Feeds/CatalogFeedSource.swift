import Postgres

/// The active products of one store's database, streamed (libpq single-row mode): one row per
/// variant, products in id order, variants in position order. Draft and archived products are
/// never read. Memory is one row at a time whatever the catalog size.
public struct CatalogFeedSource: FeedSource {
    public let db: Connection
    /// Only products in these collections; empty: the whole active catalog.
    public let collectionIds: [Int64]

    public init(db: Connection, collectionIds: [Int64] = []) {
        self.db = db
        self.collectionIds = collectionIds
    }

    /// The gallery images read per product: one main image and the ten extra ones Google takes.
    static let imagesPerProduct = 11

    public func forEachVariant(_ body: (FeedVariantRecord) throws -> Void) throws {
        var filter: Query = "p.status = 'active'"
        if !collectionIds.isEmpty {
            filter = filter + " AND p.id IN (SELECT product_id FROM collection_products WHERE collection_id = ANY(\(collectionIds.map { Int($0) })))"
        }
        let query: Query = """
            SELECT p.id AS product_id, p.handle, p.title, p.description_html, p.vendor, p.product_type,
                   p.condition, p.google_product_category,
                   (SELECT count(*) FROM variants c WHERE c.product_id = p.id)::int AS variant_count,
                   v.id AS variant_id, v.title AS variant_title, v.sku, v.barcode, v.mpn, v.price_minor,
                   v.compare_at_minor, v.weight_grams, v.inventory_tracked, v.inventory_quantity,
                   v.inventory_policy, vi.storage_key AS variant_image_key,
                   ARRAY(SELECT i.storage_key FROM product_images i WHERE i.product_id = p.id
                         ORDER BY i.position LIMIT \(CatalogFeedSource.imagesPerProduct)) AS image_keys,
                   ARRAY(SELECT o.name || chr(31) || ov.value
                         FROM variant_option_values x
                         JOIN product_options o ON o.id = x.option_id
                         JOIN product_option_values ov ON ov.id = x.option_value_id
                         WHERE x.variant_id = v.id ORDER BY o.position) AS options
            FROM products p
            LEFT JOIN variants v ON v.product_id = p.id
            LEFT JOIN product_images vi ON vi.id = v.image_id
            WHERE \(filter)
            ORDER BY p.id, v.position
            """
        try db.stream(query) { row in
            let options: [String] = try row.decode("options")
            try body(FeedVariantRecord(
                productId: try row.decode("product_id"), handle: try row.decode("handle"),
                title: try row.decode("title"), descriptionHTML: try row.decode("description_html"),
                vendor: try row.decode("vendor"), productType: try row.decode("product_type"),
                condition: try row.decode("condition"),
                googleProductCategory: try row.decode("google_product_category"),
                variantCount: Int(try row.decode("variant_count", as: Int32.self)),
                variantId: try row.decode("variant_id"),
                variantTitle: try row.decode("variant_title", as: String?.self) ?? "",
                sku: try row.decode("sku"), barcode: try row.decode("barcode"), mpn: try row.decode("mpn"),
                priceMinor: try row.decode("price_minor"), compareAtMinor: try row.decode("compare_at_minor"),
                weightGrams: Int(try row.decode("weight_grams", as: Int32?.self) ?? 0),
                inventoryTracked: try row.decode("inventory_tracked", as: Bool?.self) ?? true,
                inventoryQuantity: Int(try row.decode("inventory_quantity", as: Int32?.self) ?? 0),
                sellsWhenSoldOut: try row.decode("inventory_policy", as: String?.self) == "continue",
                options: options.map { pair in
                    let parts = pair.split(separator: "\u{1F}", maxSplits: 1, omittingEmptySubsequences: false)
                    return (String(parts[0]), parts.count > 1 ? String(parts[1]) : "")
                },
                variantImageKey: try row.decode("variant_image_key"),
                imageKeys: try row.decode("image_keys")))
        }
    }
}
