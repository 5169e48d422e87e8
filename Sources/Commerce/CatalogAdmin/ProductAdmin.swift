import Foundation
import Postgres

/// Creating, editing, archiving and deleting products for the admin and CSV imports. Every write
/// is one transaction (a savepoint inside a caller's), records an entry in the store's audit log,
/// and moves the storefront's cache key through the tables' triggers (migrations 0006, 0010).
/// Problems with the input are thrown as one `CatalogValidation` listing every field at fault.
public enum ProductAdmin {
    /// Creates a product; returns its id.
    @discardableResult
    public static func create(_ input: ProductInput, by actor: CatalogActor, on db: Connection,
                              movementReason: String = "initial") throws -> Int64 {
        try db.transaction { db in
            try write(input, productId: nil, by: actor, on: db, movementReason: movementReason)
        }
    }

    /// Replaces a product's fields, options and variants with `input`. Variants are matched by
    /// id; submitted variants without one are added, the product's others deleted. An empty
    /// handle keeps the current one; a new handle leaves a redirect from the old one.
    public static func update(_ id: Int64, _ input: ProductInput, by actor: CatalogActor, on db: Connection,
                              movementReason: String = "adjustment") throws {
        try db.transaction { db in
            _ = try write(input, productId: id, by: actor, on: db, movementReason: movementReason)
        }
    }

    static func write(_ raw: ProductInput, productId: Int64?, by actor: CatalogActor, on db: Connection,
                      movementReason: String) throws -> Int64 {
        var (input, errors) = raw.normalized()
        var before: ProductRecord? = nil
        if let productId {
            guard try db.queryFirst("SELECT id FROM products WHERE id = \(productId) FOR UPDATE") != nil else {
                throw CatalogAdminError.notFound("product")
            }
            before = try load(productId, on: db)
            if input.handle == nil { input.handle = before?.handle }
        }
        let others = productId ?? 0

        if let categoryId = input.categoryId,
           try db.queryFirst("SELECT 1 FROM categories WHERE id = \(categoryId)") == nil {
            errors.add("category_id", "That category no longer exists.")
        }
        if let handle = input.handle {
            if try db.queryFirst("SELECT 1 FROM products WHERE handle = \(handle) AND id <> \(others)") != nil {
                errors.add("handle", "Another product already uses the handle “\(handle)”.")
            }
        } else if errors["title"] == nil {
            input.handle = try uniqueHandle(from: input.title, on: db)
        }
        let skus = input.variants.compactMap(\.sku)
        if !skus.isEmpty {
            let taken = try db.query("""
                SELECT v.sku, p.title FROM variants v JOIN products p ON p.id = v.product_id
                WHERE v.sku = ANY(\(skus)) AND v.product_id <> \(others)
                """)
            for row in taken {
                let sku: String = try row.decode("sku")
                let title: String = try row.decode("title")
                if let i = input.variants.firstIndex(where: { $0.sku == sku }) {
                    errors.add("variants.\(i).sku", "SKU \(sku) is already used by “\(title)”.")
                }
            }
        }
        if let productId {
            let known = Set(before?.variants.compactMap(\.id) ?? [])
            for (i, v) in input.variants.enumerated() where v.id != nil && !known.contains(v.id!) {
                errors.add("variants.\(i)", "This variant was deleted meanwhile; reload the page.")
            }
            _ = productId
        }
        try errors.throwIfAny()

        let id = try writeProductRow(input, productId: productId, on: db)
        try VariantWriter(productId: id, actor: actor, movementReason: movementReason)
            .write(options: input.options, variants: input.variants, before: before?.variants ?? [], on: db)
        try CollectionAdmin.refreshAutomaticMembership(productIds: [id], on: db)

        if let before {
            try CatalogAudit.record("product.update", subjectType: "product", subjectId: id,
                                    details: ["title": .text(input.title), "changed": .list(before.changedFields(to: input))],
                                    by: actor, on: db)
        } else {
            try CatalogAudit.record("product.create", subjectType: "product", subjectId: id,
                                    details: ["title": .text(input.title), "handle": .text(input.handle ?? "")],
                                    by: actor, on: db)
        }
        return id
    }

    private static func writeProductRow(_ p: ProductInput, productId: Int64?, on db: Connection) throws -> Int64 {
        if let productId {
            try db.execute("""
                UPDATE products SET handle = \(p.handle!), title = \(p.title), description_html = \(p.descriptionHTML),
                    vendor = \(p.vendor), product_type = \(p.productType), tags = \(p.tags)::text[],
                    status = \(p.status.rawValue), seo_title = \(p.seoTitle), seo_description = \(p.seoDescription),
                    category_id = \(p.categoryId), updated_at = now()
                WHERE id = \(productId)
                """)
            return productId
        }
        guard let row = try db.queryFirst("""
            INSERT INTO products (handle, title, description_html, vendor, product_type, tags, status,
                                  seo_title, seo_description, category_id)
            VALUES (\(p.handle!), \(p.title), \(p.descriptionHTML), \(p.vendor), \(p.productType), \(p.tags)::text[],
                    \(p.status.rawValue), \(p.seoTitle), \(p.seoDescription), \(p.categoryId))
            RETURNING id
            """) else { throw CommerceError.missingResult("inserting a product") }
        return try row.decode("id")
    }

    /// A handle from `title` that no product uses yet: `mug`, then `mug-1`, `mug-2`, ...
    static func uniqueHandle(from title: String, on db: Connection) throws -> String {
        let base = CatalogText.handle(from: title).isEmpty ? "product" : CatalogText.handle(from: title)
        let taken = Set(try db.query("""
            SELECT handle FROM products WHERE handle = \(base) OR handle LIKE \(base + "-%")
            """).map { try $0.decode("handle", as: String.self) })
        if !taken.contains(base) { return base }
        var n = 1
        while taken.contains("\(base)-\(n)") { n += 1 }
        return "\(base)-\(n)"
    }
}

/// Catalog admin failures that are not a field's fault.
public enum CatalogAdminError: Error, CustomStringConvertible, Sendable {
    /// The product, collection or category is gone (deleted in another tab, or a wrong id).
    case notFound(String)

    public var description: String {
        switch self {
        case .notFound(let what): return "That \(what) no longer exists."
        }
    }
}
