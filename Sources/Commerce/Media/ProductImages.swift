import Postgres

/// One image of a product as the admin lists it.
public struct ProductImageRow: Sendable, Hashable {
    public let id: Int64
    public let position: Int
    public let alt: String
    public let storageKey: String
    public let contentType: String
    public let width: Int?
    public let height: Int?
    public let byteSize: Int64?
    /// Resized copies made so far (0 until the `media.resize` job has run).
    public let copies: Int
}

/// A product's images: add uploaded files, order, alt text, delete, a variant's image. Every
/// change is one transaction with its audit line; the tenant's triggers move the storefront's
/// cache version.
public enum ProductImages {
    /// The job that makes an image's resized copies (payload `{"image_id": N}`).
    public static let resizeJobKind = "media.resize"
    /// Longest alt text kept.
    public static let maximumAltLength = 512
    /// Images one product may have.
    public static let maximumPerProduct = 250

    public static func list(productId: Int64, on db: Connection) throws -> [ProductImageRow] {
        try db.query("""
            SELECT i.id, i.position, i.alt, i.storage_key, i.content_type, i.width, i.height, i.byte_size,
                   (SELECT count(*) FROM product_image_sizes s WHERE s.image_id = i.id)::int AS copies
            FROM product_images i WHERE i.product_id = \(productId) ORDER BY i.position
            """).map { row in
            ProductImageRow(id: try row.decode("id"), position: try row.decode("position"), alt: try row.decode("alt"),
                            storageKey: try row.decode("storage_key"), contentType: try row.decode("content_type"),
                            width: try row.decode("width"), height: try row.decode("height"),
                            byteSize: try row.decode("byte_size"), copies: try row.decode("copies"))
        }
    }

    /// Stores checked uploads as the product's last images and queues their resizing through
    /// the outbox, in one transaction; files are written first and removed again if the
    /// transaction fails. Returns the new images' ids.
    @discardableResult
    public static func add(_ uploads: [ProductImageUpload], alt: String = "", productId: Int64, media: ProductMediaStore,
                           by actor: CatalogActor, on db: Connection) throws -> [Int64] {
        var keys: [String] = []
        do {
            for upload in uploads {
                let key = ProductMediaStore.newKey(fileExtension: upload.header.type.fileExtension)
                try media.write(upload.bytes, key: key)
                keys.append(key)
            }
            return try db.transaction { db in
                guard let product = try db.queryFirst("""
                    SELECT (SELECT coalesce(max(position), 0) FROM product_images WHERE product_id = p.id) AS last,
                           (SELECT count(*) FROM product_images WHERE product_id = p.id)::int AS images
                    FROM products p WHERE p.id = \(productId) FOR UPDATE
                    """) else { throw CatalogAdminError.notFound("product") }
                let last: Int = try product.decode("last")
                if try product.decode("images", as: Int.self) + uploads.count > maximumPerProduct {
                    throw CatalogValidation("images", "A product can have at most \(maximumPerProduct) images.")
                }
                var ids: [Int64] = []
                for (n, (upload, key)) in zip(uploads, keys).enumerated() {
                    guard let row = try db.queryFirst("""
                        INSERT INTO product_images (product_id, position, alt, storage_key, content_type, width, height, byte_size)
                        VALUES (\(productId), \(last + n + 1), \(String(alt.prefix(maximumAltLength))), \(key),
                                \(upload.header.type.contentType), \(upload.header.width), \(upload.header.height), \(upload.bytes.count))
                        RETURNING id
                        """) else { throw CommerceError.missingResult("adding an image") }
                    let id: Int64 = try row.decode("id")
                    ids.append(id)
                    try db.execute("""
                        INSERT INTO outbox (topic, payload) VALUES (\(resizeJobKind), jsonb_build_object('image_id', \(id)::bigint))
                        """)
                }
                try CatalogAudit.record("product.images_added", subjectType: "product", subjectId: productId,
                                        details: ["image_ids": .numbers(ids)], by: actor, on: db)
                return ids
            }
        } catch {
            media.remove(keys)
            throw error
        }
    }

    /// What the image form changes: new alt texts, the new order (every image id, first to
    /// last) and each variant's image (nil: none).
    public struct Changes: Sendable {
        public var alts: [Int64: String] = [:]
        public var order: [Int64] = []
        public var variantImages: [Int64: Int64?] = [:]
        public init() {}
    }

    /// Applies `changes` in one transaction; ids that are not this product's are refused.
    public static func update(productId: Int64, _ changes: Changes, by actor: CatalogActor, on db: Connection) throws {
        var problems = CatalogValidation()
        for (id, alt) in changes.alts where alt.count > maximumAltLength {
            problems.add("alt_\(id)", "Keep the alt text under \(maximumAltLength) characters.")
        }
        if !problems.errors.isEmpty { throw problems }
        try db.transaction { db in
            let current = try db.query("SELECT id FROM product_images WHERE product_id = \(productId) ORDER BY position FOR UPDATE")
                .map { try $0.decode("id", as: Int64.self) }
            guard try db.queryFirst("SELECT 1 FROM products WHERE id = \(productId)") != nil else { throw CatalogAdminError.notFound("product") }
            let known = Set(current)
            for (id, alt) in changes.alts {
                guard known.contains(id) else { throw CatalogAdminError.notFound("image") }
                try db.execute("UPDATE product_images SET alt = \(alt) WHERE id = \(id) AND alt <> \(alt)")
            }
            if !changes.order.isEmpty, changes.order != current {
                guard Set(changes.order) == known, changes.order.count == current.count else {
                    throw CatalogValidation("order", "The images changed meanwhile; reload the page and try again.")
                }
                try db.execute("SET CONSTRAINTS ALL DEFERRED")
                try db.execute("""
                    UPDATE product_images i SET position = o.n
                    FROM unnest(\(changes.order)::bigint[]) WITH ORDINALITY AS o(id, n)
                    WHERE i.id = o.id AND i.product_id = \(productId)
                    """)
            }
            for (variantId, imageId) in changes.variantImages {
                if let imageId, !known.contains(imageId) { throw CatalogAdminError.notFound("image") }
                let updated = try db.execute("""
                    UPDATE variants SET image_id = \(imageId)
                    WHERE id = \(variantId) AND product_id = \(productId) AND image_id IS DISTINCT FROM \(imageId)
                    """)
                _ = updated
            }
            try CatalogAudit.record("product.images_updated", subjectType: "product", subjectId: productId,
                                    details: ["alts": .numbers(changes.alts.keys.sorted()),
                                              "order": .numbers(changes.order),
                                              "variants": .numbers(changes.variantImages.keys.sorted())],
                                    by: actor, on: db)
        }
    }

    /// Deletes an image (its variants lose it; the rest close up) and, after the commit, its
    /// files and copies.
    public static func delete(imageId: Int64, productId: Int64, media: ProductMediaStore, by actor: CatalogActor,
                              on db: Connection) throws {
        let keys: [String] = try db.transaction { db in
            // The copies' rows go with the image (ON DELETE CASCADE): read their files first.
            let copies = try db.query("SELECT storage_key FROM product_image_sizes WHERE image_id = \(imageId)")
                .map { try $0.decode("storage_key", as: String.self) }
            guard let row = try db.queryFirst("""
                DELETE FROM product_images WHERE id = \(imageId) AND product_id = \(productId) RETURNING storage_key
                """) else { throw CatalogAdminError.notFound("image") }
            try db.execute("SET CONSTRAINTS ALL DEFERRED")
            try db.execute("""
                UPDATE product_images i SET position = o.n
                FROM (SELECT id, row_number() OVER (ORDER BY position)::int AS n FROM product_images
                      WHERE product_id = \(productId)) o
                WHERE i.id = o.id AND i.position <> o.n
                """)
            try CatalogAudit.record("product.image_deleted", subjectType: "product", subjectId: productId,
                                    details: ["image_id": .number(imageId)], by: actor, on: db)
            let key: String = try row.decode("storage_key")
            return [key] + copies
        }
        media.remove(keys)
    }
}

extension ProductImages {
    /// A product's variants with their image, for the image form's pickers.
    public static func variants(productId: Int64, on db: Connection) throws -> [(id: Int64, title: String, imageId: Int64?)] {
        try db.query("""
            SELECT id, title, image_id FROM variants WHERE product_id = \(productId) ORDER BY position
            """).map { (try $0.decode("id"), try $0.decode("title"), try $0.decode("image_id")) }
    }

    /// The product's title, or nil when it is gone.
    public static func productTitle(_ productId: Int64, on db: Connection) throws -> String? {
        try db.queryFirst("SELECT title FROM products WHERE id = \(productId)")?.decode("title")
    }
}
