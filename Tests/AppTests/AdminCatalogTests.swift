import Commerce
import Foundation
import HTTP
import Postgres
import Registry
import Testing
@testable import App

/// The catalog pages of the store admin: the product editor (422 with field errors, saved
/// variants), the list's search and bulk actions, collections, and CSV import and export.
@Suite("Store admin: catalog")
struct AdminCatalogTests {
    static func shop(_ prefix: String) throws -> (AdminTests.Shop, WebClient)? {
        guard let shop = try AdminTests.shop(prefix) else { return nil }
        let client = try shop.stack.signedInClient(userId: shop.owner.userId)
        return (shop, client)
    }

    static let product: [(String, String)] = [
        ("title", "Linen Apron"), ("description_html", "<p>Pockets <script>alert(1)</script></p>"), ("vendor", "Olive"),
        ("product_type", "Aprons"), ("tags", "kitchen, linen"), ("status", "active"), ("handle", ""),
        ("option1_name", "Colour"), ("variant_rows", "3"),
        ("v0_id", ""), ("v0_option1", "Sand"), ("v0_price", "24.50"), ("v0_sku", "APR-SAND"), ("v0_inventory_quantity", "4"),
        ("v1_id", ""), ("v1_option1", "Ink"), ("v1_price", "26"), ("v1_sku", "APR-INK"), ("v1_barcode", "4006381333931"),
        ("v2_id", ""),
    ]

    @Test("the editor creates a product with its variants, and answers 422 with errors next to the fields")
    func editor() throws {
        guard let (shop, client) = try Self.shop("cat-edit") else { return }
        let form = try client.get(shop.admin + "/products/new")
        #expect(form.status == .ok)
        #expect(form.text.contains("<label for=\"title\">Title</label>"))

        var bad = Self.product
        bad[bad.firstIndex { $0.0 == "v1_price" }!] = ("v1_price", "-3")
        bad[bad.firstIndex { $0.0 == "v1_barcode" }!] = ("v1_barcode", "4006381333932")
        bad[bad.firstIndex { $0.0 == "title" }!] = ("title", "")
        let refused = try client.post(shop.admin + "/products/new", bad)
        #expect(refused.status == .unprocessableContent)
        #expect(refused.text.contains("id=\"title-error\">Enter a title."), "\(refused.text.split(separator: "\n").filter { $0.contains("-error\">") && !$0.contains("-error\"></p>") })")
        #expect(refused.text.contains("id=\"v1_price-error\">Enter an amount like 19.99."))
        #expect(refused.text.contains("id=\"v1_barcode-error\">Enter a GTIN"))
        #expect(refused.text.contains("value=\"Ink\""))                   // the form is refilled
        let db = try shop.stack.tenantConnection(shop.store)
        #expect(try db.queryFirst("SELECT count(*) AS n FROM products")!.decode("n", as: Int.self) == 0)

        let created = try client.post(shop.admin + "/products/new", Self.product)
        #expect(created.status == .seeOther)
        let location = try #require(created.headers["Location"])
        let page = try client.get(location)
        #expect(page.text.contains("Product created."))
        #expect(page.text.contains("value=\"APR-INK\""))
        let row = try db.queryFirst("SELECT id, handle, description_html, status FROM products")!
        #expect(try row.decode("handle", as: String.self) == "linen-apron")
        #expect(try row.decode("description_html", as: String.self) == "<p>Pockets </p>")
        #expect(try db.queryFirst("SELECT count(*) AS n FROM variants")!.decode("n", as: Int.self) == 2)

        // A SKU another product uses is an error on that variant's row.
        var clash = Self.product
        clash[clash.firstIndex { $0.0 == "title" }!] = ("title", "Second Apron")
        let duplicate = try client.post(shop.admin + "/products/new", clash)
        #expect(duplicate.status == .unprocessableContent)
        #expect(duplicate.text.contains("id=\"v0_sku-error\">SKU APR-SAND is already used by “Linen Apron”."))
    }

    @Test("the list searches and filters, and bulk actions change the checked products")
    func listAndBulk() throws {
        guard let (shop, client) = try Self.shop("cat-list") else { return }
        let db = try shop.stack.tenantConnection(shop.store)
        let actor = CatalogActor(id: "1")
        let ids = try ["Red Mug", "Blue Mug", "Green Tee"].map {
            try ProductAdmin.create(ProductInput(title: $0, vendor: "Olive", status: .draft,
                                                 variants: [VariantInput(sku: $0.uppercased().replacingOccurrences(of: " ", with: "-"),
                                                                         priceMinor: 900, inventoryQuantity: 2)]), by: actor, on: db)
        }
        let list = try client.get(shop.admin + "/products?q=mug")
        #expect(list.status == .ok)
        #expect(list.text.contains("Red Mug") && list.text.contains("Blue Mug") && !list.text.contains("Green Tee"))
        #expect(list.text.contains("aria-label=\"Select Red Mug\""))
        let bulk = try client.post(shop.admin + "/products/bulk", [("action", "publish"), ("ids", String(ids[0])),
                                                                  ("ids", String(ids[1])),
                                                                  ("return_to", shop.admin + "/products?q=mug")])
        #expect(bulk.status == .seeOther)
        #expect(bulk.headers["Location"] == shop.admin + "/products?q=mug")
        #expect(try db.queryFirst("SELECT count(*) AS n FROM products WHERE status = 'active'")!.decode("n", as: Int.self) == 2)
        let drafts = try client.get(shop.admin + "/products?status=draft")
        #expect(drafts.text.contains("Green Tee") && !drafts.text.contains("Red Mug"))
        let stock = try client.post(shop.admin + "/products/bulk", [("action", "set_stock"), ("quantity", "-1"), ("ids", String(ids[2]))])
        #expect(stock.status == .seeOther)
        #expect(try client.get(stock.headers["Location"]!).text.contains("whole number of zero or more"))
    }

    @Test("export downloads Shopify's CSV; an uploaded file with a bad row is queued and imports nothing")
    func importAndExport() throws {
        guard let (shop, client) = try Self.shop("cat-csv") else { return }
        let db = try shop.stack.tenantConnection(shop.store)
        _ = try ProductAdmin.create(ProductInput(title: "Olive Oil", status: .active, variants: [VariantInput(sku: "OIL", priceMinor: 1500)]),
                                    by: CatalogActor(id: "1"), on: db)
        let export = try client.get(shop.admin + "/products/export.csv")
        #expect(export.status == .ok)
        #expect(export.headers["Content-Type"]?.hasPrefix("text/csv") == true)
        #expect(export.text.hasPrefix("Handle,Title,Body (HTML),Vendor"))
        #expect(export.text.contains("olive-oil,Olive Oil,"))

        #expect(try client.get(shop.admin + "/products/import").status == .ok)
        var body = MultipartBody()
        body.field("_csrf", client.csrf ?? "")
        body.field("overwrite", "1")
        body.file("file", filename: "bad.csv", contentType: "text/csv",
                  Array("Handle,Title,Variant Price\nvinegar,Vinegar,abc\n".utf8))
        let upload = try client.send(.post, shop.admin + "/products/import", body: body.finished(), contentType: body.contentType)
        #expect(upload.status == .seeOther)
        let progress = try client.get(try #require(upload.headers["Location"]))
        #expect(progress.status == .ok)
        #expect(progress.headers["Refresh"] == "2")
        #expect(try db.queryFirst("SELECT count(*) AS n FROM outbox WHERE topic = 'catalog.import'")!.decode("n", as: Int.self) == 1)

        // What the job runner does, then the page shows the bad row.
        let id: Int64 = try db.queryFirst("SELECT id FROM catalog_imports")!.decode("id")
        try CatalogImport.run(importId: id, on: db, progress: try shop.stack.tenantConnection(shop.store))
        let result = try client.get(shop.admin + "/products/imports/\(id)")
        #expect(result.headers["Refresh"] == nil)
        #expect(result.text.contains("Nothing was imported"))
        #expect(result.text.contains("“abc” is not an amount like 19.99."))
        #expect(try db.queryFirst("SELECT count(*) AS n FROM products")!.decode("n", as: Int.self) == 1)
    }

    @Test("collections: an automatic collection from rules, with a bad rule refused")
    func collections() throws {
        guard let (shop, client) = try Self.shop("cat-coll") else { return }
        let db = try shop.stack.tenantConnection(shop.store)
        _ = try ProductAdmin.create(ProductInput(title: "Cheap", tags: ["sale"], status: .active, variants: [VariantInput(priceMinor: 500)]),
                                    by: CatalogActor(id: "1"), on: db)
        #expect(try client.get(shop.admin + "/collections/new").status == .ok)
        let fields: [(String, String)] = [("title", "Sale"), ("kind", "automatic"), ("match", "all"), ("sort_order", "price_asc"),
                                          ("published", "1"), ("rule_rows", "2"),
                                          ("rule0_column", "tag"), ("rule0_relation", "equals"), ("rule0_condition", "sale"),
                                          ("rule1_column", "variant_price"), ("rule1_relation", "less_than"), ("rule1_condition", "ten")]
        let refused = try client.post(shop.admin + "/collections/new", fields)
        #expect(refused.status == .unprocessableContent)
        #expect(refused.text.contains("id=\"rule1_condition-error\">Enter an amount like 25 or 19.99."))
        var good = fields
        good[good.count - 1] = ("rule1_condition", "10")
        let created = try client.post(shop.admin + "/collections/new", good)
        #expect(created.status == .seeOther)
        let list = try client.get(shop.admin + "/collections")
        #expect(list.text.contains("Sale") && list.text.contains("Automatic"))
        #expect(try db.queryFirst("SELECT count(*) AS n FROM collection_products")!.decode("n", as: Int.self) == 1)
    }
}
