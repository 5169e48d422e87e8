import Postgres

/// The active products of one store's database, read as three ordered streams walked in step
/// (a merge join on this side): the products with their variants, the products' galleries and
/// the variants' option values, each a server-side cursor fetched `batchSize` rows at a time
/// inside one read-only transaction (one snapshot). PostgreSQL runs no subquery per row, and
/// memory is one batch per stream whatever the catalog size. Rows come one per variant,
/// products in id order, variants in position order. Draft and archived products are never read.
public struct CatalogFeedSource: FeedSource {
    public let db: Connection
    /// Only products in these collections; empty: the whole active catalog.
    public let collectionIds: [Int64]
    /// Rows per FETCH: large enough that round trips do not count, small enough to stay flat.
    public let batchSize: Int

    public init(db: Connection, collectionIds: [Int64] = [], batchSize: Int = 1000) {
        self.db = db
        self.collectionIds = collectionIds
        self.batchSize = max(batchSize, 1)
    }

    /// The gallery images read per product: one main image and the ten extra ones Google takes.
    static let imagesPerProduct = 11

    public func forEachVariant(_ body: (FeedVariantRecord) throws -> Void) throws {
        var listed: Query = "p.status = 'active'"
        if !collectionIds.isEmpty {
            listed = listed + " AND p.id IN (SELECT product_id FROM collection_products WHERE collection_id = ANY(\(collectionIds.map { Int($0) })))"
        }
        // Column order matters: rows are decoded by position.
        let variants: Query = """
            SELECT p.id, p.handle, p.title, p.description_html, p.vendor, p.product_type,
                   p.condition, p.google_product_category, count(v.id) OVER (PARTITION BY p.id)::int,
                   v.id, v.title, v.sku, v.barcode, v.mpn, v.price_minor, v.compare_at_minor,
                   v.weight_grams, v.inventory_tracked, v.inventory_quantity, v.inventory_policy,
                   vi.storage_key
            FROM products p
            LEFT JOIN variants v ON v.product_id = p.id
            LEFT JOIN product_images vi ON vi.id = v.image_id
            WHERE \(listed)
            ORDER BY p.id, v.position
            """
        let images: Query = """
            SELECT i.product_id, i.storage_key
            FROM product_images i JOIN products p ON p.id = i.product_id
            WHERE \(listed)
            ORDER BY i.product_id, i.position
            """
        let options: Query = """
            SELECT x.product_id, x.variant_id, o.name, ov.value
            FROM variant_option_values x
            JOIN products p ON p.id = x.product_id
            JOIN variants v ON v.id = x.variant_id
            JOIN product_options o ON o.id = x.option_id
            JOIN product_option_values ov ON ov.id = x.option_value_id
            WHERE \(listed)
            ORDER BY x.product_id, v.position, o.position
            """
        try db.transaction(readOnly: true) { db in
            // A feed reads everything once: JIT compilation and parallel workers only add start-up
            // time (JIT alone cost seconds on 100,000 variants). The two sorts (variants by
            // position, options by variant) fit in memory instead of spilling to disk.
            try db.execute("SET LOCAL jit = off")
            try db.execute("SET LOCAL max_parallel_workers_per_gather = 0")
            try db.execute("SET LOCAL work_mem = '32MB'")
            var variantRows = try Cursor(db, name: "feed_variants", query: variants, batchSize: batchSize)
            var imageRows = try Cursor(db, name: "feed_images", query: images, batchSize: batchSize)
            var optionRows = try Cursor(db, name: "feed_options", query: options, batchSize: batchSize)

            var productId: Int64 = -1
            var gallery: [String] = []
            while let row = try variantRows.next() {
                let id: Int64 = try row.decode(0)
                if id != productId {
                    productId = id
                    gallery.removeAll(keepingCapacity: true)
                    while let image = try imageRows.peek() {
                        let imageProduct: Int64 = try image.decode(0)
                        if imageProduct > id { break }
                        if imageProduct == id && gallery.count < CatalogFeedSource.imagesPerProduct {
                            gallery.append(try image.decode(1))
                        }
                        imageRows.advance()
                    }
                }
                let variantId: Int64? = try row.decode(9)
                var pairs: [(name: String, value: String)] = []
                if let variantId {
                    // Options arrive in the variants' order, so the next ones are this variant's
                    // (rows of products or variants not listed here are skipped).
                    while let option = try optionRows.peek() {
                        let optionProduct: Int64 = try option.decode(0)
                        if optionProduct > id { break }
                        if optionProduct == id {
                            let optionVariant: Int64 = try option.decode(1)
                            if optionVariant != variantId { break }
                            pairs.append((try option.decode(2), try option.decode(3)))
                        }
                        optionRows.advance()
                    }
                }
                try body(FeedVariantRecord(
                    productId: id, handle: try row.decode(1), title: try row.decode(2),
                    descriptionHTML: try row.decode(3), vendor: try row.decode(4),
                    productType: try row.decode(5), condition: try row.decode(6),
                    googleProductCategory: try row.decode(7),
                    variantCount: Int(try row.decode(8, as: Int32.self)),
                    variantId: variantId,
                    variantTitle: try row.decode(10, as: String?.self) ?? "",
                    sku: try row.decode(11), barcode: try row.decode(12), mpn: try row.decode(13),
                    priceMinor: try row.decode(14), compareAtMinor: try row.decode(15),
                    weightGrams: Int(try row.decode(16, as: Int32?.self) ?? 0),
                    inventoryTracked: try row.decode(17, as: Bool?.self) ?? true,
                    inventoryQuantity: Int(try row.decode(18, as: Int32?.self) ?? 0),
                    sellsWhenSoldOut: try row.decode(19, as: String?.self) == "continue",
                    options: pairs,
                    variantImageKey: try row.decode(20),
                    imageKeys: gallery))
            }
            try db.execute("CLOSE feed_variants")
            try db.execute("CLOSE feed_images")
            try db.execute("CLOSE feed_options")
        }
    }
}

/// A server-side cursor read `batchSize` rows at a time.
private struct Cursor {
    let db: Connection
    let fetch: Query
    let batchSize: Int
    var batch: [Row] = []
    var index = 0
    var exhausted = false

    init(_ db: Connection, name: String, query: Query, batchSize: Int) throws {
        self.db = db
        self.batchSize = batchSize
        self.fetch = Query(unsafeSQL: "FETCH \(batchSize) FROM " + name)
        try db.execute(Query(unsafeSQL: "DECLARE " + name + " NO SCROLL CURSOR FOR ") + query)
    }

    /// The current row, fetching the next batch when this one is used up; nil at the end.
    mutating func peek() throws -> Row? {
        if index < batch.count { return batch[index] }
        if exhausted { return nil }
        batch = []     // let the previous result go before the next one arrives
        batch = try db.query(fetch)
        index = 0
        if batch.count < batchSize { exhausted = true }
        return batch.first
    }

    mutating func advance() { index += 1 }

    mutating func next() throws -> Row? {
        guard let row = try peek() else { return nil }
        advance()
        return row
    }
}
