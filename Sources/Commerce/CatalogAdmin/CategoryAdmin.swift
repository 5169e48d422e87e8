import Postgres

/// A node of the category tree, as the admin lists it (depth-first, siblings by position).
public struct CategoryNode: Sendable, Hashable {
    public let id: Int64
    public let parentId: Int64?
    public let handle: String
    public let name: String
    public let depth: Int
    /// Names from the root: "Clothing > Shirts".
    public let path: String
    public let productCount: Int
}

/// The category tree (taxonomy): a product sits in at most one node. The database refuses cycles
/// (migration 0001's trigger); a node with children cannot be deleted until they move.
public enum CategoryAdmin {
    public static func tree(on db: Connection) throws -> [CategoryNode] {
        try db.query("""
            WITH RECURSIVE t (id, parent_id, handle, name, depth, path, sort_key) AS (
                SELECT id, parent_id, handle, name, 0, name, ARRAY[position::bigint, id]
                FROM categories WHERE parent_id IS NULL
                UNION ALL
                SELECT c.id, c.parent_id, c.handle, c.name, t.depth + 1, t.path || ' > ' || c.name,
                       t.sort_key || ARRAY[c.position::bigint, c.id]
                FROM categories c JOIN t ON c.parent_id = t.id
            )
            SELECT t.id, t.parent_id, t.handle, t.name, t.depth, t.path,
                   (SELECT count(*) FROM products p WHERE p.category_id = t.id) AS product_count
            FROM t ORDER BY t.sort_key
            """).map {
            CategoryNode(id: try $0.decode("id"), parentId: try $0.decode("parent_id"), handle: try $0.decode("handle"),
                         name: try $0.decode("name"), depth: try $0.decode("depth"), path: try $0.decode("path"),
                         productCount: try $0.decode("product_count"))
        }
    }

    /// Creates a category under `parentId` (nil: at the top), last among its siblings.
    @discardableResult
    public static func create(name: String, handle: String? = nil, parentId: Int64?, by actor: CatalogActor,
                              on db: Connection) throws -> Int64 {
        try db.transaction { db in
            let (name, handle) = try validate(name: name, handle: handle, parentId: parentId, id: nil, on: db)
            guard let row = try db.queryFirst("""
                INSERT INTO categories (parent_id, handle, name, position)
                VALUES (\(parentId), \(handle), \(name),
                        (SELECT coalesce(max(position), 0) + 1 FROM categories WHERE parent_id IS NOT DISTINCT FROM \(parentId)))
                RETURNING id
                """) else { throw CommerceError.missingResult("inserting a category") }
            let id: Int64 = try row.decode("id")
            try CatalogAudit.record("category.create", subjectType: "category", subjectId: id,
                                    details: ["name": .text(name)], by: actor, on: db)
            return id
        }
    }

    /// Renames or moves a category. Moving it under one of its own descendants is refused.
    public static func update(_ id: Int64, name: String, handle: String?, parentId: Int64?, by actor: CatalogActor,
                              on db: Connection) throws {
        try db.transaction { db in
            guard try db.queryFirst("SELECT 1 FROM categories WHERE id = \(id) FOR UPDATE") != nil else {
                throw CatalogAdminError.notFound("category")
            }
            let (name, handle) = try validate(name: name, handle: handle, parentId: parentId, id: id, on: db)
            if let parentId, try db.queryFirst("""
                WITH RECURSIVE up (id, parent_id) AS (
                    SELECT id, parent_id FROM categories WHERE id = \(parentId)
                    UNION SELECT c.id, c.parent_id FROM categories c JOIN up ON c.id = up.parent_id
                ) SELECT 1 FROM up WHERE id = \(id)
                """) != nil {
                throw CatalogValidation("parent_id", "A category cannot go inside itself or one of its subcategories.")
            }
            try db.execute("UPDATE categories SET name = \(name), handle = \(handle), parent_id = \(parentId) WHERE id = \(id)")
            try CatalogAudit.record("category.update", subjectType: "category", subjectId: id,
                                    details: ["name": .text(name)], by: actor, on: db)
        }
    }

    /// Deletes a category without subcategories; its products keep existing, uncategorised.
    public static func delete(_ id: Int64, by actor: CatalogActor, on db: Connection) throws {
        try db.transaction { db in
            if try db.queryFirst("SELECT 1 FROM categories WHERE parent_id = \(id) LIMIT 1") != nil {
                throw CatalogValidation("category", "Move or delete its subcategories first.")
            }
            guard let row = try db.queryFirst("DELETE FROM categories WHERE id = \(id) RETURNING name") else {
                throw CatalogAdminError.notFound("category")
            }
            try CatalogAudit.record("category.delete", subjectType: "category", subjectId: id,
                                    details: ["name": .text(try row.decode("name"))], by: actor, on: db)
        }
    }

    private static func validate(name raw: String, handle rawHandle: String?, parentId: Int64?, id: Int64?,
                                 on db: Connection) throws -> (String, String) {
        var errors = CatalogValidation()
        let name = raw.trimmedWhitespace()
        if name.isEmpty { errors.add("name", "Enter a name.") } else if name.count > 255 { errors.add("name", "Name must be at most 255 characters.") }
        var handle = rawHandle?.trimmedWhitespace().lowercased() ?? ""
        if handle.isEmpty { handle = CatalogText.handle(from: name) }
        if handle.isEmpty { handle = "category" }
        if !CatalogText.isValidHandle(handle) {
            errors.add("handle", "Use only lower-case letters, digits, dashes and underscores.")
        } else if try db.queryFirst("SELECT 1 FROM categories WHERE handle = \(handle) AND id <> \(id ?? 0)") != nil {
            if rawHandle?.trimmedWhitespace().isEmpty ?? true {
                var n = 1
                while try db.queryFirst("SELECT 1 FROM categories WHERE handle = \(handle + "-\(n)")") != nil { n += 1 }
                handle += "-\(n)"
            } else {
                errors.add("handle", "Another category already uses the handle “\(handle)”.")
            }
        }
        if let parentId, try db.queryFirst("SELECT 1 FROM categories WHERE id = \(parentId)") == nil {
            errors.add("parent_id", "That parent category no longer exists.")
        }
        try errors.throwIfAny()
        return (name, handle)
    }
}
