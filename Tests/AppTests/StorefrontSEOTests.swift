@testable import Commerce
import Foundation
#if canImport(FoundationXML)
import FoundationXML
#endif
import HTTP
import Registry
import Testing
@testable import App

/// Titles, canonical URLs, Open Graph, `Product` JSON-LD (against Google's Product structured
/// data rules), the sitemap (against the sitemaps.org protocol) and robots.txt.
@Suite(.serialized) struct StorefrontSEOTests {
    @Test func productPagesCarryJSONLDThatMeetsGooglesProductRules() throws {
        guard let stack = try AppStack.required() else { return }
        let store = try stack.provisionStore(prefix: "jsonld", name: "Fieldnote Supply Co.", currency: "USD")
        try StorefrontFixtures.seed(stack, store)
        let handle = try stack.handler()
        let html = handle(try get("/products/field-jacket", host: stack.host(store))).text
        let base = "http://\(stack.host(store))"

        #expect(html.contains("<title>Field Jacket – Fieldnote Supply Co.</title>"))
        #expect(html.contains("<meta name=\"description\" content=\"Waxed cotton jacket with a corduroy collar.\">"))
        #expect(html.contains("<link rel=\"canonical\" href=\"\(base)/products/field-jacket\">"))
        #expect(html.contains("<meta property=\"og:type\" content=\"product\">"))
        #expect(html.contains("<meta property=\"og:image\" content=\"\(base)/assets/sample/shirt.svg\">"))

        let objects = try StorefrontFixtures.structuredData(html)
        let product = try #require(objects.first { $0["@type"] as? String == "Product" })
        try GoogleProductRules.check(product)
        #expect(product["@context"] as? String == "https://schema.org")
        #expect(product["name"] as? String == "Field Jacket")
        #expect(product["description"] as? String == "Waxed cotton jacket with a corduroy collar.")
        #expect(product["sku"] as? String == "FJ-S")
        #expect(product["gtin"] as? String == "0012345678905")
        #expect((product["brand"] as? [String: Any])?["name"] as? String == "Northbound")
        #expect(product["image"] as? [String] == ["\(base)/assets/sample/shirt.svg", "\(base)/assets/sample/tee.svg"])
        let offers = try #require(product["offers"] as? [[String: Any]])
        #expect(offers.count == 3)
        #expect(offers.map { $0["price"] as? String } == ["120.00", "120.00", "130.00"])
        #expect(offers.map { $0["availability"] as? String } == [
            "https://schema.org/InStock", "https://schema.org/InStock", "https://schema.org/OutOfStock"])
        #expect(offers.allSatisfy { $0["priceCurrency"] as? String == "USD" })

        // Sold out but still selling is a back order; a product without a brand has none.
        let pencil = try #require(try StorefrontFixtures.structuredData(
            handle(try get("/products/brass-pencil", host: stack.host(store))).text).first)
        try GoogleProductRules.check(pencil)
        #expect((pencil["offers"] as? [[String: Any]])?.first?["availability"] as? String == "https://schema.org/BackOrder")

        // The home page stays free of scripts but the cart badge's deferred one (no JSON-LD).
        let home = handle(try get("/", host: stack.host(store))).text
        #expect(home.components(separatedBy: "<script").count == 2)
        #expect(!home.contains("application/ld+json"))
    }

    @Test func jsonLDEscapesWhatCouldCloseTheScript() throws {
        let detail = try ProductDetail.fixture(title: "Lamp </script><script>alert(1)</script>")
        let value = StructuredData.product(detail, selected: nil, baseURL: "https://shop.example", mediaPrefix: "/media/x/",
                                           currency: "JPY", description: "a & b")
        let text = value.htmlSafeJSONString
        #expect(!text.contains("</script>") && !text.contains("<"))
        let parsed = try #require(try JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any])
        #expect(parsed["name"] as? String == "Lamp </script><script>alert(1)</script>")
        #expect((parsed["offers"] as? [[String: Any]])?.first?["price"] as? String == "1250")   // JPY: no decimals
        try GoogleProductRules.check(parsed)
    }

    @Test func sitemapListsEveryPublicPageOnThePrimaryHost() throws {
        guard let stack = try AppStack.required() else { return }
        let store = try stack.provisionStore(prefix: "sitemap", name: "Mapped Goods")
        try StorefrontFixtures.seed(stack, store)
        let handle = try stack.handler()
        let response = handle(try get("/sitemap.xml", host: stack.host(store)))
        #expect(response.status == .ok)
        #expect(response.headers["Content-Type"] == "application/xml; charset=utf-8")
        let doc = try SitemapDocument.parse(response.text)
        #expect(doc.root == "urlset")
        let base = "http://\(stack.host(store))"
        #expect(Set(doc.locs) == Set([base + "/", base + "/collections/carry", base + "/pages/about",
                                      base + "/products/field-jacket", base + "/products/canvas-tote",
                                      base + "/products/brass-pencil"]))
        try SitemapDocument.checkProtocol(doc)

        let robots = handle(try get("/robots.txt", host: stack.host(store)))
        #expect(robots.status == .ok)
        #expect(robots.text.contains("User-agent: *"))
        #expect(robots.text.contains("Sitemap: \(base)/sitemap.xml"))
        #expect(robots.text.contains("Disallow: /checkout"))
    }

    @Test func bigCatalogsGetASitemapIndexOfFilesWithinTheLimit() throws {
        guard let stack = try AppStack.required() else { return }
        let store = try stack.provisionStore(prefix: "bigmap", name: "Big Goods")
        try stack.addProducts(store, (1...7).map { ("Thing \($0)", 100, nil) })
        let db = try stack.tenantConnection(store)
        let base = "https://shop.example"
        let sitemap = Sitemap(baseURL: base, counts: try Catalog.sitemapCounts(on: db), limit: 3)
        #expect(sitemap.needsIndex)

        func document(_ file: String) throws -> SitemapDocument {
            var text = ""
            let write = try #require(sitemap.writer(for: file), "\(file)")
            try write(db) { text += $0 }
            return try SitemapDocument.parse(text)
        }
        let index = try document("sitemap.xml")
        #expect(index.root == "sitemapindex")
        #expect(index.locs == [base + "/sitemap_pages_1.xml", base + "/sitemap_products_1.xml",
                               base + "/sitemap_products_2.xml", base + "/sitemap_products_3.xml"])
        var products: [String] = []
        for loc in index.locs {
            let child = try document(String(loc.dropFirst(base.count + 1)))
            #expect(child.root == "urlset")
            #expect(child.locs.count <= 3)
            try SitemapDocument.checkProtocol(child, limit: 3)
            products += child.locs.filter { $0.contains("/products/") }
        }
        #expect(products.count == 7 && Set(products).count == 7)
        #expect(sitemap.writer(for: "sitemap_products_4.xml") == nil)
        #expect(sitemap.writer(for: "sitemap_products_01.xml") == nil)
        #expect(Sitemap(baseURL: base, counts: try Catalog.sitemapCounts(on: db)).needsIndex == false)
    }
}

/// Google's Product structured data (developers.google.com/search/docs/appearance/structured-data/
/// product-snippet and merchant-listing): `name` required, and one of `offers`, `review` or
/// `aggregateRating`; each Offer needs `price` (a number or a string of digits with a dot as the
/// decimal separator) and `priceCurrency` (ISO 4217), and `availability` as a schema.org URL;
/// recommended: `image`, `description`, `sku`, `gtin` (8, 12, 13 or 14 digits), `brand.name`.
enum GoogleProductRules {
    struct Violation: Error, CustomStringConvertible { let description: String }
    static let availabilities: Set<String> = ["BackOrder", "Discontinued", "InStock", "InStoreOnly", "LimitedAvailability",
        "MadeToOrder", "OnlineOnly", "OutOfStock", "PreOrder", "PreSale", "Reserved", "SoldOut"]

    static func check(_ p: [String: Any]) throws {
        func fail(_ s: String) throws { throw Violation(description: s) }
        guard p["@type"] as? String == "Product" else { return try fail("@type is not Product") }
        guard let name = p["name"] as? String, !name.isEmpty else { return try fail("name is required") }
        guard p["offers"] != nil || p["review"] != nil || p["aggregateRating"] != nil else {
            return try fail("one of offers, review, aggregateRating is required")
        }
        let offers: [[String: Any]]
        if let list = p["offers"] as? [[String: Any]] { offers = list }
        else if let one = p["offers"] as? [String: Any] { offers = [one] }
        else { offers = [] }
        for offer in offers {
            let type = offer["@type"] as? String
            guard type == "Offer" || type == "AggregateOffer" else { try fail("offer @type \(type ?? "nil")"); continue }
            let priceKey = type == "AggregateOffer" ? "lowPrice" : "price"
            guard let price = offer[priceKey] as? String ?? (offer[priceKey] as? NSNumber)?.stringValue,
                  price.range(of: #"^\d+(\.\d+)?$"#, options: .regularExpression) != nil else {
                return try fail("offer \(priceKey) must be a decimal with a dot")
            }
            guard let currency = offer["priceCurrency"] as? String,
                  currency.range(of: "^[A-Z]{3}$", options: .regularExpression) != nil else {
                return try fail("priceCurrency must be ISO 4217")
            }
            if let availability = offer["availability"] {
                guard let url = availability as? String, url.hasPrefix("https://schema.org/"),
                      availabilities.contains(String(url.dropFirst("https://schema.org/".count))) else {
                    return try fail("availability must be a schema.org ItemAvailability URL")
                }
            } else {
                try fail("availability is missing")
            }
            if let url = offer["url"] as? String, !(url.hasPrefix("https://") || url.hasPrefix("http://")) {
                try fail("offer url must be absolute")
            }
        }
        // Recommended properties, when present, must be well formed.
        if let images = p["image"] as? [String] {
            for image in images where !(image.hasPrefix("https://") || image.hasPrefix("http://")) { try fail("image must be absolute") }
        }
        if let gtin = p["gtin"] as? String, gtin.range(of: #"^(\d{8}|\d{12}|\d{13}|\d{14})$"#, options: .regularExpression) == nil {
            try fail("gtin must be 8, 12, 13 or 14 digits")
        }
        if let brand = p["brand"] {
            guard let b = brand as? [String: Any], b["@type"] as? String == "Brand", (b["name"] as? String)?.isEmpty == false else {
                return try fail("brand must be a Brand with a name")
            }
        }
    }
}

/// A parsed sitemap file: its root element and its `<loc>`s.
struct SitemapDocument {
    var root = ""
    var namespace = ""
    var locs: [String] = []
    var lastmods: [String] = []

    static func parse(_ text: String) throws -> SitemapDocument {
        final class Delegate: NSObject, XMLParserDelegate {
            var doc = SitemapDocument()
            var element = ""
            var buffer = ""
            func parser(_ parser: XMLParser, didStartElement name: String, namespaceURI: String?,
                        qualifiedName: String?, attributes: [String: String] = [:]) {
                if doc.root.isEmpty { doc.root = name; doc.namespace = attributes["xmlns"] ?? "" }
                element = name
                buffer = ""
            }
            func parser(_ parser: XMLParser, foundCharacters string: String) { buffer += string }
            func parser(_ parser: XMLParser, didEndElement name: String, namespaceURI: String?, qualifiedName: String?) {
                if name == "loc" { doc.locs.append(buffer) }
                if name == "lastmod" { doc.lastmods.append(buffer) }
                buffer = ""
            }
        }
        let delegate = Delegate()
        let parser = XMLParser(data: Data(text.utf8))
        parser.delegate = delegate
        guard parser.parse() else {
            throw GoogleProductRules.Violation(description: "sitemap is not well-formed XML: \(parser.parserError.map { "\($0)" } ?? "?")")
        }
        return delegate.doc
    }

    /// sitemaps.org 0.9: the namespace, absolute `loc`s under 2,048 characters, at most 50,000
    /// (or `limit`) per file, W3C dates.
    static func checkProtocol(_ doc: SitemapDocument, limit: Int = 50_000) throws {
        func fail(_ s: String) throws { throw GoogleProductRules.Violation(description: s) }
        guard doc.namespace == "http://www.sitemaps.org/schemas/sitemap/0.9" else { return try fail("namespace \(doc.namespace)") }
        guard doc.locs.count <= limit else { return try fail("\(doc.locs.count) URLs in one file") }
        for loc in doc.locs {
            guard let url = URL(string: loc), url.scheme == "http" || url.scheme == "https", url.host != nil,
                  loc.count < 2048 else { return try fail("loc not absolute: \(loc)") }
        }
        for date in doc.lastmods where date.range(of: #"^\d{4}-\d{2}-\d{2}"#, options: .regularExpression) == nil {
            try fail("lastmod not a W3C date: \(date)")
        }
    }
}

extension ProductDetail {
    /// A product in memory, for tests that need no database.
    static func fixture(title: String) throws -> ProductDetail {
        let variant = ProductVariant(id: 9, title: "Default Title", optionValues: [], sku: "LAMP-1", barcode: "12345",
                                     mpn: nil, priceMinor: 1250, compareAtMinor: nil, weightGrams: 0,
                                     requiresShipping: true, taxable: true, inventoryTracked: false,
                                     inventoryQuantity: 0, sellsWhenSoldOut: false, imageId: nil)
        return ProductDetail(id: 1, handle: "lamp", title: title, descriptionHTML: "", vendor: "", productType: "",
                             tags: [], seoTitle: nil, seoDescription: nil, condition: "new",
                             googleProductCategory: nil, publishedAt: nil, createdAt: Date(timeIntervalSince1970: 0),
                             updatedAt: Date(timeIntervalSince1970: 0), options: [], variants: [variant], images: [])
    }
}
