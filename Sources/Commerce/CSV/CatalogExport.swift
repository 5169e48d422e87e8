import Postgres

/// Writes the whole catalog in Shopify's product CSV format, products in id order, a batch of
/// products at a time (four queries per batch), so memory stays flat however big the store.
public enum CatalogExport {
    /// - Parameters:
    ///   - imageURL: the public URL of a stored image from its storage key.
    ///   - currencyDigits: decimals of the store's currency.
    public static func write(on db: Connection, to writer: inout CSVWriter, currencyDigits: Int = 2,
                             imageURL: (String) -> String, batchSize: Int = 500) throws {
        try writer.write(ShopifyProductCSV.columns)
        var after: Int64 = 0
        while true {
            let products = try db.query("""
                SELECT p.id, p.handle, p.title, p.description_html, p.vendor, p.product_type, p.tags, p.status,
                       p.seo_title, p.seo_description,
                       (WITH RECURSIVE up (id, parent_id, name, depth) AS (
                            SELECT id, parent_id, name, 0 FROM categories WHERE id = p.category_id
                            UNION ALL SELECT c.id, c.parent_id, c.name, up.depth + 1 FROM categories c JOIN up ON c.id = up.parent_id
                        ) SELECT string_agg(name, ' > ' ORDER BY depth DESC) FROM up) AS category_path,
                       ARRAY(SELECT name FROM product_options WHERE product_id = p.id ORDER BY position) AS option_names
                FROM products p WHERE p.id > \(after) ORDER BY p.id LIMIT \(batchSize)
                """)
            guard let last = products.last else { break }
            after = try last.decode("id")
            let ids = try products.map { try $0.decode("id", as: Int64.self) }
            let variants = try db.query("""
                SELECT v.product_id, v.sku, v.barcode, v.price_minor, v.compare_at_minor, v.cost_minor, v.weight_grams,
                       v.inventory_quantity, v.inventory_policy, v.inventory_tracked, v.requires_shipping, v.taxable,
                       i.storage_key AS image_key,
                       (SELECT s.src FROM product_image_sources s WHERE s.product_id = v.product_id
                          AND v.sku = ANY(s.variant_skus) ORDER BY s.position LIMIT 1) AS image_src,
                       ARRAY(SELECT pov.value FROM variant_option_values vov
                             JOIN product_options po ON po.id = vov.option_id
                             JOIN product_option_values pov ON pov.id = vov.option_value_id
                             WHERE vov.variant_id = v.id ORDER BY po.position) AS option_values
                FROM variants v LEFT JOIN product_images i ON i.id = v.image_id
                WHERE v.product_id = ANY(\(ids)) ORDER BY v.product_id, v.position
                """)
            let images = try db.query("""
                SELECT product_id, position, alt, storage_key AS key, NULL AS src FROM product_images WHERE product_id = ANY(\(ids))
                UNION ALL
                SELECT product_id, position, alt, NULL, src FROM product_image_sources WHERE product_id = ANY(\(ids))
                ORDER BY 1, 2
                """)
            var variantsByProduct: [Int64: [Row]] = [:]
            for row in variants { variantsByProduct[try row.decode("product_id"), default: []].append(row) }
            var imagesByProduct: [Int64: [(src: String, alt: String)]] = [:]
            for row in images {
                let src = try row.decode("src", as: String?.self) ?? imageURL(try row.decode("key"))
                imagesByProduct[try row.decode("product_id"), default: []].append((src, try row.decode("alt")))
            }
            for product in products {
                let id: Int64 = try product.decode("id")
                try writeProduct(product, variants: variantsByProduct[id] ?? [], images: imagesByProduct[id] ?? [],
                                 to: &writer, currencyDigits: currencyDigits, imageURL: imageURL)
            }
        }
        try writer.flush()
    }

    private static func writeProduct(_ p: Row, variants: [Row], images: [(src: String, alt: String)], to writer: inout CSVWriter,
                                     currencyDigits: Int, imageURL: (String) -> String) throws {
        let names: [String] = try p.decode("option_names")
        let handle: String = try p.decode("handle")
        let status: String = try p.decode("status")
        let rowCount = max(variants.count, images.count, 1)
        for n in 0..<rowCount {
            var f: [String: String] = ["Handle": handle]
            if n == 0 {
                f["Title"] = try p.decode("title")
                f["Body (HTML)"] = try p.decode("description_html")
                f["Vendor"] = try p.decode("vendor")
                f["Product Category"] = try p.decode("category_path", as: String?.self) ?? ""
                f["Type"] = try p.decode("product_type")
                f["Tags"] = try p.decode("tags", as: [String].self).joined(separator: ", ")
                f["Published"] = status == "active" ? "TRUE" : "FALSE"
                f["Gift Card"] = "FALSE"
                f["SEO Title"] = try p.decode("seo_title", as: String?.self) ?? ""
                f["SEO Description"] = try p.decode("seo_description", as: String?.self) ?? ""
                f["Status"] = status
                if names.isEmpty {
                    f["Option1 Name"] = "Title"
                } else {
                    for (i, name) in names.enumerated() { f["Option\(i + 1) Name"] = name }
                }
            }
            if n < variants.count {
                let v = variants[n]
                let values: [String] = try v.decode("option_values")
                if names.isEmpty { f["Option1 Value"] = "Default Title" }
                for (i, value) in values.enumerated() { f["Option\(i + 1) Value"] = value }
                f["Variant SKU"] = try v.decode("sku", as: String?.self) ?? ""
                f["Variant Grams"] = String(try v.decode("weight_grams", as: Int.self))
                let tracked: Bool = try v.decode("inventory_tracked")
                f["Variant Inventory Tracker"] = tracked ? "shopify" : ""
                f["Variant Inventory Qty"] = String(try v.decode("inventory_quantity", as: Int.self))
                f["Variant Inventory Policy"] = try v.decode("inventory_policy")
                f["Variant Fulfillment Service"] = "manual"
                f["Variant Price"] = CatalogText.decimal(try v.decode("price_minor"), digits: currencyDigits)
                f["Variant Compare At Price"] = try v.decode("compare_at_minor", as: Int64?.self)
                    .map { CatalogText.decimal($0, digits: currencyDigits) } ?? ""
                f["Variant Requires Shipping"] = try v.decode("requires_shipping", as: Bool.self) ? "TRUE" : "FALSE"
                f["Variant Taxable"] = try v.decode("taxable", as: Bool.self) ? "TRUE" : "FALSE"
                f["Variant Barcode"] = try v.decode("barcode", as: String?.self) ?? ""
                f["Variant Image"] = try v.decode("image_key", as: String?.self).map(imageURL)
                    ?? (try v.decode("image_src", as: String?.self) ?? "")
                f["Variant Weight Unit"] = "g"
                f["Cost per item"] = try v.decode("cost_minor", as: Int64?.self)
                    .map { CatalogText.decimal($0, digits: currencyDigits) } ?? ""
            }
            if n < images.count {
                f["Image Src"] = images[n].src
                f["Image Position"] = String(n + 1)
                f["Image Alt Text"] = images[n].alt
            }
            try writer.write(ShopifyProductCSV.columns.map { f[$0] ?? "" })
        }
    }
}
