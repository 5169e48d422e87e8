import Foundation
@testable import Commerce
import HTTP
import Registry
import TestSupport
import Testing
@testable import App

/// The default theme rendered with products in memory: no stack needed, so the theme can be
/// checked (and iterated on) anywhere.
@Suite struct ThemeRenderingTests {
    static let route = StoreRoute(storeId: 7, slug: "fieldnote", name: "Fieldnote & Co.", status: .active,
                                  currency: "GBP", locale: "en_GB", timezone: "Europe/London", primaryHost: nil)

    static func product(_ id: Int64, _ title: String, price: Int64, compareAt: Int64? = nil, min: Int64? = nil,
                        max: Int64? = nil, image: ImageReference? = nil, available: Bool = true) -> ProductSummary {
        ProductSummary(id: id, handle: "p-\(id)", title: title, vendor: "Fieldnote", productType: "", tags: [],
                       createdAt: Date(timeIntervalSince1970: 0), firstVariantId: id, priceMinor: price,
                       compareAtMinor: compareAt, minPriceMinor: min ?? price, maxPriceMinor: max ?? price,
                       image: image, available: available)
    }

    func render(_ products: [ProductSummary]) throws -> String {
        let config = AppConfiguration(platformDomain: "storefleet.localhost", registryURL: "unused",
                                      templateDirectory: StackEnvironment.packageRoot() + "/templates")
        let storefront = try Storefront(config: config)
        let site = StoreSite(route: ThemeRenderingTests.route, links: SiteLinks(platformDomain: "storefleet.localhost"))
        return try storefront.renderHome(site, products: products)
    }

    @Test func productsArePricedInTheStoresCurrencyWithSaleAndRangeStates() throws {
        let html = try render([
            Self.product(1, "Pocket Notebook", price: 1200),
            Self.product(2, "Brass Pen", price: 2400, compareAt: 3000),
            Self.product(3, "Desk Set", price: 5000, min: 4500, max: 9000),
            Self.product(4, "Ink <Blue>", price: 800, available: false),
        ])
        #expect(html.contains("£12.00"))
        #expect(html.contains("£24.00") && html.contains("£30.00") && html.contains("card__badge--sale"))
        #expect(html.contains("From £45.00"))
        #expect(html.contains("Sold out"))
        #expect(html.contains("Ink &lt;Blue&gt;"))            // escaped, never raw
        #expect(!html.contains("Ink <Blue>"))
        #expect(html.contains("Fieldnote &amp; Co."))
        #expect(html.contains("<html lang=\"en-GB\">"))
        #expect(html.contains("href=\"/products/p-1\""))
        #expect(html.contains("4 products"))
    }

    @Test func imagesAlwaysHaveAltTextAndSizes() throws {
        let html = try render([
            Self.product(1, "Tote", price: 3800, image: ImageReference(storageKey: "/assets/sample/tote.svg", alt: "", width: 800, height: 1000)),
            Self.product(2, "Apron", price: 4200, image: ImageReference(storageKey: "apron.jpg", alt: "A linen apron", width: nil, height: nil)),
        ])
        #expect(html.contains("<img src=\"/assets/sample/tote.svg\" alt=\"Tote\" width=\"800\" height=\"1000\""))
        #expect(html.contains("<img src=\"/media/sf_store_7/apron.jpg\" alt=\"A linen apron\""))
        // Every <img> carries a non-empty alt.
        for tag in html.components(separatedBy: "<img ").dropFirst() {
            #expect(tag.range(of: "alt=\"[^\"]+\"", options: .regularExpression) != nil)
        }
    }

    @Test func anEmptyCatalogShowsAnEmptyState() throws {
        let html = try render([])
        #expect(html.contains("Nothing here yet"))
        #expect(!html.contains("product-grid"))
    }
}
