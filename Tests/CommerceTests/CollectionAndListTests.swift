import Postgres
import Testing
@testable import Commerce

@Suite("Catalog admin: collections, list and bulk actions")
struct CollectionAndListTests {
    static func product(_ title: String, vendor: String = "Acme", type: String = "Mugs", tags: [String] = [],
                        price: Int64 = 1000, stock: Int = 5, sku: String? = nil, status: ProductStatus = .active) -> ProductInput {
        ProductInput(title: title, vendor: vendor, productType: type, tags: tags, status: status,
                     variants: [VariantInput(sku: sku, priceMinor: price, inventoryQuantity: stock)])
    }

    func members(_ id: Int64, _ db: Connection) throws -> Set<String> {
        Set(try db.query("""
            SELECT p.title FROM collection_products cp JOIN products p ON p.id = cp.product_id WHERE cp.collection_id = \(id)
            """).map { try $0.decode("title", as: String.self) })
    }

    @Test("automatic collections follow their rules, also when products change later")
    func automatic() throws {
        try StoreFixture.run("col-auto") { store in
            let db = store.db
            let cheap = try ProductAdmin.create(Self.product("Cheap Mug", tags: ["Sale"], price: 500), by: store.actor, on: db)
            _ = try ProductAdmin.create(Self.product("Dear Mug", tags: ["sale"], price: 5000), by: store.actor, on: db)
            _ = try ProductAdmin.create(Self.product("Cheap Tee", vendor: "Other", type: "Shirts", price: 900), by: store.actor, on: db)

            let all = try CollectionAdmin.create(CollectionInput(
                title: "Mugs on sale", kind: .automatic,
                rules: [CollectionRule(column: .tag, relation: .equals, condition: "SALE"),
                        CollectionRule(column: .price, relation: .lessThan, condition: "10.00")],
                matchAll: true, sortOrder: .priceAscending), by: store.actor, on: db)
            #expect(try members(all, db) == ["Cheap Mug"])

            let any = try CollectionAdmin.create(CollectionInput(
                title: "Acme or shirts", kind: .automatic,
                rules: [CollectionRule(column: .vendor, relation: .equals, condition: "acme"),
                        CollectionRule(column: .type, relation: .startsWith, condition: "Shi")],
                matchAll: false), by: store.actor, on: db)
            #expect(try members(any, db) == ["Cheap Mug", "Dear Mug", "Cheap Tee"])

            // Repricing a product moves it out of the price rule's collection.
            try ProductAdmin.bulk(.setPrice(minor: 2000), ids: [cheap], by: store.actor, on: db)
            #expect(try members(all, db).isEmpty)
            // A product created later joins at once.
            _ = try ProductAdmin.create(Self.product("New Mug", tags: ["sale"], price: 100), by: store.actor, on: db)
            #expect(try members(all, db) == ["New Mug"])
        }
    }

    @Test("bad rules are field errors; manual collections keep the merchant's order")
    func manualAndInvalid() throws {
        try StoreFixture.run("col-manual") { store in
            let db = store.db
            let bad = validationErrors {
                try CollectionAdmin.create(CollectionInput(
                    title: "Bad", kind: .automatic,
                    rules: [CollectionRule(column: .price, relation: .contains, condition: "1"),
                            CollectionRule(column: .price, relation: .greaterThan, condition: "ten")]),
                    by: store.actor, on: db)
            }
            #expect(bad?["rules.0"] != nil)
            #expect(bad?["rules.1"] != nil)
            #expect(validationErrors { try CollectionAdmin.create(CollectionInput(title: "Empty", kind: .automatic), by: store.actor, on: db) }?["rules"] != nil)

            let a = try ProductAdmin.create(Self.product("A"), by: store.actor, on: db)
            let b = try ProductAdmin.create(Self.product("B"), by: store.actor, on: db)
            let id = try CollectionAdmin.create(CollectionInput(title: "Picks", productIds: [b, a]), by: store.actor, on: db)
            let record = try #require(try CollectionAdmin.load(id, on: db))
            #expect(record.input.productIds == [b, a])
            #expect(record.handle == "picks")
            let page = try Catalog.collectionProducts(id, on: db)
            #expect(page.products.map(\.title) == ["B", "A"])
        }
    }

    @Test("the admin list searches title, vendor and SKU, filters, sorts and pages both ways")
    func list() throws {
        try StoreFixture.run("list") { store in
            let db = store.db
            for i in 1...7 {
                _ = try ProductAdmin.create(Self.product("Mug \(i)", vendor: i % 2 == 0 ? "Even Co" : "Odd Co",
                                                         stock: i == 3 ? 0 : i, sku: "SKU-\(i)",
                                                         status: i == 7 ? .draft : .active), by: store.actor, on: db)
            }
            var query = AdminProductQuery(sort: .title, limit: 3)
            let first = try AdminProductList.page(query, on: db)
            #expect(first.rows.map(\.title) == ["Mug 1", "Mug 2", "Mug 3"])
            #expect(first.previous == nil)
            query.after = try #require(first.next)
            let second = try AdminProductList.page(query, on: db)
            #expect(second.rows.map(\.title) == ["Mug 4", "Mug 5", "Mug 6"])
            // The token survives a round trip through a URL.
            query.after = nil
            query.before = AdminProductCursor(token: try #require(second.previous).token)
            #expect(try AdminProductList.page(query, on: db).rows.map(\.title) == ["Mug 1", "Mug 2", "Mug 3"])

            #expect(try AdminProductList.page(AdminProductQuery(search: "sku-5"), on: db).rows.map(\.title) == ["Mug 5"])
            #expect(try AdminProductList.page(AdminProductQuery(search: "even"), on: db).rows.count == 3)
            #expect(try AdminProductList.page(AdminProductQuery(search: "100%"), on: db).rows.isEmpty)
            #expect(try AdminProductList.page(AdminProductQuery(status: .draft), on: db).rows.map(\.title) == ["Mug 7"])
            #expect(try AdminProductList.page(AdminProductQuery(stock: .outOfStock), on: db).rows.map(\.title) == ["Mug 3"])
            let byStock = try AdminProductList.page(AdminProductQuery(vendor: "Odd Co", sort: .inventoryDescending), on: db)
            #expect(byStock.rows.map(\.title) == ["Mug 7", "Mug 5", "Mug 1", "Mug 3"])
            let choices = try AdminProductList.filterChoices(on: db)
            #expect(choices.vendors == ["Even Co", "Odd Co"])
            #expect(AdminProductCursor(token: "title_asc.5.!!!") == nil)
        }
    }

    @Test("bulk actions change every selected product in one transaction and are audited")
    func bulk() throws {
        try StoreFixture.run("bulk") { store in
            let db = store.db
            let ids = try (1...3).map { try ProductAdmin.create(Self.product("P\($0)", status: .draft), by: store.actor, on: db) }
            #expect(try ProductAdmin.bulk(.publish, ids: ids, by: store.actor, on: db) == 3)
            #expect(try store.count("SELECT count(*) FROM products WHERE status = 'active' AND published_at IS NOT NULL") == 3)
            try ProductAdmin.bulk(.setStock(12), ids: [ids[0], ids[1]], by: store.actor, on: db)
            // The totals move when the list is next shown (it folds waiting stock changes first).
            let listed = try AdminProductList.page(AdminProductQuery(), on: db).rows
            let listedTotal: Int64 = listed.map(\.inventoryTotal).reduce(0, +)
            #expect(listedTotal == 29)
            #expect(try store.count("SELECT sum(inventory_total) FROM products") == 29)
            #expect(try store.count("SELECT count(*) FROM inventory_movements WHERE reason = 'adjustment' AND delta = 7") == 2)
            #expect(validationErrors { try ProductAdmin.bulk(.setPrice(minor: -1), ids: ids, by: store.actor, on: db) }?["price"] != nil)
            try ProductAdmin.bulk(.archive, ids: [ids[2]], by: store.actor, on: db)
            try ProductAdmin.bulk(.delete, ids: [ids[0]], by: store.actor, on: db)
            #expect(try store.count("SELECT count(*) FROM products") == 2)
            #expect(try store.count("SELECT count(*) FROM audit_log WHERE action LIKE 'product.bulk_%'") == 4)
        }
    }

    @Test("categories form a tree that refuses cycles")
    func categories() throws {
        try StoreFixture.run("cat") { store in
            let db = store.db
            let clothing = try CategoryAdmin.create(name: "Clothing", parentId: nil, by: store.actor, on: db)
            let shirts = try CategoryAdmin.create(name: "Shirts", parentId: clothing, by: store.actor, on: db)
            #expect(try CategoryAdmin.tree(on: db).map(\.path) == ["Clothing", "Clothing > Shirts"])
            #expect(validationErrors { try CategoryAdmin.update(clothing, name: "Clothing", handle: nil, parentId: shirts, by: store.actor, on: db) }?["parent_id"] != nil)
            #expect(validationErrors { try CategoryAdmin.delete(clothing, by: store.actor, on: db) }?["category"] != nil)
        }
    }
}
