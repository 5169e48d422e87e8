import Foundation
import Postgres

/// A product as the admin's editor shows it, drafts and archived ones included.
public struct ProductRecord: Sendable, Hashable {
    public let id: Int64
    public let handle: String
    public let title: String
    public let descriptionHTML: String
    public let vendor: String
    public let productType: String
    public let tags: [String]
    public let seoTitle: String?
    public let seoDescription: String?
    public let status: ProductStatus
    public let categoryId: Int64?
    public let options: [OptionInput]
    /// With their ids, in position order.
    public let variants: [VariantInput]
    public let images: [ImageReference]
    /// Handles this product was renamed from, which still lead to it.
    public let redirectsFrom: [String]
    public let createdAt: Date
    public let updatedAt: Date
    public let publishedAt: Date?

    /// The record as editor input (saving it unchanged changes nothing).
    public var input: ProductInput {
        ProductInput(title: title, descriptionHTML: descriptionHTML, vendor: vendor, productType: productType, tags: tags,
                     seoTitle: seoTitle, seoDescription: seoDescription, handle: handle, status: status,
                     categoryId: categoryId, options: options, variants: variants)
    }

    /// The top-level fields `input` would change, for the audit log.
    func changedFields(to input: ProductInput) -> [String] {
        var changed: [String] = []
        if input.title != title { changed.append("title") }
        if input.handle != handle { changed.append("handle") }
        if input.descriptionHTML != descriptionHTML { changed.append("description_html") }
        if input.vendor != vendor { changed.append("vendor") }
        if input.productType != productType { changed.append("product_type") }
        if input.tags != tags { changed.append("tags") }
        if input.seoTitle != seoTitle || input.seoDescription != seoDescription { changed.append("seo") }
        if input.status != status { changed.append("status") }
        if input.categoryId != categoryId { changed.append("category_id") }
        if input.options != options { changed.append("options") }
        if input.variants != variants { changed.append("variants") }
        return changed
    }
}

extension ProductAdmin {
    /// The product with this id, whatever its status; nil when there is none.
    public static func load(_ id: Int64, on db: Connection) throws -> ProductRecord? {
        guard let p = try db.queryFirst("""
            SELECT p.id, p.handle, p.title, p.description_html, p.vendor, p.product_type, p.tags, p.seo_title,
                   p.seo_description, p.status, p.category_id, p.created_at, p.updated_at, p.published_at,
                   ARRAY(SELECT old_handle FROM product_handle_redirects WHERE product_id = p.id
                         ORDER BY created_at DESC) AS redirects
            FROM products p WHERE p.id = \(id)
            """) else { return nil }
        let optionRows = try db.query("""
            SELECT po.name, ARRAY(SELECT value FROM product_option_values WHERE option_id = po.id ORDER BY position) AS vals
            FROM product_options po WHERE po.product_id = \(id) ORDER BY po.position
            """)
        let options = try optionRows.map { OptionInput(name: try $0.decode("name"), values: try $0.decode("vals")) }
        let variantRows = try db.query("""
            SELECT v.id, v.sku, v.barcode, v.price_minor, v.compare_at_minor, v.cost_minor, v.weight_grams,
                   v.inventory_quantity, v.inventory_policy, v.inventory_tracked, v.requires_shipping, v.taxable,
                   ARRAY(SELECT pov.value FROM variant_option_values vov
                         JOIN product_options po ON po.id = vov.option_id
                         JOIN product_option_values pov ON pov.id = vov.option_value_id
                         WHERE vov.variant_id = v.id ORDER BY po.position) AS option_values
            FROM variants v WHERE v.product_id = \(id) ORDER BY v.position
            """)
        let variants = try variantRows.map { row in
            VariantInput(
                id: try row.decode("id"), optionValues: try row.decode("option_values"), sku: try row.decode("sku"),
                barcode: try row.decode("barcode"), priceMinor: try row.decode("price_minor"),
                compareAtMinor: try row.decode("compare_at_minor"), costMinor: try row.decode("cost_minor"),
                weightGrams: try row.decode("weight_grams"), inventoryQuantity: try row.decode("inventory_quantity"),
                inventoryPolicy: InventoryPolicy(rawValue: try row.decode("inventory_policy")) ?? .deny,
                inventoryTracked: try row.decode("inventory_tracked"), requiresShipping: try row.decode("requires_shipping"),
                taxable: try row.decode("taxable"))
        }
        let images = try db.query("""
            SELECT storage_key, alt, width, height FROM product_images WHERE product_id = \(id) ORDER BY position
            """).map {
            ImageReference(storageKey: try $0.decode("storage_key"), alt: try $0.decode("alt"),
                           width: try $0.decode("width"), height: try $0.decode("height"))
        }
        return ProductRecord(
            id: try p.decode("id"), handle: try p.decode("handle"), title: try p.decode("title"),
            descriptionHTML: try p.decode("description_html"), vendor: try p.decode("vendor"),
            productType: try p.decode("product_type"), tags: try p.decode("tags"), seoTitle: try p.decode("seo_title"),
            seoDescription: try p.decode("seo_description"),
            status: ProductStatus(rawValue: try p.decode("status")) ?? .draft, categoryId: try p.decode("category_id"),
            options: options, variants: variants, images: images, redirectsFrom: try p.decode("redirects"),
            createdAt: try p.decode("created_at"), updatedAt: try p.decode("updated_at"),
            publishedAt: try p.decode("published_at"))
    }
}
