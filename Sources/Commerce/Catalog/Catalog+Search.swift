import Postgres

extension Catalog {
    /// Active products matching every word of `text` (title weighs more than vendor, type and
    /// tags; the last word also matches as a prefix, so results follow typing), best match first.
    /// Relevance has no stable keyset, so search pages by offset, up to `maximumSearchOffset`.
    public static func searchActiveProducts(
        _ text: String, on db: Connection, limit: Int = 24, offset: Int = 0
    ) throws -> [ProductSummary] {
        guard let tsquery = searchQuery(text) else { return [] }
        let pageSize = min(max(limit, 1), maximumPageSize)
        let offset = min(max(offset, 0), maximumSearchOffset)
        let rows = try db.query("""
            SELECT \(summaryColumns)
            FROM products p \(summaryJoins)
            WHERE p.status = 'active' AND p.search_vector @@ to_tsquery('simple', \(tsquery))
            ORDER BY ts_rank(p.search_vector, to_tsquery('simple', \(tsquery))) DESC, p.id DESC
            LIMIT \(pageSize) OFFSET \(offset)
            """)
        return try rows.map(ProductSummary.init(row:))
    }

    /// How deep search results go.
    public static let maximumSearchOffset = 1_000

    /// A `tsquery` built only from the letters and digits of the shopper's words (so it is always
    /// valid), all required, the last one as a prefix: `"linen sh"` → `linen & sh:*`.
    static func searchQuery(_ text: String) -> String? {
        let words = text.lowercased()
            .split { !($0.isLetter || $0.isNumber) }
            .prefix(8)
            .map(String.init)
        guard !words.isEmpty else { return nil }
        var terms = words.dropLast().map { $0 }
        terms.append(words[words.count - 1] + ":*")
        return terms.joined(separator: " & ")
    }
}
