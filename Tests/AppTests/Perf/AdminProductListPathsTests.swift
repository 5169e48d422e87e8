import Commerce
import Foundation
import Postgres
import Testing

/// The admin product list answers a filter two ways (Commerce `AdminProductList.page`): fenced
/// and sorted when it keeps at most `narrowLimit` products, or by walking the sort index when it
/// keeps more. Both must list exactly the same products in the same order, page after page,
/// forwards and backwards — checked here on a small catalog by forcing each path.
@Suite("Admin product list: narrow and broad paths")
struct AdminProductListPathsTests {
    /// 60 products over 3 vendors and 4 types, every third a draft, SKUs `LP-<n>`, and titles
    /// that share words ("Lamp", "Oak") with some of them.
    func catalog() throws -> Connection? {
        guard let stack = try AppStack.required() else { return nil }
        let store = try stack.provisionStore(prefix: "list-paths", name: "List Paths")
        let db = try stack.tenantConnection(store)
        try db.transaction { db in
            let nouns = ["Lamp", "Chair", "Mug", "Rug", "Lampshade"]
            for n in 1...60 {
                let title = "\(n % 2 == 0 ? "Oak" : "Pine") \(nouns[n % nouns.count]) \(n)"
                let id: Int64 = try db.queryFirst("""
                    INSERT INTO products (handle, title, vendor, product_type, status, tags)
                    VALUES (\("lp-\(n)"), \(title), \("Vendor \(n % 3)"), \("Type \(n % 4)"),
                            \(n % 3 == 0 ? "draft" : "active"), \(["tag\(n % 5)"]))
                    RETURNING id
                    """)!.decode("id")
                try db.execute("""
                    INSERT INTO variants (product_id, position, title, sku, price_minor, inventory_quantity)
                    VALUES (\(id), 1, 'Default', \("LP-\(n)"), \(Int64(100 * n)), \(Int64(n % 7)))
                    """)
            }
        }
        return db
    }

    /// Every row of the list, following `next` cursors, then the same walked back with `previous`.
    func walk(_ query: AdminProductQuery, narrowLimit: Int, on db: Connection) throws -> (forward: [String], backward: [String]) {
        var q = query
        q.limit = 7
        var pages: [AdminProductPage] = []
        var page = try AdminProductList.page(q, on: db, narrowLimit: narrowLimit)
        pages.append(page)
        while let next = page.next {
            q.after = next
            page = try AdminProductList.page(q, on: db, narrowLimit: narrowLimit)
            pages.append(page)
        }
        var backward: [String] = page.rows.map(\.title)
        q.after = nil
        while let previous = page.previous {
            q.before = previous
            page = try AdminProductList.page(q, on: db, narrowLimit: narrowLimit)
            backward = page.rows.map(\.title) + backward
        }
        return (pages.flatMap { $0.rows.map(\.title) }, backward)
    }

    @Test func bothPathsListTheSameProductsInTheSameOrder() throws {
        guard let db = try catalog() else { return }
        let queries: [AdminProductQuery] = [
            AdminProductQuery(search: "lamp"),
            AdminProductQuery(search: "lamp", sort: .title),
            AdminProductQuery(search: "oak lamp", status: .active, sort: .newest),
            AdminProductQuery(search: "LP-1", sort: .inventory),
            AdminProductQuery(search: "vendor 2", sort: .titleDescending),
            AdminProductQuery(search: "pine", stock: .inStock, sort: .oldest),
            AdminProductQuery(productType: "Type 1", sort: .newest),
            AdminProductQuery(productType: "Type 2", sort: .title),
            AdminProductQuery(vendor: "Vendor 1", sort: .inventoryDescending),
        ]
        for query in queries {
            let narrow = try walk(query, narrowLimit: 10_000, on: db)
            let broad = try walk(query, narrowLimit: 0, on: db)
            #expect(!narrow.forward.isEmpty, "\(query)")
            #expect(narrow.forward == broad.forward, "\(query)")
            #expect(narrow.backward == narrow.forward, "\(query)")
            #expect(broad.backward == broad.forward, "\(query)")
            #expect(Set(narrow.forward).count == narrow.forward.count, "\(query): a product listed twice")
        }
        // What the searches find: word prefixes of title, vendor, type and tags; SKU substrings.
        let lamps = try walk(AdminProductQuery(search: "lamp"), narrowLimit: 0, on: db).forward
        #expect(Set(lamps) == Set((1...60).filter { [0, 4].contains($0 % 5) }.map { n in
            "\(n % 2 == 0 ? "Oak" : "Pine") \(["Lamp", "Chair", "Mug", "Rug", "Lampshade"][n % 5]) \(n)"
        }))
        let skus = try walk(AdminProductQuery(search: "LP-1"), narrowLimit: 0, on: db).forward
        #expect(skus.count == 11)      // LP-1, LP-10 … LP-19
    }
}
