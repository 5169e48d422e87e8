import Foundation
import Testing
@testable import Feeds

@Suite struct FeedWriterTests {
    @Test(arguments: [(FeedChannel.google, "google.xml"), (.meta, "meta.csv"), (.tiktok, "tiktok.csv")])
    func writerMatchesTheHandWrittenFile(channel: FeedChannel, file: String) throws {
        let feed = try FeedFixture.generate(channel)
        let expected = try FeedFixture.expected(file)
        #expect(feed.text == expected, "\(channel) feed differs from Expected/\(file)")
        #expect(feed.summary.itemCount == 5)
        #expect(feed.summary.productCount == 3)
        #expect(feed.summary.skippedCount == 2)
        #expect(feed.summary.byteCount == expected.utf8.count)
    }

    @Test func warningsNameTheProductAndWhatIsWrong() throws {
        let feed = try FeedFixture.generate(.google)
        let found = feed.warnings.map { "\($0.productId)/\($0.variantId.map(String.init) ?? "-")/\($0.code.rawValue)" }
        #expect(found == ["10/103/out_of_stock", "11/111/no_brand_no_identifier", "12/121/title_cut",
                          "13/131/no_image", "14/-/no_price"])
        // The Meta title limit is 200, so the same title is cut there too but later.
        let meta = try FeedFixture.generate(.meta)
        #expect(meta.warnings.contains { $0.productId == 12 && $0.code == .titleCut })
    }

    @Test func eachWarningIsReportedOncePerProduct() throws {
        var records: [FeedVariantRecord] = []
        for v in 1...4 {
            records.append(FeedVariantRecord(productId: 1, handle: "x", title: "X", variantCount: 4, variantId: Int64(v),
                                             priceMinor: 100, inventoryQuantity: 0, imageKeys: ["a.jpg"]))
        }
        let feed = try FeedFixture.generate(.google, records: records)
        #expect(feed.warnings.map(\.code) == [.noBrandNoIdentifier, .outOfStock])
        #expect(feed.summary.itemCount == 4)
    }

    @Test func googleFeedParsesAsXMLWithTheRequiredFieldsOnEveryItem() throws {
        let feed = try FeedFixture.generate(.google)
        let items = try RSSItems.parse(Data(feed.text.utf8))
        #expect(items.count == 5)
        for item in items {
            for field in ["g:id", "title", "description", "link", "g:image_link", "g:availability", "g:price", "g:condition"] {
                #expect(!(item[field] ?? "").isEmpty, "item \(item["g:id"] ?? "?") lacks \(field)")
            }
            #expect(item["g:brand"] != nil || item["g:gtin"] != nil || item["g:identifier_exists"] == "no")
            #expect(item["link"]!.hasPrefix("https://shop.example.com/"))
            #expect(item["g:image_link"]!.hasPrefix("https://shop.example.com/"))
            #expect(item["title"]!.unicodeScalars.count <= 150)
        }
        // Escaping round-trips: the parser gives back the merchant's text.
        #expect(items[3]["title"] == "Tea & \"Biscuits\" <Gift> Box")
        #expect(items[3]["description"] == "Contains: tea, biscuits\nand \"love\". Enjoy, friends!")
        #expect(items[1]["g:sale_price"] == "69.00 USD")
    }

    @Test func xmlForbiddenCharactersNeverReachTheFile() throws {
        var record = FeedFixture.records[3]
        record.title = "Bell\u{7} \u{0}Box\u{FFFF}"
        record.vendor = "Ve\u{1B}ndor"
        record.descriptionHTML = "a&#0;b&#x8;c\u{FFFE}d"
        let feed = try FeedFixture.generate(.google, records: [record])
        let items = try RSSItems.parse(Data(feed.text.utf8))
        #expect(items.first?["title"] == "Bell Box")
        #expect(items.first?["g:brand"] == "Vendor")
        #expect(items.first?["description"] == "abcd")
    }

    @Test func metaCSVRoundTripsCommasQuotesAndNewlines() throws {
        let feed = try FeedFixture.generate(.meta)
        let rows = try CSVReader.parse(feed.text)
        #expect(rows.count == 6)
        let header = rows[0]
        #expect(Array(header.prefix(9)) == ["id", "title", "description", "availability", "condition", "price",
                                            "link", "image_link", "brand"])
        #expect(rows.allSatisfy { $0.count == header.count })
        let column = { (name: String) in header.firstIndex(of: name)! }
        let tea = rows[4]
        #expect(tea[column("title")] == "Tea & \"Biscuits\" <Gift> Box")
        #expect(tea[column("description")] == "Contains: tea, biscuits\nand \"love\". Enjoy, friends!")
        #expect(rows[2][column("additional_image_link")].split(separator: ",").count == 2)
        #expect(rows[1][column("availability")] == "in stock")
        #expect(rows[3][column("availability")] == "out of stock")

        // Any value comes back as written.
        var record = FeedFixture.records[3]
        record.title = "a,b \"c\" d"
        record.vendor = "Comma, Inc."
        record.descriptionHTML = "line one<br>line \"two\", with comma"
        let again = try CSVReader.parse(try FeedFixture.generate(.meta, records: [record]).text)
        #expect(again[1][column("title")] == "a,b \"c\" d")
        #expect(again[1][column("brand")] == "Comma, Inc.")
        #expect(again[1][column("description")] == "line one\nline \"two\", with comma")
    }

    @Test func tiktokCSVHasTheRequiredColumns() throws {
        let rows = try CSVReader.parse(try FeedFixture.generate(.tiktok).text)
        #expect(Array(rows[0].prefix(9)) == ["sku_id", "title", "description", "availability", "condition", "price",
                                             "link", "image_link", "brand"])
        #expect(rows.dropFirst().allSatisfy { $0.prefix(8).allSatisfy { !$0.isEmpty } })
    }

    @Test func pricesFollowTheCurrency() throws {
        var record = FeedFixture.records[4]
        record.priceMinor = 1500
        record.compareAtMinor = 2000
        var store = FeedFixture.store
        for (currency, price, sale) in [("JPY", "2000 JPY", "1500 JPY"), ("KWD", "2.000 KWD", "1.500 KWD"),
                                        ("EUR", "20.00 EUR", "15.00 EUR")] {
            store.currency = currency
            var bytes: [UInt8] = []
            let out = FeedOutput { bytes.append(contentsOf: $0) }
            _ = try FeedGenerator(channel: .google, store: store).generate(from: ListFeedSource([record]), to: out)
            let items = try RSSItems.parse(Data(bytes))
            #expect(items.first?["g:price"] == price)
            #expect(items.first?["g:sale_price"] == sale)
        }
    }
}
