import Postgres

/// Demo products for a new store (`storefleet provision --sample-data`) and for tests and
/// benchmarks: believable titles, descriptions, vendors, tags, sized variants with prices in minor
/// units, stock (some sold out, one kind sold on back-order), barcodes with valid GTIN check digits
/// and a placeholder image each, served from `public/assets/sample/`. The same `count` always
/// gives the same catalog; running it again adds only the products that are missing.
public enum SampleCatalog {
    /// The public path the placeholder images are served from (by nginx, from `public/`).
    public static let imagePathPrefix = "/assets/sample/"

    /// The handle of the featured collection the sample catalog fills (Shopify's usual name for
    /// the home page's collection).
    public static let featuredCollectionHandle = "frontpage"

    /// Products written per round of statements.
    static let batchSize = 500

    /// Inserts `count` active products, plus a featured collection of the first eight, an
    /// automatic "Gifts" collection and About / Contact / Shipping & Returns pages, in one
    /// transaction. Returns how many products were new.
    @discardableResult
    public static func insert(into db: Connection, count: Int = 20) throws -> Int {
        precondition(count >= 0, "count must not be negative")
        return try db.transaction { db in
            var inserted = 0
            var start = 0
            while start < count {
                let end = min(start + batchSize, count)
                inserted += try insertBatch((start..<end).map(product), into: db)
                start = end
            }
            try insertCollections(into: db, featured: (0..<min(count, 8)).map { product($0).handle })
            try insertPages(into: db)
            return inserted
        }
    }

    // MARK: Generating

    /// What one sample product is made of, computed from its ordinal alone.
    struct Product {
        struct Variant {
            let title: String
            let sku: String
            let barcode: String
            let priceMinor: Int64
            let compareAtMinor: Int64?
            let costMinor: Int64
            let quantity: Int
        }

        let handle: String
        let title: String
        let descriptionHTML: String
        let seoDescription: String
        let archetype: Archetype
        let tags: [String]
        let ageMinutes: Int32
        let variants: [Variant]
        let imageKey: String
        let imageAlt: String
    }

    static func product(_ ordinal: Int) -> Product {
        let archetype = archetypes[ordinal % archetypes.count]
        let round = ordinal / archetypes.count
        let colour = round == 0 ? nil : colours[(round - 1) % colours.count]
        let cycle = round == 0 ? 0 : (round - 1) / colours.count
        let title = colour.map { "\($0) \(archetype.title)" } ?? archetype.title
        var handle = slug(title)
        if cycle > 0 { handle += "-\(cycle + 1)" }

        var details = ["<li>Vendor: \(archetype.vendor)</li>"]
        if let colour { details.append("<li>Colour: \(colour)</li>") }
        if archetype.weightGrams > 0 { details.append("<li>Weight: \(archetype.weightGrams) g</li>") }
        let descriptionHTML = "<p>\(archetype.description)</p>\n<ul>\n" + details.joined(separator: "\n") + "\n</ul>"
        let firstSentence = archetype.description.split(separator: ".", maxSplits: 1).first.map { $0 + "." }

        // Every ninth product is sold out, to show that state; back-order products still sell.
        let soldOut = ordinal % 9 == 4
        let values = archetype.option?.values ?? ["Default Title"]
        let code = String(archetype.productType.uppercased().filter(\.isLetter).prefix(3))
        let variants = values.enumerated().map { index, value in
            var price = archetype.priceMinor + archetype.priceStepMinor * Int64(index)
            if archetype.option?.name == "Amount", let amount = Int64(value) { price = amount * 100 }
            let valueCode = value == "Default Title" ? "OS" : value.uppercased().filter { $0.isLetter || $0.isNumber }
            return Product.Variant(
                title: value,
                sku: "\(code)-\(fourDigits(ordinal + 1))-\(valueCode)",
                barcode: gtin13(ordinal: ordinal, variant: index),
                priceMinor: price,
                compareAtMinor: archetype.compareAtMinor.map { $0 + archetype.priceStepMinor * Int64(index) },
                costMinor: archetype.costMinor,
                quantity: soldOut || archetype.isDigital ? 0 : (ordinal * 7 + index * 5) % 23)
        }
        var tags = archetype.tags
        if let colour { tags.append(colour.lowercased()) }
        return Product(
            handle: handle, title: title, descriptionHTML: descriptionHTML,
            seoDescription: firstSentence.map(String.init) ?? archetype.description,
            archetype: archetype, tags: tags,
            ageMinutes: Int32(truncatingIfNeeded: ordinal * 97),   // spread creation times: newest first is ordinal order
            variants: variants,
            imageKey: imagePathPrefix + archetype.image,
            imageAlt: colour.map { "\(archetype.title) in \($0.lowercased())" } ?? archetype.title)
    }

    /// The featured collection (manual, in the given order) and "Gifts" (automatic: tag = gift),
    /// with their membership filled in as the collection job would.
    static func insertCollections(into db: Connection, featured handles: [String]) throws {
        try db.execute("""
            WITH c AS (
                INSERT INTO collections (handle, title, description_html, kind, sort_order)
                VALUES (\(featuredCollectionHandle), 'Featured',
                        '<p>Hand-picked favourites from the shop.</p>', 'manual', 'manual')
                ON CONFLICT (handle) DO UPDATE SET title = collections.title
                RETURNING id
            )
            INSERT INTO collection_products (collection_id, product_id, position)
            SELECT c.id, p.id, h.ord FROM c
            CROSS JOIN unnest(\(handles)::text[]) WITH ORDINALITY AS h (handle, ord)
            JOIN products p ON p.handle = h.handle
            ON CONFLICT (collection_id, product_id) DO NOTHING
            """)
        try db.execute("""
            WITH c AS (
                INSERT INTO collections (handle, title, description_html, kind, rules, sort_order)
                VALUES ('gifts', 'Gifts', '<p>Something for everyone on your list.</p>', 'automatic',
                        '[{"column": "tag", "relation": "equals", "condition": "gift"}]', 'title_asc')
                ON CONFLICT (handle) DO UPDATE SET title = collections.title
                RETURNING id
            )
            INSERT INTO collection_products (collection_id, product_id, position)
            SELECT c.id, p.id, (row_number() OVER (ORDER BY p.title, p.id))::int FROM c
            JOIN products p ON 'gift' = ANY (p.tags)
            ON CONFLICT (collection_id, product_id) DO UPDATE SET position = EXCLUDED.position
            """)
    }

    /// The static pages a demo store links to from its footer.
    static let pages: [(handle: String, title: String, body: String)] = [
        ("about", "About us",
         "<p>We are a small team that believes everyday things should be made well and last for years.</p>\n<p>Everything in the shop is chosen, tested and used by us first.</p>"),
        ("contact", "Contact",
         "<p>Questions about an order or a product? Write to us and we answer within one working day.</p>"),
        ("shipping-returns", "Shipping & Returns",
         "<p>Orders ship within two working days. Not happy? Send it back within 30 days for a full refund.</p>"),
    ]

    static func insertPages(into db: Connection) throws {
        try db.execute("""
            INSERT INTO pages (handle, title, body_html)
            SELECT * FROM unnest(\(pages.map(\.handle))::text[], \(pages.map(\.title))::text[], \(pages.map(\.body))::text[])
            ON CONFLICT (handle) DO NOTHING
            """)
    }

    // MARK: Small helpers

    /// `"Sand Linen Shirt"` → `"sand-linen-shirt"`.
    static func slug(_ title: String) -> String {
        var out = ""
        var pendingDash = false
        for ch in title.lowercased() {
            if ch.isASCII && (ch.isLetter || ch.isNumber) {
                if pendingDash && !out.isEmpty { out.append("-") }
                out.append(ch)
                pendingDash = false
            } else {
                pendingDash = true
            }
        }
        return out
    }

    static func fourDigits(_ n: Int) -> String {
        let s = String(n)
        return s.count >= 4 ? s : String(repeating: "0", count: 4 - s.count) + s
    }

    /// An EAN-13 in the 200–299 in-store range with a correct check digit, unique per variant.
    static func gtin13(ordinal: Int, variant: Int) -> String {
        let body = String(200_000_000_000 + (ordinal * 100 + variant) % 100_000_000_000)   // 12 digits
        let digits = body.compactMap(\.wholeNumberValue)
        let sum = digits.enumerated().reduce(0) { $0 + $1.element * ($1.offset % 2 == 0 ? 1 : 3) }
        return body + String((10 - sum % 10) % 10)
    }
}
