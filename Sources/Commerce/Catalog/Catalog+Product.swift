import Foundation
import Postgres

extension Catalog {
    /// The active product with this handle, for its page: one statement returning a row per
    /// variant (options and gallery ride along on each). A handle that a product was renamed from
    /// answers `.moved`; drafts, archived products and unknown handles are `.notFound`.
    public static func activeProduct(handle: String, on db: Connection) throws -> ProductLookup {
        let rows = try db.query(productSelect + " WHERE p.handle = \(handle) AND p.status = 'active' ORDER BY v.position")
        if let first = rows.first {
            return .found(try ProductDetail(rows: rows, first: first))
        }
        let moved = try db.queryFirst("""
            SELECT p.handle FROM product_handle_redirects r JOIN products p ON p.id = r.product_id
            WHERE r.old_handle = \(handle) AND p.status = 'active'
            """)
        if let moved { return .moved(toHandle: try moved.decode("handle")) }
        return .notFound
    }

    static let productSelect: Query = """
        SELECT p.id, p.handle, p.title, p.description_html, p.vendor, p.product_type, p.tags,
               p.seo_title, p.seo_description, p.condition, p.google_product_category,
               p.published_at, p.created_at, p.updated_at,
               o.options, g.image_ids, g.image_keys, g.image_alts, g.image_widths, g.image_heights,
               v.id AS variant_id, v.title AS variant_title, v.sku, v.barcode, v.mpn, v.price_minor,
               v.compare_at_minor, v.weight_grams, v.requires_shipping, v.taxable, v.inventory_tracked,
               v.inventory_quantity, v.inventory_policy, v.image_id, vo.option_values
        FROM products p
        LEFT JOIN LATERAL (
            SELECT json_agg(json_build_object('name', po.name, 'values', coalesce(
                       (SELECT json_agg(pov.value ORDER BY pov.position)
                        FROM product_option_values pov WHERE pov.option_id = po.id), '[]'))
                   ORDER BY po.position) AS options
            FROM product_options po WHERE po.product_id = p.id
        ) o ON true
        LEFT JOIN LATERAL (
            SELECT array_agg(id ORDER BY position) AS image_ids,
                   array_agg(storage_key ORDER BY position) AS image_keys,
                   array_agg(alt ORDER BY position) AS image_alts,
                   array_agg(width ORDER BY position) AS image_widths,
                   array_agg(height ORDER BY position) AS image_heights
            FROM product_images WHERE product_id = p.id
        ) g ON true
        LEFT JOIN variants v ON v.product_id = p.id
        LEFT JOIN LATERAL (
            SELECT array_agg(pov.value ORDER BY po.position) AS option_values
            FROM variant_option_values vov
            JOIN product_options po ON po.id = vov.option_id
            JOIN product_option_values pov ON pov.id = vov.option_value_id
            WHERE vov.variant_id = v.id
        ) vo ON true
        """
}

extension ProductDetail {
    init(rows: [Row], first: Row) throws {
        id = try first.decode("id")
        handle = try first.decode("handle")
        title = try first.decode("title")
        descriptionHTML = try first.decode("description_html")
        vendor = try first.decode("vendor")
        productType = try first.decode("product_type")
        tags = try first.decode("tags")
        seoTitle = try first.decode("seo_title")
        seoDescription = try first.decode("seo_description")
        condition = try first.decode("condition")
        googleProductCategory = try first.decode("google_product_category")
        publishedAt = try first.decode("published_at")
        createdAt = try first.decode("created_at")
        updatedAt = try first.decode("updated_at")
        options = try first.decode("options", as: JSON?.self)?.decode([ProductOption].self) ?? []

        let ids: [Int64] = try first.decode("image_ids", as: [Int64]?.self) ?? []
        let keys: [String] = try first.decode("image_keys", as: [String]?.self) ?? []
        let alts: [String] = try first.decode("image_alts", as: [String]?.self) ?? []
        let widths: [Int?] = try first.decode("image_widths", as: [Int?]?.self) ?? []
        let heights: [Int?] = try first.decode("image_heights", as: [Int?]?.self) ?? []
        images = ids.indices.map { i in
            ProductImage(id: ids[i], reference: ImageReference(
                storageKey: keys[i], alt: alts[i], width: widths[i], height: heights[i]))
        }

        var variants: [ProductVariant] = []
        variants.reserveCapacity(rows.count)
        for row in rows where !row.isNull("variant_id") {
            variants.append(ProductVariant(
                id: try row.decode("variant_id"),
                title: try row.decode("variant_title"),
                optionValues: try row.decode("option_values", as: [String]?.self) ?? [],
                sku: try row.decode("sku"),
                barcode: try row.decode("barcode"),
                mpn: try row.decode("mpn"),
                priceMinor: try row.decode("price_minor"),
                compareAtMinor: try row.decode("compare_at_minor"),
                weightGrams: try row.decode("weight_grams"),
                requiresShipping: try row.decode("requires_shipping"),
                taxable: try row.decode("taxable"),
                inventoryTracked: try row.decode("inventory_tracked"),
                inventoryQuantity: try row.decode("inventory_quantity"),
                sellsWhenSoldOut: try row.decode("inventory_policy", as: String.self) == "continue",
                imageId: try row.decode("image_id")))
        }
        self.variants = variants
    }
}
