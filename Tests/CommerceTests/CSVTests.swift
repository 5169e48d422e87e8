import Postgres
import Testing
@testable import Commerce

@Suite("CSV reader and writer (RFC 4180)")
struct CSVTests {
    func records(_ text: String, chunk: Int = 3) throws -> [[String]] {
        var bytes = Array(text.utf8)[...]
        var reader = CSVReader(nextChunk: {
            if bytes.isEmpty { return nil }
            let part = Array(bytes.prefix(chunk))
            bytes = bytes.dropFirst(chunk)
            return part
        })
        var out: [[String]] = []
        while let r = try reader.next() { out.append(r) }
        return out
    }

    @Test("quotes, doubled quotes, line breaks in fields, CRLF and a BOM, read across chunk boundaries")
    func reads() throws {
        let text = "\u{FEFF}a,b,c\r\n1,\"x, y\",\"say \"\"hi\"\"\"\r\n2,\"two\nlines\",\n3,,\"\"\r\n"
        #expect(try records(text) == [["a", "b", "c"], ["1", "x, y", "say \"hi\""], ["2", "two\nlines", ""], ["3", "", ""]])
        #expect(try records("a,b") == [["a", "b"]])
    }

    @Test("an unclosed quote and invalid UTF-8 are errors with their line")
    func errors() throws {
        #expect(throws: CSVReader.Failure(line: 2, message: "a quoted field is never closed")) { try records("a\n\"open,b\nc") }
        var reader = CSVReader(bytes: [0x61, 0x0A, 0xFF, 0xFE])
        _ = try reader.next()
        #expect(throws: CSVReader.Failure.self) { try reader.next() }
    }

    @Test("the writer quotes what needs it and reads back the same")
    func roundTrip() throws {
        let rows = [["plain", "with,comma", "with \"quote\"", "multi\nline", " padded ", ""], ["é", "😀", "=1+1"]]
        var out: [UInt8] = []
        var writer = CSVWriter(blockSize: 4) { out += $0 }
        for r in rows { try writer.write(r) }
        try writer.flush()
        #expect(String(decoding: out, as: UTF8.self).hasPrefix("plain,\"with,comma\",\"with \"\"quote\"\"\",\"multi\nline\",\" padded \",\r\n"))
        #expect(try records(String(decoding: out, as: UTF8.self)) == rows)
    }
}

@Suite("Shopify product CSV import and export")
struct CatalogCSVTests {
    static func export(_ db: Connection) throws -> String {
        var out: [UInt8] = []
        var writer = CSVWriter { out += $0 }
        try CatalogExport.write(on: db, to: &writer, imageURL: { "https://cdn.example.com/" + $0 })
        return String(decoding: out, as: UTF8.self)
    }

    static func importText(_ text: String, into store: StoreFixture) throws -> CatalogImportResult {
        var reader = CSVReader(bytes: Array(text.utf8))
        return try CatalogImport.importCSV(&reader, by: store.actor, on: store.db)
    }

    @Test("export, then import into an empty store, gives the same catalog")
    func roundTrip() throws {
        try StoreFixture.run("csv-src") { source in
            let category = try CategoryAdmin.create(name: "Kitchen", parentId: nil, by: source.actor, on: source.db)
            let cups = try CategoryAdmin.create(name: "Cups", parentId: category, by: source.actor, on: source.db)
            _ = try ProductAdmin.create(ProductInput(
                title: "Enamel Mug, \"Blue\"", descriptionHTML: "<p>Holds <strong>350 ml</strong>.</p>\n<ul><li>Steel</li></ul>",
                vendor: "Acme", productType: "Mugs", tags: ["kitchen", "gift"], seoTitle: "Blue mug", seoDescription: "A mug.",
                status: .active, categoryId: cups,
                options: [OptionInput(name: "Size"), OptionInput(name: "Colour")],
                variants: [
                    VariantInput(optionValues: ["S", "Blue"], sku: "MUG-S-B", barcode: "036000291452", priceMinor: 1250,
                                 compareAtMinor: 1500, costMinor: 400, weightGrams: 300, inventoryQuantity: 7),
                    VariantInput(optionValues: ["L", "Blue"], sku: "MUG-L-B", priceMinor: 1450, weightGrams: 420,
                                 inventoryQuantity: -2, inventoryPolicy: .continue, inventoryTracked: true, taxable: false),
                ]), by: source.actor, on: source.db)
            let plain = try ProductAdmin.create(ProductInput(title: "Gift card", status: .draft,
                variants: [VariantInput(priceMinor: 2500, inventoryTracked: false, requiresShipping: false)]),
                by: source.actor, on: source.db)
            try source.db.execute("""
                INSERT INTO product_images (product_id, position, alt, storage_key, content_type)
                VALUES (\(plain), 1, 'A card', 'images/card.png', 'image/png')
                """)
            let exported = try Self.export(source.db)
            #expect(exported.hasPrefix("Handle,Title,Body (HTML),Vendor,Product Category,Type,Tags,Published,Option1 Name"))

            try StoreFixture.run("csv-dst") { target in
                let result = try Self.importText(exported, into: target)
                #expect(result.errors == [])
                #expect(result.productsCreated == 2)
                #expect(try Self.export(target.db) == exported)
                #expect(try CategoryAdmin.tree(on: target.db).map(\.path) == ["Kitchen", "Kitchen > Cups"])
            }
        }
    }

    @Test("a file with bad rows imports nothing and lists every bad row")
    func badRows() throws {
        try StoreFixture.run("csv-bad") { store in
            let csv = """
                Handle,Title,Option1 Name,Option1 Value,Variant SKU,Variant Price,Variant Inventory Qty,Variant Barcode,Status
                good,Good Mug,Title,Default Title,G-1,10.00,3,,active
                bad-price,Bad Price,Size,S,BP-S,ten,1,,active
                bad-price,,,M,BP-M,12.00,x,,
                ,,,,,,,,
                dup-sku,Dup SKU,Title,Default Title,G-1,5.00,1,,draft
                bad-code,Bad Barcode,Title,Default Title,BC-1,5.00,1,12345678,active
                no-title,,Title,Default Title,NT-1,5.00,1,,active
                Bad Handle!,Bad Handle,Title,Default Title,BH-1,5.00,1,,pending
                """
            let result = try Self.importText(csv, into: store)
            let found = Set(result.errors.map { "\($0.row):\($0.column ?? "-")" })
            #expect(found == ["3:Variant Price", "4:Variant Inventory Qty", "6:Variant SKU", "7:Variant Barcode",
                              "8:Title", "9:Handle", "9:Status"], "\(result.errors)")
            #expect(result.productsCreated == 0)
            #expect(try store.count("SELECT count(*) FROM products") == 0)
            #expect(try store.count("SELECT count(*) FROM categories") == 0)
        }
    }

    @Test("an import runs as a queued job with progress, through the outbox")
    func queued() throws {
        try StoreFixture.run("csv-job") { store in
            let csv = "Handle,Title,Variant Price\nmug,Mug,9.50\nmug,,10.50\n"
            let id = try CatalogImport.enqueue(file: Array(csv.utf8), filename: "products.csv", by: store.actor, on: store.db)
            #expect(try store.count("SELECT count(*) FROM outbox WHERE topic = 'catalog.import' AND dispatched_at IS NULL") == 1)
            #expect(try CatalogImport.status(id, on: store.db)?.status == "queued")
            let second = try Connection(url: store.url)
            try CatalogImport.run(importId: id, on: store.db, progress: second)
            let status = try #require(try CatalogImport.status(id, on: store.db))
            #expect(status.status == "failed")         // two variants without options: both "Default Title"
            #expect(status.errors.map(\.row) == [3])
            #expect(status.percent == 100)
            #expect(try store.count("SELECT count(*) FROM products") == 0)

            let good = "Handle,Title,Option1 Name,Option1 Value,Variant Price\nmug,Mug,Size,S,9.50\nmug,,,L,10.50\n"
            let next = try CatalogImport.enqueue(file: Array(good.utf8), filename: "good.csv", by: store.actor, on: store.db)
            try CatalogImport.run(importId: next, on: store.db, progress: second)
            let done = try #require(try CatalogImport.status(next, on: store.db))
            #expect(done.status == "succeeded")
            #expect(done.productsCreated == 1)
            #expect(done.rowsTotal == 2 && done.rowsProcessed == 2)
            #expect(try store.count("SELECT count(*) FROM variants") == 2)
        }
    }
}
