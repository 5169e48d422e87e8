import Commerce
import Foundation
import Postgres
import Testing
import TestSupport

/// The sample catalog and the storefront's product list, on a freshly migrated tenant database.
@Suite("Tenant schema: sample catalog and storefront lists")
struct TenantSchemaCatalogTests {
    @Test func sampleCatalogInsertsBelievableActiveProducts() throws {
        try TenantScratchDatabase.with { db in
            #expect(try SampleCatalog.insert(into: db, count: 20) == 20)

            let products = try db.query("""
                SELECT p.handle, p.status, p.vendor, cardinality(p.tags) AS tags,
                       (SELECT count(*) FROM variants v WHERE v.product_id = p.id) AS variants,
                       (SELECT count(*) FROM product_images i WHERE i.product_id = p.id) AS images
                FROM products p
                """)
            #expect(products.count == 20)
            for row in products {
                let handle: String = try row.decode("handle")
                #expect(try row.decode("status", as: String.self) == "active", "\(handle)")
                #expect(try !row.decode("vendor", as: String.self).isEmpty, "\(handle)")
                #expect(try row.decode("tags", as: Int.self) > 0, "\(handle)")
                #expect(try row.decode("variants", as: Int.self) >= 1, "\(handle)")
                #expect(try row.decode("images", as: Int.self) == 1, "\(handle)")
            }
            // Sized products have one variant per size, each linked to its option value.
            let shirt = try db.query("""
                SELECT v.title, v.sku, v.price_minor, ov.value
                FROM variants v JOIN products p ON p.id = v.product_id
                JOIN variant_option_values vov ON vov.variant_id = v.id
                JOIN product_option_values ov ON ov.id = vov.option_value_id
                WHERE p.handle = 'linen-shirt' ORDER BY v.position
                """)
            #expect(try shirt.map { try $0.decode("value", as: String.self) } == ["XS", "S", "M", "L", "XL"])
            #expect(try shirt.allSatisfy { try $0.decode("title", as: String.self) == $0.decode("value", as: String.self) })
            // Every barcode is a GTIN-13 with a correct check digit, as feeds require.
            for row in try db.query("SELECT barcode FROM variants") {
                let barcode: String = try row.decode("barcode")
                #expect(isValidGTIN13(barcode), "\(barcode)")
            }
            // Images point at the placeholders shipped in public/assets/sample/.
            for row in try db.query("SELECT DISTINCT storage_key FROM product_images") {
                let key: String = try row.decode("storage_key")
                #expect(key.hasPrefix(SampleCatalog.imagePathPrefix))
                #expect(FileManager.default.fileExists(atPath: TenantSchemaPaths.publicDirectory + key), "\(key)")
            }
            // The featured collection holds the first eight, in order.
            let featured = try db.query("""
                SELECT p.handle FROM collection_products cp
                JOIN collections c ON c.id = cp.collection_id JOIN products p ON p.id = cp.product_id
                WHERE c.handle = \(SampleCatalog.featuredCollectionHandle) ORDER BY cp.position
                """)
            #expect(featured.count == 8)
            #expect(try featured.first?.decode("handle", as: String.self) == "linen-shirt")
            // Opening stock is recorded as a movement.
            let unexplained = try #require(try db.queryFirst("""
                SELECT count(*) AS n FROM variants v
                WHERE v.inventory_quantity > 0
                  AND NOT EXISTS (SELECT 1 FROM inventory_movements m WHERE m.variant_id = v.id AND m.reason = 'initial')
                """)).decode("n", as: Int.self)
            #expect(unexplained == 0)

            // Running it again adds nothing; asking for more adds only the new ones.
            #expect(try SampleCatalog.insert(into: db, count: 20) == 0)
            #expect(try SampleCatalog.insert(into: db, count: 25) == 5)
        }
    }

    @Test func activeProductsListsTheCatalogAndNeverADraft() throws {
        try TenantScratchDatabase.with { db in
            try SampleCatalog.insert(into: db, count: 20)
            try db.execute("""
                WITH p AS (
                    INSERT INTO products (handle, title, status) VALUES
                        ('secret-draft', 'Secret Draft', 'draft'), ('old-archived', 'Old Archived', 'archived')
                    RETURNING id
                )
                INSERT INTO variants (product_id, price_minor, position, inventory_quantity) SELECT id, 100, 1, 5 FROM p
                """)

            var seen: [ProductSummary] = []
            var cursor: CatalogCursor? = nil
            var pages = 0
            repeat {
                let page = try Catalog.activeProducts(on: db, limit: 7, after: cursor)
                seen += page.products
                cursor = page.next
                pages += 1
            } while cursor != nil && pages < 10
            #expect(pages == 3)
            #expect(seen.count == 20)
            #expect(Set(seen.map(\.id)).count == 20)
            #expect(!seen.contains { $0.handle == "secret-draft" || $0.handle == "old-archived" })
            // Newest first: the sample catalog's first product is its newest.
            #expect(seen.first?.handle == "linen-shirt")
            #expect(zip(seen, seen.dropFirst()).allSatisfy { $0.createdAt >= $1.createdAt })

            let shirt = try #require(seen.first { $0.handle == "linen-shirt" })
            #expect(shirt.title == "Linen Shirt")
            #expect(shirt.priceMinor == 6_800)
            #expect(shirt.image?.storageKey == "/assets/sample/shirt.svg")
            #expect(shirt.image?.publicPath(mediaPrefix: "/media/sf_store_1") == "/assets/sample/shirt.svg")
            #expect(shirt.image?.width == 800)
            #expect(shirt.available)

            let runner = try #require(seen.first { $0.handle == "trail-runner" })
            #expect(runner.isOnSale)
            #expect(runner.compareAtMinor == 14_900)

            let candle = try #require(seen.first { $0.handle == "soy-candle" })
            #expect(candle.minPriceMinor == 3_200 && candle.maxPriceMinor == 4_600)
            #expect(candle.hasPriceRange)

            // Sample product 13 is sold out and denies back-orders; product 4 is sold out but
            // keeps selling, so it is still available.
            let soldOut = try #require(seen.first { $0.handle == "sand-soy-candle" })
            #expect(!soldOut.available)
            let backOrder = try #require(seen.first { $0.handle == "canvas-backpack" })
            #expect(backOrder.available)

            // A product without variants or images still lists, with no price and no image.
            try db.execute("INSERT INTO products (handle, title, status) VALUES ('bare', 'Bare', 'active')")
            let bare = try #require(try Catalog.activeProducts(on: db, limit: 1).products.first)
            #expect(bare.handle == "bare")
            #expect(bare.priceMinor == nil && bare.image == nil && !bare.available)
        }
    }

    @Test func titleOrderAndTiesPageWithoutSkipsOrRepeats() throws {
        try TenantScratchDatabase.with { db in
            // Same created_at (one transaction) and a shared title: only the id tells them apart.
            try db.transaction { db in
                for handle in ["b-one", "b-two", "b-three", "a-one", "c-one"] {
                    let title = handle.hasPrefix("b") ? "Bowl" : handle.hasPrefix("a") ? "Apron" : "Cup"
                    try db.execute("INSERT INTO products (handle, title, status) VALUES (\(handle), \(title), 'active')")
                }
            }
            var byTitle: [String] = []
            var cursor: CatalogCursor? = nil
            repeat {
                let page = try Catalog.activeProducts(on: db, limit: 2, after: cursor, sort: .title)
                byTitle += page.products.map(\.handle)
                cursor = page.next.flatMap { CatalogCursor(token: $0.token) }   // as a URL would carry it
            } while cursor != nil
            #expect(byTitle == ["a-one", "b-one", "b-two", "b-three", "c-one"])

            var newest: [String] = []
            cursor = nil
            repeat {
                let page = try Catalog.activeProducts(on: db, limit: 1, after: cursor)
                newest += page.products.map(\.handle)
                cursor = page.next.flatMap { CatalogCursor(token: $0.token) }
            } while cursor != nil
            #expect(newest == ["c-one", "a-one", "b-three", "b-two", "b-one"])
        }
    }

    @Test func productPageHasOptionsVariantsAndGallery() throws {
        try TenantScratchDatabase.with { db in
            try SampleCatalog.insert(into: db, count: 20)
            guard case .found(let shirt) = try Catalog.activeProduct(handle: "linen-shirt", on: db) else {
                Issue.record("linen-shirt not found")
                return
            }
            #expect(shirt.title == "Linen Shirt")
            #expect(shirt.descriptionHTML.hasPrefix("<p>"))
            #expect(shirt.options == [ProductOption(name: "Size", values: ["XS", "S", "M", "L", "XL"])])
            #expect(shirt.variants.map(\.optionValues) == [["XS"], ["S"], ["M"], ["L"], ["XL"]])
            #expect(shirt.variants.allSatisfy { $0.priceMinor == 6_800 && $0.sku != nil && $0.barcode != nil })
            #expect(shirt.images.count == 1)
            #expect(shirt.variants.first?.imageId == shirt.images.first?.id)
            #expect(shirt.featuredImage?.reference.storageKey == "/assets/sample/shirt.svg")

            guard case .found(let mug) = try Catalog.activeProduct(handle: "stoneware-mug", on: db) else {
                Issue.record("stoneware-mug not found")
                return
            }
            #expect(mug.options.isEmpty)
            #expect(mug.variants.map(\.title) == ["Default Title"])
            #expect(mug.variants.first?.optionValues == [])

            // Sold out and denying back-orders: listed, not buyable.
            guard case .found(let soldOut) = try Catalog.activeProduct(handle: "sand-soy-candle", on: db) else {
                Issue.record("sand-soy-candle not found")
                return
            }
            #expect(!soldOut.available)
            #expect(soldOut.minPriceMinor == 3_200 && soldOut.maxPriceMinor == 4_600)
        }
    }

    @Test func productPageFollowsRenamedHandlesAndHidesDrafts() throws {
        try TenantScratchDatabase.with { db in
            try SampleCatalog.insert(into: db, count: 3)
            try db.execute("UPDATE products SET handle = 'stoneware-mug-350ml' WHERE handle = 'stoneware-mug'")
            #expect(try Catalog.activeProduct(handle: "stoneware-mug", on: db) == .moved(toHandle: "stoneware-mug-350ml"))

            try db.execute("UPDATE products SET status = 'draft' WHERE handle = 'stoneware-mug-350ml'")
            #expect(try Catalog.activeProduct(handle: "stoneware-mug-350ml", on: db) == .notFound)
            #expect(try Catalog.activeProduct(handle: "stoneware-mug", on: db) == .notFound)
            #expect(try Catalog.activeProduct(handle: "no-such-thing", on: db) == .notFound)

            // A product without variants still has a page (nothing to buy).
            try db.execute("INSERT INTO products (handle, title, status) VALUES ('bare', 'Bare', 'active')")
            guard case .found(let bare) = try Catalog.activeProduct(handle: "bare", on: db) else {
                Issue.record("bare not found")
                return
            }
            #expect(bare.variants.isEmpty && bare.images.isEmpty && !bare.available)
        }
    }

    @Test func priceOrderPagesThroughEveryPricedProduct() throws {
        try TenantScratchDatabase.with { db in
            try SampleCatalog.insert(into: db, count: 20)
            try db.execute("INSERT INTO products (handle, title, status) VALUES ('no-variants', 'No Variants', 'active')")
            for sort in [ProductSort.priceAscending, .priceDescending] {
                var seen: [ProductSummary] = []
                var cursor: CatalogCursor? = nil
                repeat {
                    let page = try Catalog.activeProducts(on: db, limit: 6, after: cursor, sort: sort)
                    seen += page.products
                    cursor = page.next.flatMap { CatalogCursor(token: $0.token) }
                } while cursor != nil
                #expect(seen.count == 20, "\(sort)")
                #expect(Set(seen.map(\.id)).count == 20, "\(sort)")
                let prices = seen.compactMap(\.minPriceMinor)
                #expect(prices == (sort == .priceAscending ? prices.sorted() : prices.sorted(by: >)), "\(sort)")
            }
        }
    }

    @Test func collectionPageListsActiveProductsInTheMerchantsOrder() throws {
        try TenantScratchDatabase.with { db in
            try SampleCatalog.insert(into: db, count: 20)
            try db.execute("UPDATE products SET status = 'draft' WHERE handle = 'soy-candle'")
            let featured = try #require(try Catalog.collection(handle: SampleCatalog.featuredCollectionHandle, on: db))
            #expect(featured.title == "Featured")
            #expect(featured.defaultSort == .manual)
            #expect(featured.productCount == 7)

            var handles: [String] = []
            var cursor: CatalogCursor? = nil
            repeat {
                let page = try Catalog.collectionProducts(featured.id, on: db, limit: 3, after: cursor)
                handles += page.products.map(\.handle)
                cursor = page.next.flatMap { CatalogCursor(token: $0.token) }
            } while cursor != nil
            #expect(handles == ["linen-shirt", "stoneware-mug", "trail-runner", "canvas-backpack",
                                "dot-grid-notebook", "merino-beanie", "pour-over-coffee-set"])

            // The shopper's order overrides the merchant's.
            let cheapest = try Catalog.collectionProducts(featured.id, on: db, limit: 2, sort: .priceAscending)
            #expect(cheapest.products.map(\.handle) == ["dot-grid-notebook", "stoneware-mug"])

            let gifts = try #require(try Catalog.collection(handle: "gifts", on: db))
            #expect(gifts.defaultSort == .title)
            let giftTitles = try Catalog.collectionProducts(gifts.id, on: db, limit: 50, sort: gifts.defaultSort)
                .products.map(\.title)
            #expect(!giftTitles.isEmpty && giftTitles == giftTitles.sorted())

            try db.execute("UPDATE collections SET published = false WHERE handle = 'gifts'")
            #expect(try Catalog.collection(handle: "gifts", on: db) == nil)
            #expect(try Catalog.collection(handle: "nope", on: db) == nil)
        }
    }

    @Test func searchFindsActiveProductsByTitleVendorAndTags() throws {
        try TenantScratchDatabase.with { db in
            try SampleCatalog.insert(into: db, count: 20)
            try db.execute("INSERT INTO products (handle, title, status) VALUES ('linen-draft', 'Linen Draft', 'draft')")

            let linen = try Catalog.searchActiveProducts("Linen", on: db).map(\.handle)
            #expect(Set(linen) == ["linen-shirt", "sand-linen-shirt"])
            // The last word matches as a prefix, so results follow typing.
            #expect(try Catalog.searchActiveProducts("sand lin", on: db).map(\.handle) == ["sand-linen-shirt"])
            // Vendor and tags are searched too.
            #expect(try Catalog.searchActiveProducts("northbound", on: db).count == 4)
            #expect(try Catalog.searchActiveProducts("ceramics", on: db).map(\.handle).contains("stoneware-mug"))
            // Punctuation and query syntax in the input are just separators.
            #expect(try Catalog.searchActiveProducts("linen & | ! :* ( shirt", on: db).count == 2)
            #expect(try Catalog.searchActiveProducts("  ", on: db).isEmpty)
            #expect(try Catalog.searchActiveProducts("zzzz", on: db).isEmpty)
        }
    }

    @Test func storeSettingsAndPagesRoundTrip() throws {
        try TenantScratchDatabase.with { db in
            var settings = try StoreSettings.load(on: db)
            #expect(settings.currency == "USD" && settings.orderHoldMinutes == 30)
            settings.name = "Maison Lumière"
            settings.currency = "EUR"
            settings.moneyFormat = "€{{amount_with_comma_separator}}"
            settings.pricesIncludeTax = true
            try settings.save(on: db)
            #expect(try StoreSettings.load(on: db) == settings)
            settings.currency = "euro"
            #expect(schemaRefusal { try settings.save(on: db) }?.kind == .checkViolation)

            try SampleCatalog.insert(into: db, count: 0)
            let about = try #require(try StorePage.published(handle: "about", on: db))
            #expect(about.title == "About us")
            #expect(try StorePage.allPublished(on: db).map(\.handle) == ["about", "contact", "shipping-returns"])
            try db.execute("UPDATE pages SET published = false WHERE handle = 'about'")
            #expect(try StorePage.published(handle: "about", on: db) == nil)
        }
    }

    @Test func filtersNarrowListsAndFacetsCountTheChoices() throws {
        try TenantScratchDatabase.with { db in
            try SampleCatalog.insert(into: db, count: 20)
            func handles(_ filter: ProductFilter) throws -> Set<String> {
                Set(try Catalog.activeProducts(on: db, limit: 100, filter: filter).products.map(\.handle))
            }
            #expect(try handles(ProductFilter(vendors: ["Northbound"])) ==
                    ["trail-runner", "canvas-backpack", "sand-trail-runner", "sand-canvas-backpack"])
            #expect(try handles(ProductFilter(vendors: ["Northbound"], productTypes: ["Bags"])) ==
                    ["canvas-backpack", "sand-canvas-backpack"])
            #expect(try handles(ProductFilter(tags: ["gift", "kitchen"])) ==
                    ["stoneware-mug", "pour-over-coffee-set", "sand-stoneware-mug", "sand-pour-over-coffee-set"])
            #expect(try handles(ProductFilter(minPriceMinor: 10_000)).allSatisfy {
                ["trail-runner", "canvas-backpack", "sand-trail-runner", "sand-canvas-backpack"].contains($0)
            })
            let inStock = try handles(ProductFilter(availableOnly: true))
            #expect(!inStock.contains("sand-soy-candle") && inStock.contains("canvas-backpack") && inStock.count == 19)
            // Filters and keyset paging work together.
            var seen: [String] = []
            var cursor: CatalogCursor? = nil
            repeat {
                let page = try Catalog.activeProducts(on: db, limit: 1, after: cursor, sort: .title,
                                                      filter: ProductFilter(vendors: ["Kiln Street"]))
                seen += page.products.map(\.handle)
                cursor = page.next
            } while cursor != nil
            #expect(seen == ["pour-over-coffee-set", "sand-pour-over-coffee-set", "sand-stoneware-mug", "stoneware-mug"])

            let facets = try Catalog.facets(on: db)
            #expect(facets.vendors.first == ProductFacets.Count(value: "Harbor & Pine", count: 6))
            #expect(facets.vendors.reduce(0) { $0 + $1.count } == 20)
            #expect(facets.productTypes.count == 10)
            #expect(facets.tags.first == ProductFacets.Count(value: "gift", count: 10))
            #expect(facets.availableCount == 19)
            #expect(facets.minPriceMinor == 1_800 && facets.maxPriceMinor == 12_900)

            let featured = try #require(try Catalog.collection(handle: "frontpage", on: db))
            let featuredFacets = try Catalog.facets(collectionId: featured.id, on: db)
            #expect(featuredFacets.vendors.reduce(0) { $0 + $1.count } == 8)
        }
    }

    @Test func malformedCursorTokensAreRefused() {
        for token in ["", "n", "n.1", "x.1.2", "n.1.abc", "n.-5.1", "t.1.***", "t.0.QQ", "p.3.-1", "P.3.x", "m.0.1"] {
            #expect(CatalogCursor(token: token) == nil, "\(token)")
        }
        #expect(CatalogCursor(token: "n.42.1764000000000000")?.id == 42)
        #expect(CatalogCursor(token: "t.7.QXByb24")?.sort == .title)
        #expect(CatalogCursor(token: "P.9.1500")?.sort == .priceDescending)
        for sort in ProductSort.allCases {
            #expect(ProductSort(sortBy: sort.sortBy) == sort)
        }
    }

    func isValidGTIN13(_ code: String) -> Bool {
        let digits = code.compactMap(\.wholeNumberValue)
        guard digits.count == 13, code.count == 13 else { return false }
        let sum = digits.prefix(12).enumerated().reduce(0) { $0 + $1.element * ($1.offset % 2 == 0 ? 1 : 3) }
        return (10 - sum % 10) % 10 == digits[12]
    }
}

enum TenantSchemaPaths {
    static var publicDirectory: String { StackEnvironment.packageRoot() + "/public" }
}
