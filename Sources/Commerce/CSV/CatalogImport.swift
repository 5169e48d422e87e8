import Postgres

/// What an import did, or would have done: every bad row of a rejected file is listed, and then
/// nothing at all was written.
public struct CatalogImportResult: Sendable, Hashable {
    public var rowsRead = 0
    public var productsCreated = 0
    public var productsUpdated = 0
    /// Products whose handle exists, left alone because the import does not overwrite.
    public var productsSkipped = 0
    public var errors: [CatalogImportRowError] = []

    public var succeeded: Bool { errors.isEmpty }
}

/// Imports a Shopify product CSV into the store's catalog, all or nothing: every product is
/// written through `ProductAdmin` (same validation as the editor) inside one transaction, each in
/// its own savepoint so that one bad product does not hide the problems of the next; if any row
/// was bad, the transaction is rolled back and the result lists every bad row with its line and
/// the reason. Rows are read in a stream; a product's rows must be next to each other (as
/// Shopify writes them).
public enum CatalogImport {
    /// Stops listing problems after this many (the count keeps going).
    public static let maximumErrorsListed = 1000

    public static func importCSV(_ reader: inout CSVReader, overwrite: Bool = true, by actor: CatalogActor,
                                 on db: Connection, currencyDigits: Int? = nil,
                                 progress: (Int) throws -> Void = { _ in }) throws -> CatalogImportResult {
        let digits = try currencyDigits ?? CollectionAdmin.storeCurrencyDigits(on: db)
        var result = CatalogImportResult()
        do {
            try db.transaction { db in
                var importer = GroupImporter(db: db, actor: actor, overwrite: overwrite, digits: digits)
                try importer.run(&reader, result: &result, progress: progress)
                if !result.errors.isEmpty { throw Rejected() }
            }
        } catch is Rejected {
            // Rolled back: the result says why.
        } catch let failure as CSVReader.Failure {
            result.errors.append(CatalogImportRowError(row: failure.line, column: nil, message: failure.message))
            result.productsCreated = 0
            result.productsUpdated = 0
        }
        if !result.errors.isEmpty {
            result.productsCreated = 0
            result.productsUpdated = 0
            result.productsSkipped = 0
        }
        return result
    }

    private struct Rejected: Error {}
}

/// Reads groups of rows (one product each) and writes them.
private struct GroupImporter {
    let db: Connection
    let actor: CatalogActor
    let overwrite: Bool
    let digits: Int
    var categoryIds: [String: Int64] = [:]
    var seenHandles: Set<String> = []
    var errorCount = 0

    init(db: Connection, actor: CatalogActor, overwrite: Bool, digits: Int) {
        self.db = db
        self.actor = actor
        self.overwrite = overwrite
        self.digits = digits
    }

    mutating func run(_ reader: inout CSVReader, result: inout CatalogImportResult, progress: (Int) throws -> Void) throws {
        guard let header = try reader.next(), !(header.count == 1 && header[0].trimmedWhitespace().isEmpty) else {
            result.errors.append(CatalogImportRowError(row: 1, column: nil, message: "The file is empty."))
            return
        }
        var index: [String: Int] = [:]
        for (i, name) in header.enumerated() where index[name.trimmedWhitespace()] == nil {
            index[name.trimmedWhitespace()] = i
        }
        guard index["Handle"] != nil || index["Title"] != nil else {
            result.errors.append(CatalogImportRowError(
                row: 1, column: nil,
                message: "This is not a product CSV: the first row needs the column names, with Handle and Title."))
            return
        }
        var group: [ShopifyProductCSV.Record] = []
        var groupHandle = ""
        while let fields = try reader.next() {
            let record = ShopifyProductCSV.Record(line: reader.recordLine, fields: fields, index: index)
            result.rowsRead += 1
            if result.rowsRead % 200 == 0 { try progress(result.rowsRead) }
            if record.isBlank { continue }
            let handle = record["Handle"].lowercased()
            let continues = !group.isEmpty && (handle == groupHandle || (handle.isEmpty && record["Title"].isEmpty))
            if continues {
                group.append(record)
                continue
            }
            if !group.isEmpty { try importGroup(group, result: &result) }
            group = [record]
            groupHandle = handle
        }
        if !group.isEmpty { try importGroup(group, result: &result) }
        try progress(result.rowsRead)
    }

    mutating func report(_ row: Int, _ column: String?, _ message: String, into result: inout CatalogImportResult) {
        errorCount += 1
        if result.errors.count < CatalogImport.maximumErrorsListed {
            result.errors.append(CatalogImportRowError(row: row, column: column, message: message))
        }
    }

    mutating func importGroup(_ rows: [ShopifyProductCSV.Record], result: inout CatalogImportResult) throws {
        let first = rows[0]
        var problems: [CatalogImportRowError] = []
        func bad(_ row: ShopifyProductCSV.Record, _ column: String?, _ message: String) {
            problems.append(CatalogImportRowError(row: row.line, column: column, message: message))
        }

        var handle = first["Handle"].lowercased()
        if handle.isEmpty { handle = CatalogText.handle(from: first["Title"]) }
        if handle.isEmpty {
            bad(first, "Handle", "Enter a handle or a title.")
        } else if !CatalogText.isValidHandle(handle) {
            bad(first, "Handle", "A handle may hold only letters, digits, dashes and underscores.")
        } else if !seenHandles.insert(handle).inserted {
            bad(first, "Handle", "The rows of “\(handle)” must be next to each other.")
        }
        let existing = CatalogText.isValidHandle(handle)
            ? try db.queryFirst("SELECT id FROM products WHERE handle = \(handle)").map { try $0.decode("id", as: Int64.self) }
            : nil
        if existing != nil && !overwrite {
            result.productsSkipped += 1
            return
        }
        let before = try existing.flatMap { try ProductAdmin.load($0, on: db) }

        var input = before?.input ?? ProductInput(title: "")
        input.handle = handle
        if first.has("Title") { input.title = first["Title"] }
        if input.title.trimmedWhitespace().isEmpty { bad(first, "Title", "The first row of a product needs its title.") }
        if first.has("Body (HTML)") { input.descriptionHTML = first.raw("Body (HTML)") }
        if first.has("Vendor") { input.vendor = first["Vendor"] }
        if first.has("Type") { input.productType = first["Type"] }
        if first.has("Tags") { input.tags = CatalogText.tags(first["Tags"]) }
        if first.has("SEO Title") { input.seoTitle = first["SEO Title"] }
        if first.has("SEO Description") { input.seoDescription = first["SEO Description"] }
        let status = first["Status"].lowercased()
        if !status.isEmpty {
            if let s = ProductStatus(rawValue: status) { input.status = s } else { bad(first, "Status", "Use active, draft or archived.") }
        } else if first.has("Published") {
            switch first["Published"].lowercased() {
            case "", "true": input.status = .active
            case "false": input.status = .draft
            default: bad(first, "Published", "Use TRUE or FALSE.")
            }
        } else if before == nil {
            input.status = .active
        }
        if first.has("Product Category") {
            let path = first["Product Category"]
            input.categoryId = path.isEmpty ? nil : try categoryId(path: path)
        }

        // Options: names on the first row; Shopify's "Title" / "Default Title" means none.
        var names: [String] = []
        for n in 1...3 where !first["Option\(n) Name"].isEmpty { names.append(first["Option\(n) Name"]) }
        if names == ["Title"] { names = [] }
        let rowsWithVariants = rows.filter { row in ShopifyProductCSV.variantColumns.contains { !row[$0].isEmpty } }
        var variants: [VariantInput] = []
        var variantRows: [ShopifyProductCSV.Record] = []
        var images: [(position: Int, src: String, alt: String, skus: [String], line: Int)] = []
        for row in rowsWithVariants {
            var v = VariantInput()
            v.optionValues = names.indices.map { row["Option\($0 + 1) Value"] }
            if names.isEmpty, !["", "default title"].contains(row["Option1 Value"].lowercased()) {
                bad(row, "Option1 Value", "This product has no Option1 Name, so its variants cannot have option values.")
            }
            if let old = before?.variants.first(where: {
                $0.optionValues.map { $0.lowercased() } == v.optionValues.map { $0.lowercased() }
            }) { v.id = old.id }
            v.sku = row["Variant SKU"]
            v.barcode = row["Variant Barcode"].hasPrefix("'") ? String(row["Variant Barcode"].dropFirst()) : row["Variant Barcode"]
            if let price = amount(row, "Variant Price", required: true, bad) { v.priceMinor = price }
            v.compareAtMinor = amount(row, "Variant Compare At Price", required: false, bad)
            v.costMinor = amount(row, "Cost per item", required: false, bad)
            v.weightGrams = integer(row, "Variant Grams", minimum: 0, bad) ?? 0
            v.inventoryQuantity = integer(row, "Variant Inventory Qty", minimum: nil, bad) ?? 0
            switch row["Variant Inventory Policy"].lowercased() {
            case "", "deny": v.inventoryPolicy = .deny
            case "continue": v.inventoryPolicy = .continue
            default: bad(row, "Variant Inventory Policy", "Use deny or continue.")
            }
            if row.has("Variant Inventory Tracker") { v.inventoryTracked = !row["Variant Inventory Tracker"].isEmpty }
            v.requiresShipping = boolean(row, "Variant Requires Shipping", bad) ?? true
            v.taxable = boolean(row, "Variant Taxable", bad) ?? true
            let variantImage = row["Variant Image"]
            if !variantImage.isEmpty, let sku = v.sku, !sku.isEmpty {
                if SafeURL.scheme(of: variantImage).map({ ["http", "https"].contains($0) }) != true {
                    bad(row, "Variant Image", "Use an http or https image address.")
                } else if let i = images.firstIndex(where: { $0.src == variantImage }) {
                    images[i].skus.append(sku)
                } else {
                    images.append((0, variantImage, "", [sku], row.line))
                }
            }
            variants.append(v)
            variantRows.append(row)
        }
        if variants.isEmpty {
            variants = before?.variants ?? [VariantInput()]
        }
        input.options = names.map { OptionInput(name: $0) }
        input.variants = variants

        for row in rows where !row["Image Src"].isEmpty {
            let src = row["Image Src"]
            guard SafeURL.scheme(of: src).map({ ["http", "https"].contains($0) }) == true, src.utf8.count <= 2048 else {
                bad(row, "Image Src", "Use an http or https image address.")
                continue
            }
            var position = images.count + 1
            if !row["Image Position"].isEmpty {
                guard let p = Int(row["Image Position"]), p >= 1, p <= 250 else {
                    bad(row, "Image Position", "Use a whole number from 1.")
                    continue
                }
                position = p
            }
            let alt = row["Image Alt Text"]
            if let i = images.firstIndex(where: { $0.src == src }) {
                images[i].position = position
                images[i].alt = alt
            } else {
                images.append((position, src, alt, [], row.line))
            }
        }
        // Images only named as a variant's image go after the others.
        var used = Set(images.filter { $0.position > 0 }.map(\.position))
        for i in images.indices where images[i].position == 0 {
            var p = 1
            while used.contains(p) { p += 1 }
            images[i].position = p
            used.insert(p)
        }
        var positions: Set<Int> = []
        for image in images where !positions.insert(image.position).inserted {
            problems.append(CatalogImportRowError(row: image.line, column: "Image Position",
                                                  message: "Image position \(image.position) is used twice for this product."))
        }

        if problems.isEmpty {
            do {
                let id = try db.transaction { db in
                    let id = try ProductAdmin.write(input, productId: existing, by: actor, on: db, movementReason: "import")
                    try db.execute("DELETE FROM product_image_sources WHERE product_id = \(id) AND status = 'pending'")
                    if !images.isEmpty {
                        try db.execute("""
                            INSERT INTO product_image_sources (product_id, position, src, alt, variant_skus)
                            SELECT \(id), x.position, x.src, x.alt, string_to_array(x.skus, E'\\x1f')
                            FROM unnest(\(images.map { Int32($0.position) })::int4[], \(images.map(\.src))::text[],
                                        \(images.map(\.alt))::text[], \(images.map { $0.skus.joined(separator: "\u{1F}") })::text[])
                                 AS x (position, src, alt, skus)
                            """)
                    }
                    return id
                }
                _ = id
                if existing == nil { result.productsCreated += 1 } else { result.productsUpdated += 1 }
            } catch let validation as CatalogValidation {
                for error in validation.errors {
                    let (row, column) = locate(error.field, first: first, variantRows: variantRows)
                    problems.append(CatalogImportRowError(row: row, column: column, message: error.message))
                }
            }
        }
        for p in problems.sorted(by: { $0.row < $1.row }) { report(p.row, p.column, p.message, into: &result) }
    }

    /// The row and column of a `CatalogValidation` field.
    func locate(_ field: String, first: ShopifyProductCSV.Record, variantRows: [ShopifyProductCSV.Record]) -> (Int, String?) {
        let parts = field.split(separator: ".").map(String.init)
        if parts.count >= 2, parts[0] == "variants", let i = Int(parts[1]), i < variantRows.count {
            let column: String?
            switch parts.count > 2 ? parts[2] : "" {
            case "sku": column = "Variant SKU"
            case "barcode": column = "Variant Barcode"
            case "price": column = "Variant Price"
            case "compare_at_price": column = "Variant Compare At Price"
            case "cost": column = "Cost per item"
            case "weight": column = "Variant Grams"
            case "inventory_quantity": column = "Variant Inventory Qty"
            case "options": column = "Option1 Value"
            default: column = nil
            }
            return (variantRows[i].line, column)
        }
        if parts.count >= 2, parts[0] == "options", let i = Int(parts[1]) { return (first.line, "Option\(i + 1) Name") }
        let columns = ["title": "Title", "handle": "Handle", "description_html": "Body (HTML)", "vendor": "Vendor",
                       "product_type": "Type", "tags": "Tags", "seo_title": "SEO Title", "seo_description": "SEO Description",
                       "category_id": "Product Category"]
        return (first.line, columns[field])
    }

    func amount(_ row: ShopifyProductCSV.Record, _ column: String, required: Bool,
                _ bad: (ShopifyProductCSV.Record, String?, String) -> Void) -> Int64? {
        let text = row[column]
        if text.isEmpty {
            if required { bad(row, column, "Enter the price.") }
            return nil
        }
        guard let minor = CatalogText.minorUnits(text, digits: digits) else {
            bad(row, column, "“\(text.prefix(30))” is not an amount like 19.99.")
            return nil
        }
        return minor
    }

    func integer(_ row: ShopifyProductCSV.Record, _ column: String, minimum: Int?,
                 _ bad: (ShopifyProductCSV.Record, String?, String) -> Void) -> Int? {
        var text = row[column]
        if text.isEmpty { return nil }
        // Spreadsheets write whole numbers as 200.0.
        if let dot = text.firstIndex(of: "."), text[text.index(after: dot)...].allSatisfy({ $0 == "0" }) {
            text = String(text[..<dot])
        }
        guard let n = Int(text), abs(n) <= 1_000_000_000 else {
            bad(row, column, "“\(text.prefix(30))” is not a whole number.")
            return nil
        }
        if let minimum, n < minimum {
            bad(row, column, "Cannot be negative.")
            return nil
        }
        return n
    }

    func boolean(_ row: ShopifyProductCSV.Record, _ column: String,
                 _ bad: (ShopifyProductCSV.Record, String?, String) -> Void) -> Bool? {
        switch row[column].lowercased() {
        case "": return nil
        case "true", "yes", "1": return true
        case "false", "no", "0": return false
        default:
            bad(row, column, "Use TRUE or FALSE.")
            return nil
        }
    }

    /// The category at `path` ("Clothing > Shirts"), made when missing.
    mutating func categoryId(path: String) throws -> Int64? {
        let names = path.split(separator: ">").map { String($0).trimmedWhitespace() }.filter { !$0.isEmpty }
        var parent: Int64? = nil
        var walked = ""
        for name in names {
            walked += ">" + name.lowercased()
            if let id = categoryIds[walked] {
                parent = id
                continue
            }
            if let row = try db.queryFirst("""
                SELECT id FROM categories WHERE parent_id IS NOT DISTINCT FROM \(parent) AND lower(name) = lower(\(name))
                ORDER BY position, id LIMIT 1
                """) {
                parent = try row.decode("id")
            } else {
                parent = try CategoryAdmin.create(name: name, parentId: parent, by: actor, on: db)
            }
            categoryIds[walked] = parent
        }
        return parent
    }
}
