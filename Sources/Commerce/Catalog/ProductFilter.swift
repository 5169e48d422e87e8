import Postgres

/// What a shopper narrowed a list to (Shopify's storefront filters). Empty lists and nils mean
/// "any"; within one list any value matches (vendor A or B), across fields all must (vendor A
/// and in stock). Tags must all be present.
public struct ProductFilter: Sendable, Hashable {
    public var availableOnly: Bool
    public var minPriceMinor: Int64?
    public var maxPriceMinor: Int64?
    public var vendors: [String]
    public var productTypes: [String]
    public var tags: [String]

    public init(availableOnly: Bool = false, minPriceMinor: Int64? = nil, maxPriceMinor: Int64? = nil,
                vendors: [String] = [], productTypes: [String] = [], tags: [String] = []) {
        self.availableOnly = availableOnly
        self.minPriceMinor = minPriceMinor
        self.maxPriceMinor = maxPriceMinor
        self.vendors = vendors
        self.productTypes = productTypes
        self.tags = tags
    }

    public static let none = ProductFilter()

    /// `AND ...` conditions over `products p`, empty when nothing is filtered.
    var conditions: Query {
        var q: Query = ""
        if availableOnly { q = q + " AND p.available" }
        if let minPriceMinor { q = q + " AND p.price_min_minor >= \(minPriceMinor)" }
        if let maxPriceMinor { q = q + " AND p.price_min_minor <= \(maxPriceMinor)" }
        if !vendors.isEmpty { q = q + " AND p.vendor = ANY(\(vendors))" }
        if !productTypes.isEmpty { q = q + " AND p.product_type = ANY(\(productTypes))" }
        if !tags.isEmpty { q = q + " AND p.tags @> \(tags)" }
        return q
    }
}

/// The choices a filter UI offers for a list, each with how many products it would show.
public struct ProductFacets: Sendable, Hashable {
    public struct Count: Sendable, Hashable {
        public let value: String
        public let count: Int

        public init(value: String, count: Int) {
            self.value = value
            self.count = count
        }
    }

    public let vendors: [Count]
    public let productTypes: [Count]
    public let tags: [Count]
    public let availableCount: Int
    public let minPriceMinor: Int64?
    public let maxPriceMinor: Int64?
}

extension Catalog {
    /// Vendors, types and tags (most common first, at most `limit` each), how many are in stock,
    /// and the price bounds of the active products — of a collection, or of the whole store.
    public static func facets(collectionId: Int64? = nil, on db: Connection, limit: Int = 50) throws -> ProductFacets {
        let scope: Query = collectionId.map {
            "p.status = 'active' AND p.id IN (SELECT product_id FROM collection_products WHERE collection_id = \($0))"
        } ?? "p.status = 'active'"
        let limit = min(max(limit, 1), 500)
        let rows = try db.query("""
            WITH scoped AS (
                SELECT p.vendor, p.product_type, p.tags, p.available, p.price_min_minor
                FROM products p WHERE \(scope)
            )
            (SELECT 'vendor' AS kind, vendor AS value, count(*) AS n FROM scoped
             WHERE vendor <> '' GROUP BY vendor ORDER BY n DESC, vendor LIMIT \(limit))
            UNION ALL
            (SELECT 'type', product_type, count(*) AS n FROM scoped
             WHERE product_type <> '' GROUP BY product_type ORDER BY n DESC, product_type LIMIT \(limit))
            UNION ALL
            (SELECT 'tag', tag, count(*) AS n FROM scoped, unnest(tags) AS tag
             GROUP BY tag ORDER BY n DESC, tag LIMIT \(limit))
            UNION ALL SELECT 'available', NULL, count(*) FROM scoped WHERE available
            UNION ALL SELECT 'min_price', NULL, min(price_min_minor) FROM scoped
            UNION ALL SELECT 'max_price', NULL, max(price_min_minor) FROM scoped
            """)
        var lists: [String: [ProductFacets.Count]] = [:]
        var numbers: [String: Int64] = [:]
        for row in rows {
            let kind: String = try row.decode("kind")
            guard let n = try row.decode("n", as: Int64?.self) else { continue }
            if let value = try row.decode("value", as: String?.self) {
                lists[kind, default: []].append(ProductFacets.Count(value: value, count: Int(n)))
            } else {
                numbers[kind] = n
            }
        }
        func sorted(_ kind: String) -> [ProductFacets.Count] {
            (lists[kind] ?? []).sorted { $0.count != $1.count ? $0.count > $1.count : $0.value < $1.value }
        }
        return ProductFacets(
            vendors: sorted("vendor"), productTypes: sorted("type"), tags: sorted("tag"),
            availableCount: Int(numbers["available"] ?? 0),
            minPriceMinor: numbers["min_price"], maxPriceMinor: numbers["max_price"])
    }
}
