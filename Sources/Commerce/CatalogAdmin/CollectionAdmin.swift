import Foundation
import Postgres

/// A collection as the admin's editor submits it.
public struct CollectionInput: Sendable, Hashable {
    public enum Kind: String, Sendable, CaseIterable { case manual, automatic }
    public enum SortOrder: String, Sendable, CaseIterable {
        case manual, bestSelling = "best_selling", titleAscending = "title_asc", titleDescending = "title_desc"
        case priceAscending = "price_asc", priceDescending = "price_desc"
        case newest = "created_desc", oldest = "created_asc"

        public var label: String {
            switch self {
            case .manual: return "Manually"
            case .bestSelling: return "Best selling"
            case .titleAscending: return "Product title A–Z"
            case .titleDescending: return "Product title Z–A"
            case .priceAscending: return "Lowest price"
            case .priceDescending: return "Highest price"
            case .newest: return "Newest"
            case .oldest: return "Oldest"
            }
        }
    }

    public var title: String
    public var handle: String?
    public var descriptionHTML: String
    public var kind: Kind
    /// Automatic collections: the conditions, all or any of which a product meets.
    public var rules: [CollectionRule]
    public var matchAll: Bool
    public var sortOrder: SortOrder
    public var published: Bool
    public var seoTitle: String?
    public var seoDescription: String?
    /// Manual collections: the products, in the merchant's order.
    public var productIds: [Int64]

    public init(title: String, handle: String? = nil, descriptionHTML: String = "", kind: Kind = .manual,
                rules: [CollectionRule] = [], matchAll: Bool = true, sortOrder: SortOrder = .manual, published: Bool = true,
                seoTitle: String? = nil, seoDescription: String? = nil, productIds: [Int64] = []) {
        self.title = title
        self.handle = handle
        self.descriptionHTML = descriptionHTML
        self.kind = kind
        self.rules = rules
        self.matchAll = matchAll
        self.sortOrder = sortOrder
        self.published = published
        self.seoTitle = seoTitle
        self.seoDescription = seoDescription
        self.productIds = productIds
    }
}

/// A collection as the admin lists it.
public struct CollectionRecord: Sendable, Hashable {
    public let id: Int64
    public let handle: String
    public let productCount: Int
    public let updatedAt: Date
    public let input: CollectionInput
}

/// Manual and automatic collections. Membership of both lives in `collection_products`; an
/// automatic collection's is recomputed in SQL from its rules when the rules change and, for the
/// products concerned, whenever a product is written.
public enum CollectionAdmin {
    @discardableResult
    public static func create(_ input: CollectionInput, by actor: CatalogActor, on db: Connection,
                              currencyDigits: Int = 2) throws -> Int64 {
        try db.transaction { db in try write(input, id: nil, by: actor, on: db, currencyDigits: currencyDigits) }
    }

    public static func update(_ id: Int64, _ input: CollectionInput, by actor: CatalogActor, on db: Connection,
                              currencyDigits: Int = 2) throws {
        try db.transaction { db in _ = try write(input, id: id, by: actor, on: db, currencyDigits: currencyDigits) }
    }

    public static func delete(_ id: Int64, by actor: CatalogActor, on db: Connection) throws {
        try db.transaction { db in
            guard let row = try db.queryFirst("DELETE FROM collections WHERE id = \(id) RETURNING title") else {
                throw CatalogAdminError.notFound("collection")
            }
            try CatalogAudit.record("collection.delete", subjectType: "collection", subjectId: id,
                                    details: ["title": .text(try row.decode("title"))], by: actor, on: db)
        }
    }

    static func write(_ raw: CollectionInput, id: Int64?, by actor: CatalogActor, on db: Connection,
                      currencyDigits: Int) throws -> Int64 {
        var input = raw
        var errors = CatalogValidation()
        input.title = raw.title.trimmedWhitespace()
        if input.title.isEmpty { errors.add("title", "Enter a title.") }
        else if input.title.count > 255 { errors.add("title", "Title must be at most 255 characters.") }
        input.descriptionHTML = HTMLSanitizer.sanitize(raw.descriptionHTML)
        input.seoTitle = raw.seoTitle?.trimmedWhitespace()
        if input.seoTitle?.isEmpty == true { input.seoTitle = nil }
        input.seoDescription = raw.seoDescription?.trimmedWhitespace()
        if input.seoDescription?.isEmpty == true { input.seoDescription = nil }
        if let d = input.seoDescription, d.count > 320 { errors.add("seo_description", "SEO description must be at most 320 characters.") }
        input.handle = raw.handle?.trimmedWhitespace().lowercased()
        if input.handle?.isEmpty == true { input.handle = nil }

        if let id {
            guard let row = try db.queryFirst("SELECT handle FROM collections WHERE id = \(id) FOR UPDATE") else {
                throw CatalogAdminError.notFound("collection")
            }
            if input.handle == nil { input.handle = try row.decode("handle") }
        }
        if let handle = input.handle {
            if !CatalogText.isValidHandle(handle) {
                errors.add("handle", "Use only lower-case letters, digits, dashes and underscores, starting with a letter or digit.")
            } else if try db.queryFirst("SELECT 1 FROM collections WHERE handle = \(handle) AND id <> \(id ?? 0)") != nil {
                errors.add("handle", "Another collection already uses the handle “\(handle)”.")
            }
        } else if !input.title.isEmpty {
            input.handle = try uniqueHandle(from: input.title, on: db)
        }
        switch input.kind {
        case .automatic:
            if input.rules.isEmpty { errors.add("rules", "Add at least one condition.") }
            if input.rules.count > 60 { errors.add("rules", "A collection can have at most 60 conditions.") }
            for (i, rule) in input.rules.enumerated() {
                if let problem = rule.problem(currencyDigits: currencyDigits) { errors.add("rules.\(i)", problem) }
            }
            input.productIds = []
        case .manual:
            input.rules = []
            var seen: Set<Int64> = []
            input.productIds = raw.productIds.filter { seen.insert($0).inserted }
            if !input.productIds.isEmpty {
                let found = try db.queryFirst("SELECT count(*) AS n FROM products WHERE id = ANY(\(input.productIds))")?
                    .decode("n", as: Int.self) ?? 0
                if found != input.productIds.count { errors.add("products", "Some of the chosen products no longer exist.") }
            }
        }
        try errors.throwIfAny()

        let rulesJSON: JSON? = input.kind == .automatic ? try JSON(encoding: input.rules) : nil
        let collectionId: Int64
        if let id {
            try db.execute("""
                UPDATE collections SET handle = \(input.handle!), title = \(input.title), description_html = \(input.descriptionHTML),
                    kind = \(input.kind.rawValue), rules = \(rulesJSON)::jsonb, rules_match = \(input.matchAll ? "all" : "any"),
                    sort_order = \(input.sortOrder.rawValue), published = \(input.published), seo_title = \(input.seoTitle),
                    seo_description = \(input.seoDescription)
                WHERE id = \(id)
                """)
            collectionId = id
        } else {
            guard let row = try db.queryFirst("""
                INSERT INTO collections (handle, title, description_html, kind, rules, rules_match, sort_order, published,
                                         seo_title, seo_description)
                VALUES (\(input.handle!), \(input.title), \(input.descriptionHTML), \(input.kind.rawValue), \(rulesJSON)::jsonb,
                        \(input.matchAll ? "all" : "any"), \(input.sortOrder.rawValue), \(input.published),
                        \(input.seoTitle), \(input.seoDescription))
                RETURNING id
                """) else { throw CommerceError.missingResult("inserting a collection") }
            collectionId = try row.decode("id")
        }

        switch input.kind {
        case .manual:
            try db.execute("""
                DELETE FROM collection_products WHERE collection_id = \(collectionId)
                  AND NOT (product_id = ANY(\(input.productIds)::int8[]))
                """)
            if !input.productIds.isEmpty {
                try db.execute("""
                    INSERT INTO collection_products (collection_id, product_id, position)
                    SELECT \(collectionId), x.id, x.n FROM unnest(\(input.productIds)::int8[]) WITH ORDINALITY AS x (id, n)
                    ON CONFLICT (collection_id, product_id) DO UPDATE SET position = EXCLUDED.position
                    """)
            }
        case .automatic:
            try refreshMembership(collectionId, rules: input.rules, matchAll: input.matchAll, productIds: nil,
                                  on: db, currencyDigits: currencyDigits)
        }
        try CatalogAudit.record(id == nil ? "collection.create" : "collection.update", subjectType: "collection",
                                subjectId: collectionId,
                                details: ["title": .text(input.title), "kind": .text(input.kind.rawValue)], by: actor, on: db)
        return collectionId
    }

    /// Adds the products that meet the rules and removes those that no longer do — of every
    /// product, or only of `productIds`.
    static func refreshMembership(_ collectionId: Int64, rules: [CollectionRule], matchAll: Bool, productIds: [Int64]?,
                                  on db: Connection, currencyDigits: Int) throws {
        let condition = rules.sql(matchAll: matchAll, currencyDigits: currencyDigits)
        let scope: Query = productIds.map { "p.id = ANY(\($0)::int8[])" } ?? "true"
        let scopeMembers: Query = productIds.map { "cp.product_id = ANY(\($0)::int8[])" } ?? "true"
        try db.execute("""
            DELETE FROM collection_products cp
            WHERE cp.collection_id = \(collectionId) AND \(scopeMembers)
              AND NOT EXISTS (SELECT 1 FROM products p WHERE p.id = cp.product_id AND \(condition))
            """)
        try db.execute("""
            INSERT INTO collection_products (collection_id, product_id, position)
            SELECT \(collectionId), p.id, 0 FROM products p WHERE \(scope) AND \(condition)
            ON CONFLICT (collection_id, product_id) DO NOTHING
            """)
    }

    /// Recomputes every automatic collection's membership of these products (after they changed).
    public static func refreshAutomaticMembership(productIds: [Int64], on db: Connection, currencyDigits: Int? = nil) throws {
        let collections = try db.query("SELECT id, rules::text AS rules, rules_match FROM collections WHERE kind = 'automatic'")
        if collections.isEmpty { return }
        let digits = try currencyDigits ?? storeCurrencyDigits(on: db)
        for row in collections {
            let rules = try JSON(rawText: try row.decode("rules")).decode([CollectionRule].self)
            try refreshMembership(try row.decode("id"), rules: rules, matchAll: try row.decode("rules_match", as: String.self) == "all",
                                  productIds: productIds, on: db, currencyDigits: digits)
        }
    }

    static func storeCurrencyDigits(on db: Connection) throws -> Int {
        let currency = try db.queryFirst("SELECT currency FROM store_settings")?.decode("currency", as: String.self) ?? "USD"
        return CatalogText.minorDigits(currency: currency)
    }

    static func uniqueHandle(from title: String, on db: Connection) throws -> String {
        let base = CatalogText.handle(from: title).isEmpty ? "collection" : CatalogText.handle(from: title)
        let taken = Set(try db.query("SELECT handle FROM collections WHERE handle = \(base) OR handle LIKE \(base + "-%")")
            .map { try $0.decode("handle", as: String.self) })
        if !taken.contains(base) { return base }
        var n = 1
        while taken.contains("\(base)-\(n)") { n += 1 }
        return "\(base)-\(n)"
    }
}

extension CollectionAdmin {
    /// Every collection, by title, with its product count.
    public static func list(on db: Connection) throws -> [CollectionRecord] {
        try db.query(recordSelect + " ORDER BY c.title, c.id").map(CollectionRecord.init(row:))
    }

    public static func load(_ id: Int64, on db: Connection) throws -> CollectionRecord? {
        try db.queryFirst(recordSelect + " WHERE c.id = \(id)").map(CollectionRecord.init(row:))
    }

    static let recordSelect: Query = """
        SELECT c.id, c.handle, c.title, c.description_html, c.kind, c.rules::text AS rules, c.rules_match, c.sort_order,
               c.published, c.seo_title, c.seo_description, c.updated_at,
               (SELECT count(*) FROM collection_products cp WHERE cp.collection_id = c.id) AS product_count,
               CASE WHEN c.kind = 'manual' THEN ARRAY(SELECT product_id FROM collection_products cp
                    WHERE cp.collection_id = c.id ORDER BY cp.position, cp.product_id LIMIT 500) ELSE '{}' END AS product_ids
        FROM collections c
        """
}

extension CollectionRecord {
    init(row: Row) throws {
        id = try row.decode("id")
        handle = try row.decode("handle")
        productCount = try row.decode("product_count")
        updatedAt = try row.decode("updated_at")
        let rules = try row.decode("rules", as: String?.self).map { try JSON(rawText: $0).decode([CollectionRule].self) } ?? []
        input = CollectionInput(
            title: try row.decode("title"), handle: handle, descriptionHTML: try row.decode("description_html"),
            kind: CollectionInput.Kind(rawValue: try row.decode("kind")) ?? .manual, rules: rules,
            matchAll: try row.decode("rules_match", as: String.self) == "all",
            sortOrder: CollectionInput.SortOrder(rawValue: try row.decode("sort_order")) ?? .manual,
            published: try row.decode("published"), seoTitle: try row.decode("seo_title"),
            seoDescription: try row.decode("seo_description"), productIds: try row.decode("product_ids"))
    }
}
