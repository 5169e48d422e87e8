import Foundation
import HTTP
import Postgres
import Registry
import TestSupport
import Liquid
import Testing
@testable import App

/// Collection, product, search, page and 404 behaviour through the handler, over the fixtures.
@Suite(.serialized) struct StorefrontPagesTests {
    @Test func draftAndArchivedProductsAreNotFoundEverywhere() throws {
        guard let stack = try AppStack.required() else { return }
        let store = try stack.provisionStore(prefix: "drafts", name: "Draft Goods")
        try StorefrontFixtures.seed(stack, store)
        let handle = try stack.handler()
        let host = stack.host(store)
        for path in ["/products/secret-draft", "/products/old-archive", "/products/never-existed"] {
            let response = handle(try get(path, host: host))
            #expect(response.status == .notFound, "\(path)")
            #expect(response.text.contains("We couldn’t find that page"), "\(path)")
            #expect(response.text.contains("/assets/themes/atelier/theme.css"), "the theme's 404, \(path)")
        }
        for path in ["/collections/all", "/search?q=secret", "/search?q=chair", "/sitemap.xml"] {
            let text = handle(try get(path, host: host)).text
            #expect(!text.contains("Secret Draft") && !text.contains("secret-draft"), "\(path)")
            #expect(!text.contains("Old Archived") && !text.contains("old-archive"), "\(path)")
        }
        // The cart's form refuses a POST that names no origin (403), never a 500.
        let post = handle(try Request(method: .post, uri: "/cart/add", host: host, body: Array("id=1".utf8)))
        #expect(post.status == .forbidden)
    }

    @Test func collectionsFilterSortAndPageWithPlainLinks() throws {
        guard let stack = try AppStack.required() else { return }
        let store = try stack.provisionStore(prefix: "filters", name: "Filter Goods")
        try StorefrontFixtures.seed(stack, store)
        let handle = try stack.handler()
        let host = stack.host(store)

        let all = handle(try get("/collections/all", host: host)).text
        #expect(all.contains("3 products"))
        #expect(all.contains("name=\"filter.p.vendor\" value=\"Harbor &amp; Pine\""))
        #expect(all.contains("<label for=\"sort-by\">"))

        let harbor = handle(try get("/collections/all?filter.p.vendor=Harbor+%26+Pine", host: host)).text
        #expect(harbor.contains("Canvas Tote") && harbor.contains("Brass Pencil") && !harbor.contains("Field Jacket"))
        #expect(harbor.contains("value=\"Harbor &amp; Pine\" checked"))

        let cheap = handle(try get("/collections/all?filter.v.price.lte=30", host: host)).text
        #expect(cheap.contains("Brass Pencil") && !cheap.contains("Canvas Tote") && !cheap.contains("Field Jacket"))

        let inStock = handle(try get("/collections/all?filter.v.availability=1", host: host)).text
        #expect(inStock.contains("Field Jacket") && inStock.contains("Canvas Tote") && inStock.contains("Brass Pencil"))

        let ascending = handle(try get("/collections/all?sort_by=price-ascending", host: host)).text
        let order = ["Brass Pencil", "Canvas Tote", "Field Jacket"].map { ascending.range(of: "\">" + $0 + "</a>")?.lowerBound }
        #expect(order.allSatisfy { $0 != nil })
        #expect(order[0]! < order[1]! && order[1]! < order[2]!)
        #expect(ascending.contains("<option value=\"price-ascending\" selected>"))

        // A manual collection in the merchant's order, then its description and count.
        let carry = handle(try get("/collections/carry", host: host)).text
        let pencil = carry.range(of: "Brass Pencil")!.lowerBound, tote = carry.range(of: "Canvas Tote")!.lowerBound
        #expect(pencil < tote)
        #expect(carry.contains("<p>Bags and small things.</p>"))
        #expect(handle(try get("/collections/nope", host: host)).status == .notFound)
    }

    @Test func keysetPaginationWalksTheWholeListOnce() throws {
        guard let stack = try AppStack.required() else { return }
        let store = try stack.provisionStore(prefix: "pages", name: "Many Goods")
        try stack.addProducts(store, (1...30).map { ("Item \(String(format: "%02d", $0))", Int64(100 * $0), nil) })
        let handle = try stack.handler()
        var path: String? = "/collections/all?sort_by=title-ascending"
        var seen: [String] = []
        while let current = path {
            let html = handle(try get(current, host: stack.host(store))).text
            seen += html.components(separatedBy: "class=\"card__link\" href=\"/products/").dropFirst()
                .map { String($0.prefix { $0 != "\"" }) }
            path = html.range(of: "rel=\"next\" href=\"").map { r in
                String(html[r.upperBound...].prefix { $0 != "\"" }).replacingOccurrences(of: "&amp;", with: "&")
            }
        }
        #expect(seen.count == 30)
        #expect(Set(seen).count == 30)
        #expect(seen == seen.sorted())
    }

    @Test func variantPickerWorksWithoutJavaScript() throws {
        guard let stack = try AppStack.required() else { return }
        let store = try stack.provisionStore(prefix: "variants", name: "Variant Goods")
        try StorefrontFixtures.seed(stack, store)
        let handle = try stack.handler()
        let host = stack.host(store)

        let page = handle(try get("/products/field-jacket", host: host)).text
        #expect(page.contains("<form class=\"picker\" action=\"/products/field-jacket\" method=\"get\""))
        #expect(page.contains("<legend>Size</legend>"))
        #expect(page.contains("id=\"option1-1\" name=\"option1\" value=\"S\" checked"))
        #expect(page.contains("<form class=\"buy\" action=\"/cart/add\" method=\"post\""))
        #expect(page.contains("name=\"id\" value=\"1\""))
        #expect(page.contains("$120.00") && page.contains("In stock"))
        #expect(page.contains("<p>Waxed cotton <strong>jacket</strong> with a corduroy collar.</p>"))
        #expect(page.contains("<script src=\"/assets/themes/atelier/product.js\" defer></script>"))

        let medium = handle(try get("/products/field-jacket?option1=M", host: host)).text
        #expect(medium.contains("name=\"id\" value=\"2\""))
        #expect(medium.contains("Only 2 left"))
        #expect(medium.contains("$150.00"))                       // compare-at price
        #expect(medium.contains("value=\"M\" checked"))

        let large = handle(try get("/products/field-jacket?variant=3", host: host)).text
        #expect(large.contains("$130.00"))
        #expect(large.contains("stock--sold_out"))
        #expect(large.contains("data-buy-button disabled>Sold out</button>"))

        let pencil = handle(try get("/products/brass-pencil", host: host)).text
        #expect(pencil.contains("Available to order — ships when back in stock"))
        #expect(!pencil.contains("class=\"picker\""))             // one variant: no picker
    }

    @Test func renamedProductsRedirectAndPagesAndPoliciesRender() throws {
        guard let stack = try AppStack.required() else { return }
        let store = try stack.provisionStore(prefix: "moved", name: "Moved Goods")
        let db = try StorefrontFixtures.seed(stack, store)
        try db.execute("UPDATE products SET handle = 'waxed-jacket' WHERE handle = 'field-jacket'")
        let handle = try stack.handler()
        let host = stack.host(store)
        let moved = handle(try get("/products/field-jacket?variant=2", host: host))
        #expect(moved.status == .movedPermanently)
        #expect(moved.headers["Location"] == "/products/waxed-jacket?variant=2")

        let about = handle(try get("/pages/about", host: host)).text
        #expect(about.contains("<h1 class=\"static-page__title\" id=\"page-title\">About us</h1>"))
        #expect(about.contains("<p>We make <em>useful</em> things.</p>"))
        let contact = handle(try get("/pages/contact", host: host)).text
        #expect(contact.contains("mailto:hello@fieldnote.example"))
        let refund = handle(try get("/policies/refund-policy", host: host))
        if refund.status == .ok {      // needs the admin migration's policy columns
            #expect(refund.text.contains("Returns within 30 days."))
            #expect(handle(try get("/", host: host)).text.contains("href=\"/policies/refund-policy\""))
        }
        #expect(handle(try get("/policies/privacy-policy", host: host)).status == .notFound)
        #expect(handle(try get("/pages/missing", host: host)).status == .notFound)
    }

    @Test func searchFindsActiveProductsAndSaysWhenNothingMatches() throws {
        guard let stack = try AppStack.required() else { return }
        let store = try stack.provisionStore(prefix: "search", name: "Search Goods")
        try StorefrontFixtures.seed(stack, store)
        let handle = try stack.handler()
        let host = stack.host(store)
        let found = handle(try get("/search?q=jack", host: host)).text
        #expect(found.contains("Field Jacket") && !found.contains("Canvas Tote"))
        #expect(found.contains("value=\"jack\""))
        let none = handle(try get("/search?q=%3Cscript%3Ezeppelin", host: host)).text
        #expect(none.contains("No products match “&lt;script&gt;zeppelin”."))
        #expect(!none.contains("<script>zeppelin"))
        #expect(handle(try get("/search", host: host)).text.contains("Type a word to search"))
    }

    @Test func pagesFollowCatalogChangesAndThemeSettings() throws {
        guard let stack = try AppStack.required() else { return }
        let store = try stack.provisionStore(prefix: "fresh", name: "Fresh Goods", server: "server1")
        let db = try StorefrontFixtures.seed(stack, store)
        let handle = try stack.handler()
        let host = stack.host(store)
        #expect(handle(try get("/products/canvas-tote", host: host)).text.contains("$38.00"))
        try db.execute("UPDATE variants SET price_minor = 4100 WHERE id = 4")
        #expect(try StorefrontFixtures.page(handle, "/products/canvas-tote", host: host) { $0.contains("$41.00") }
            .contains("$41.00"))
        try db.execute("UPDATE products SET status = 'draft' WHERE id = 2")
        let gone = try StorefrontFixtures.page(handle, "/products/canvas-tote", host: host) { !$0.contains("$41.00") }
        #expect(gone.contains("We couldn’t find that page"))

        // Theme settings: a valid colour and the featured collection apply; a hostile one does not.
        try StorefrontFixtures.useTheme(db, "atelier", settings: ##"{"color_accent": "#123456", "color_text": "red;}</style><script>", "featured_collection": "carry"}"##)
        let home = try StorefrontFixtures.page(handle, "/", host: host) { $0.contains("#123456") }
        #expect(home.contains("--color-accent: #123456;"))
        #expect(home.contains("--color-text: #1c1b1a;"))
        #expect(!home.contains("<script>"))
        #expect(home.contains("href=\"/collections/carry\""))
        #expect(home.contains(">Carry</h2>"))

        // Switching theme switches every page's look.
        try StorefrontFixtures.useTheme(db, "mono")
        let mono = try StorefrontFixtures.page(handle, "/products/field-jacket", host: host) { $0.contains("/themes/mono/") }
        #expect(mono.contains("/assets/themes/mono/theme.css"))
    }

    @Test func bothThemesAreListedWithNameDescriptionAndPreview() throws {
        let themes = ThemeListing.all(templateDirectory: TestPaths.templates)
        let ids = themes.map(\.id)
        #expect(ids.contains("atelier") && ids.contains("mono"))
        for theme in themes where ["atelier", "mono"].contains(theme.id) {
            #expect(!theme.info.name.isEmpty && !theme.info.description.isEmpty)
            let preview = try #require(theme.previewURL)
            #expect(FileManager.default.fileExists(atPath: TestPaths.templates + "/themes/" + theme.id + "/assets/"
                + preview.split(separator: "/").last!))
            // Every theme loads: all page templates parse.
            _ = try Theme(name: theme.id, templateDirectory: TestPaths.templates)
        }
    }

    @Test func themeSettingsKeepOnlyValuesThatFitTheSchema() throws {
        let theme = try Theme(name: "atelier", templateDirectory: TestPaths.templates)
        let stored = try Value(json: ##"{"color_accent": "#ABCDEF", "color_sale": "url(x)", "font_heading": "serif", "font_body": "comic", "logo": "../../etc/passwd", "logo_width": 9999, "featured_collection": "Bad Handle"}"##)
        let resolved = theme.schema.resolve(stored: stored)
        #expect(resolved["color_accent"] == .string("#abcdef"))
        #expect(resolved["color_sale"] == .string("#a23b2a"))
        #expect(resolved["font_heading"] == .string("serif"))
        #expect(resolved["font_body"] == .string("sans"))
        #expect(resolved["logo"] == .nil)
        #expect(resolved["logo_width"] == .int(140))
        #expect(resolved["featured_collection"] == .string(""))
    }
}

enum TestPaths {
    static var templates: String { StackEnvironment.packageRoot() + "/templates" }
}
