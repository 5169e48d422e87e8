import Foundation
import Postgres

/// What the admin's product list shows and how: a search over title, vendor and SKU (substring,
/// case-insensitive, through trigram indexes), filters, a sort, and a keyset position. Every
/// combination is one statement that reads only the rows of the page (plus one), so the last
/// page of 100,000 products costs what the first does.
public struct AdminProductQuery: Sendable, Hashable {
    public enum Stock: String, Sendable, CaseIterable {
        /// At least one variant can be bought.
        case inStock = "in_stock"
        case outOfStock = "out_of_stock"
    }

    public var search: String
    public var status: ProductStatus?
    public var productType: String?
    public var vendor: String?
    public var collectionId: Int64?
    public var stock: Stock?
    public var sort: AdminProductSort
    /// Continue after this row (next page) ...
    public var after: AdminProductCursor?
    /// ... or end before this one (previous page). The cursor's sort wins over `sort`.
    public var before: AdminProductCursor?
    public var limit: Int

    public init(search: String = "", status: ProductStatus? = nil, productType: String? = nil, vendor: String? = nil,
                collectionId: Int64? = nil, stock: Stock? = nil, sort: AdminProductSort = .updated,
                after: AdminProductCursor? = nil, before: AdminProductCursor? = nil, limit: Int = 50) {
        self.search = search
        self.status = status
        self.productType = productType
        self.vendor = vendor
        self.collectionId = collectionId
        self.stock = stock
        self.sort = sort
        self.after = after
        self.before = before
        self.limit = limit
    }
}

public enum AdminProductSort: String, Sendable, CaseIterable {
    case updated = "updated_desc", newest = "created_desc", oldest = "created_asc"
    case title = "title_asc", titleDescending = "title_desc"
    case inventory = "inventory_asc", inventoryDescending = "inventory_desc"

    public var label: String {
        switch self {
        case .updated: return "Recently updated"
        case .newest: return "Newest"
        case .oldest: return "Oldest"
        case .title: return "Title A–Z"
        case .titleDescending: return "Title Z–A"
        case .inventory: return "Lowest stock"
        case .inventoryDescending: return "Highest stock"
        }
    }

    /// The sort column over `products p`, and whether it descends.
    var column: (sql: Query, descending: Bool) {
        switch self {
        case .updated: return ("p.updated_at", true)
        case .newest: return ("p.created_at", true)
        case .oldest: return ("p.created_at", false)
        case .title: return ("p.title", false)
        case .titleDescending: return ("p.title", true)
        case .inventory: return ("p.inventory_total", false)
        case .inventoryDescending: return ("p.inventory_total", true)
        }
    }
}

/// One row of the admin's product list.
public struct AdminProductRow: Sendable, Hashable {
    public let id: Int64
    public let handle: String
    public let title: String
    public let status: ProductStatus
    public let vendor: String
    public let productType: String
    public let variantCount: Int
    /// Stock of the tracked variants together.
    public let inventoryTotal: Int64
    public let available: Bool
    public let minPriceMinor: Int64?
    public let maxPriceMinor: Int64?
    public let image: ImageReference?
    public let createdAt: Date
    public let updatedAt: Date
}

public struct AdminProductPage: Sendable, Hashable {
    public let rows: [AdminProductRow]
    /// Where the next and previous pages start; nil at either end.
    public let next: AdminProductCursor?
    public let previous: AdminProductCursor?
}

/// A position in the admin list: the sort, and the sort key and id of a row. `token` is opaque
/// and URL-safe; `init?(token:)` refuses anything malformed.
public struct AdminProductCursor: Sendable, Hashable {
    public let sort: AdminProductSort
    public let id: Int64
    let key: Key

    enum Key: Sendable, Hashable {
        case time(micros: Int64)
        case text(String)
        case integer(Int64)
    }

    init(row: AdminProductRow, sort: AdminProductSort) {
        self.sort = sort
        id = row.id
        switch sort {
        case .updated: key = .time(micros: Self.micros(row.updatedAt))
        case .newest, .oldest: key = .time(micros: Self.micros(row.createdAt))
        case .title, .titleDescending: key = .text(row.title)
        case .inventory, .inventoryDescending: key = .integer(row.inventoryTotal)
        }
    }

    static func micros(_ date: Date) -> Int64 { Int64((date.timeIntervalSince1970 * 1_000_000).rounded()) }

    public var token: String {
        let payload: String
        switch key {
        case .time(let micros): payload = String(micros)
        case .integer(let n): payload = String(n)
        case .text(let text): payload = Base64URL.encode(Array(text.utf8))
        }
        return "\(sort.rawValue).\(id).\(payload)"
    }

    public init?(token: String) {
        let parts = token.split(separator: ".", maxSplits: 2, omittingEmptySubsequences: false)
        guard parts.count == 3, let sort = AdminProductSort(rawValue: String(parts[0])),
              let id = Int64(parts[1]), id > 0 else { return nil }
        self.sort = sort
        self.id = id
        switch sort {
        case .updated, .newest, .oldest:
            guard let micros = Int64(parts[2]) else { return nil }
            key = .time(micros: micros)
        case .title, .titleDescending:
            guard let bytes = Base64URL.decode(String(parts[2])), let text = String(validating: bytes, as: UTF8.self)
            else { return nil }
            key = .text(text)
        case .inventory, .inventoryDescending:
            guard let n = Int64(parts[2]) else { return nil }
            key = .integer(n)
        }
    }

    /// The row's key as a bound value.
    var bound: Query {
        switch key {
        case .time(let micros): return "\(Date(timeIntervalSince1970: Double(micros) / 1_000_000))::timestamptz"
        case .text(let text): return "\(text)::text"
        case .integer(let n): return "\(n)::bigint"
        }
    }
}

public enum AdminProductList {
    public static let maximumPageSize = 250

    /// The columns a row of the list reads from `products p` (the fenced sources select only these).
    static let rowColumns: Query = """
        p.id, p.handle, p.title, p.status, p.vendor, p.product_type, p.inventory_total, p.available,
        p.price_min_minor, p.price_max_minor, p.created_at, p.updated_at
        """

    /// `narrowLimit`: see `isNarrow` (tests lower it to take either path with a small catalog).
    public static func page(_ query: AdminProductQuery, on db: Connection,
                            narrowLimit: Int = AdminProductList.narrowLimit) throws -> AdminProductPage {
        try foldInventory(db)
        let cursor = query.before ?? query.after
        let sort = cursor?.sort ?? query.sort
        let backwards = query.before != nil
        let limit = min(max(query.limit, 1), maximumPageSize)
        let (column, descending) = sort.column
        // Walking backwards reverses the order; the rows are flipped back below.
        let descendingNow = descending != backwards

        let filter = conditions(query)
        var keyset: Query = "true"
        if let cursor {
            keyset = "(\(column), p.id) \(unsafeSQL: descendingNow ? "<" : ">") (\(cursor.bound), \(cursor.id))"
        }
        let direction = descendingNow ? "DESC" : "ASC"
        // A filter that keeps few products (at most `narrowLimit`) is applied first behind an
        // optimisation fence and its rows sorted: walking a sort index and filtering would read
        // far more rows when matches are rare or correlated with the sort. A filter that keeps
        // many leaves the planner free to walk the sort index, where a page is found after about
        // limit / (share of products matching) rows: a search matching a tenth of the catalog
        // reads ~500 rows instead of fetching and sorting all its matches.
        func pageStatement(from source: Query, where filter: Query) -> Query {
            // The page's rows are chosen first; only they get their variant count and first image.
            """
            SELECT p.*, (SELECT count(*) FROM variants v WHERE v.product_id = p.id) AS variant_count,
                   i.storage_key AS image_key, i.alt AS image_alt, i.width AS image_width, i.height AS image_height
            FROM (
                SELECT \(rowColumns) FROM \(source)
                WHERE \(filter) AND \(keyset)
                ORDER BY \(column) \(unsafeSQL: direction), p.id \(unsafeSQL: direction)
                LIMIT \(limit + 1)
            ) p
            LEFT JOIN LATERAL (
                SELECT storage_key, alt, width, height FROM product_images
                WHERE product_id = p.id ORDER BY position LIMIT 1
            ) i ON true
            """
        }
        let order: Query = "ORDER BY \(column) \(unsafeSQL: direction), p.id \(unsafeSQL: direction)"
        var rows: [Row]
        if let words = searchWords(query) {
            var rest = query
            rest.search = ""
            let others = conditions(rest)
            let pattern = "%" + likeEscaped(query.search.trimmedWhitespace()) + "%"
            // First, in one statement: at most narrowLimit + 1 matches (word matches straight from
            // the tsvector index's rows, SKU matches without the products already found, so
            // nothing is de-duplicated), and their page unless there were more. The keyset
            // condition stays outside the matches: inside, it would tempt the planner to walk the
            // sort index and test every row's tsvector.
            let attempt = try db.query("""
                WITH m AS MATERIALIZED (
                    SELECT \(rowColumns) FROM products p
                    WHERE p.search_vector @@ to_tsquery('simple', \(words)) AND \(others)
                    UNION ALL
                    SELECT \(rowColumns) FROM products p
                    WHERE p.id IN (SELECT product_id FROM variants WHERE sku ILIKE \(pattern))
                      AND NOT (p.search_vector @@ to_tsquery('simple', \(words))) AND \(others)
                    LIMIT \(narrowLimit + 1)
                ), s AS (SELECT count(*) > \(narrowLimit) AS overflow FROM m)
                SELECT s.overflow, p.* FROM s
                LEFT JOIN LATERAL (\(pageStatement(from: "m p", where: "NOT s.overflow"))) p ON true
                \(order)
                """)
            if try attempt.first?.decode("overflow", as: Bool.self) == true {
                // Broad: each row of the sort index is tested as it is walked.
                rows = try db.query(pageStatement(from: "products p", where: """
                    (p.search_vector @@ to_tsquery('simple', \(words))
                     OR p.id IN (SELECT product_id FROM variants WHERE sku ILIKE \(pattern))) AND \(others)
                    """) + " " + order)
            } else {
                rows = try attempt.filter { try $0.decode("id", as: Int64?.self) != nil }
            }
        } else if try isNarrow(query, on: db, limit: narrowLimit) {
            rows = try db.query(pageStatement(from: "(SELECT \(rowColumns) FROM products p WHERE \(filter) OFFSET 0) p",
                                              where: "true") + " " + order)
        } else {
            rows = try db.query(pageStatement(from: "products p", where: filter) + " " + order)
        }
        var page = try rows.prefix(limit).map(AdminProductRow.init(row:))
        let more = rows.count > limit
        if backwards { page.reverse() }
        let next: AdminProductCursor?
        let previous: AdminProductCursor?
        if backwards {
            next = page.last.map { AdminProductCursor(row: $0, sort: sort) }
            previous = more ? page.first.map { AdminProductCursor(row: $0, sort: sort) } : nil
        } else {
            next = more ? page.last.map { AdminProductCursor(row: $0, sort: sort) } : nil
            previous = query.after != nil ? page.first.map { AdminProductCursor(row: $0, sort: sort) } : nil
        }
        return AdminProductPage(rows: page, next: next, previous: previous)
    }

    /// Moves the stock differences that sales left waiting (tenant 0019) into
    /// `products.inventory_total`, so the list's totals and its stock sort are current. A schema
    /// before 0019 has nothing waiting.
    public static func foldInventory(_ db: Connection) throws {
        do {
            try db.execute("SELECT fold_product_inventory()")
        } catch where error.sqlState == "42883" {   // undefined_function: predates 0019
        }
    }

    /// At most this many matching products make a filter narrow (see `page`): fetching and
    /// sorting 2,000 rows stays within a few milliseconds, and a filter keeping more matches at
    /// least one product in 50, so walking a sort index finds a page within a few thousand rows.
    public static let narrowLimit = 2_000

    /// Whether a type or vendor filter with a sort other than "recently updated" and "title"
    /// (which have (type|vendor, updated_at | title) indexes) keeps at most `limit` products (one
    /// bounded count). Searches decide in their own statement (see `page`); collections are left
    /// to the planner: walking the sort index and probing membership stays cheap.
    static func isNarrow(_ query: AdminProductQuery, on db: Connection, limit: Int = narrowLimit) throws -> Bool {
        let sortedByIndex = [.updated, .title, .titleDescending].contains(query.sort)
        guard !query.search.trimmedWhitespace().isEmpty
                || (!sortedByIndex && (query.productType != nil || query.vendor != nil)) else { return false }
        let n = try db.queryFirst("""
            SELECT count(*) AS n FROM (SELECT 1 FROM products p WHERE \(conditions(query)) LIMIT \(limit + 1)) s
            """)?.decode("n", as: Int.self) ?? 0
        return n <= limit
    }

    /// The filters as conditions over `products p` (always at least `true`). Search matches
    /// words of the title, vendor, type and tags by prefix (`lam` finds "Lamp", through the
    /// products' tsvector index) and SKUs by substring (trigram index).
    static func conditions(_ query: AdminProductQuery) -> Query {
        var q: Query = "true"
        let term = query.search.trimmedWhitespace()
        if !term.isEmpty {
            let pattern = "%" + likeEscaped(term) + "%"
            if let tsquery = searchWords(query) {
                q = q + """
                     AND p.id IN (SELECT id FROM products WHERE search_vector @@ to_tsquery('simple', \(tsquery))
                                  UNION SELECT product_id FROM variants WHERE sku ILIKE \(pattern))
                    """
            } else {
                q = q + " AND EXISTS (SELECT 1 FROM variants v WHERE v.product_id = p.id AND v.sku ILIKE \(pattern))"
            }
        }
        if let status = query.status { q = q + " AND p.status = \(status.rawValue)" }
        if let type = query.productType { q = q + " AND p.product_type = \(type)" }
        if let vendor = query.vendor { q = q + " AND p.vendor = \(vendor)" }
        if let collection = query.collectionId {
            q = q + " AND EXISTS (SELECT 1 FROM collection_products cp WHERE cp.collection_id = \(collection) AND cp.product_id = p.id)"
        }
        switch query.stock {
        case .inStock: q = q + " AND p.available"
        case .outOfStock: q = q + " AND NOT p.available"
        case nil: break
        }
        return q
    }

    /// The search as a tsquery of word prefixes (`lamp:* & 12:*`), nil when it has no word.
    /// Only letters and digits reach it, so it never holds tsquery syntax.
    static func searchWords(_ query: AdminProductQuery) -> String? {
        let words = query.search.lowercased().split(whereSeparator: { !($0.isLetter || $0.isNumber) }).prefix(8)
        return words.isEmpty ? nil : words.map { $0 + ":*" }.joined(separator: " & ")
    }

    /// `%`, `_` and `\` matched literally by LIKE.
    static func likeEscaped(_ s: String) -> String {
        var out = ""
        for c in s {
            if c == "%" || c == "_" || c == "\\" { out.append("\\") }
            out.append(c)
        }
        return out
    }

    /// The vendors and product types in use (at most `limit` each, alphabetically), for the
    /// list's filter menus. A loose index scan: one index probe per distinct value.
    public static func filterChoices(on db: Connection, limit: Int = 200) throws -> (vendors: [String], productTypes: [String]) {
        func distinct(_ column: String) throws -> [String] {
            try db.query("""
                WITH RECURSIVE d (value) AS (
                    (SELECT \(unsafeSQL: column) FROM products WHERE \(unsafeSQL: column) <> '' ORDER BY 1 LIMIT 1)
                    UNION ALL
                    SELECT (SELECT \(unsafeSQL: column) FROM products WHERE \(unsafeSQL: column) > d.value ORDER BY 1 LIMIT 1)
                    FROM d WHERE d.value IS NOT NULL
                )
                SELECT value FROM d WHERE value IS NOT NULL LIMIT \(limit)
                """).map { try $0.decode("value", as: String.self) }
        }
        return (try distinct("vendor"), try distinct("product_type"))
    }
}

extension AdminProductRow {
    init(row: Row) throws {
        id = try row.decode("id")
        handle = try row.decode("handle")
        title = try row.decode("title")
        status = ProductStatus(rawValue: try row.decode("status")) ?? .draft
        vendor = try row.decode("vendor")
        productType = try row.decode("product_type")
        variantCount = try row.decode("variant_count")
        inventoryTotal = try row.decode("inventory_total")
        available = try row.decode("available")
        minPriceMinor = try row.decode("price_min_minor")
        maxPriceMinor = try row.decode("price_max_minor")
        createdAt = try row.decode("created_at")
        updatedAt = try row.decode("updated_at")
        if let key = try row.decode("image_key", as: String?.self) {
            image = ImageReference(storageKey: key, alt: try row.decode("image_alt"), width: try row.decode("image_width"),
                                   height: try row.decode("image_height"))
        } else {
            image = nil
        }
    }
}
