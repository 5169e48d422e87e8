import Commerce
import Foundation
import HTTP
import Postgres
import Registry
import Testing
@testable import App

/// The category tree page of the store admin: add, nest, rename and move (a move inside itself is
/// refused next to the field), delete (products stay, uncategorised), the audit log, CSRF, and
/// another organization's user.
@Suite("Store admin: categories")
struct CategoryPagesTests {
    static func id(_ name: String, on db: Connection) throws -> Int64 {
        try #require(try db.queryFirst("SELECT id FROM categories WHERE name = \(name)")).decode("id")
    }

    @Test("categories are added and nested, moved, renamed and deleted, each in the audit log")
    func tree() throws {
        guard let (shop, client) = try AdminCatalogTests.shop("cat-tree") else { return }
        let db = try shop.stack.tenantConnection(shop.store)
        let empty = try client.get(shop.admin + "/categories")
        #expect(empty.status == .ok)
        #expect(empty.text.contains("Sort your products into categories"))
        #expect(empty.text.contains("<label for=\"parent_id\">Inside</label>"))

        // Empty and too long names: 422, with the message next to the field and nothing written.
        let blank = try client.post(shop.admin + "/categories/new", [("name", "  "), ("parent_id", "")])
        #expect(blank.status == .unprocessableContent)
        #expect(blank.text.contains("id=\"name-error\">Enter a name."))
        let long = try client.post(shop.admin + "/categories/new", [("name", String(repeating: "x", count: 256)), ("parent_id", "")])
        #expect(long.status == .unprocessableContent)
        #expect(long.text.contains("id=\"name-error\">Name must be at most 255 characters."))
        #expect(try db.queryFirst("SELECT count(*)::bigint AS n FROM categories")!.decode("n", as: Int64.self) == 0)

        let kitchen = try client.post(shop.admin + "/categories/new", [("name", "Kitchen"), ("parent_id", "")])
        #expect(kitchen.status == .seeOther)
        let kitchenId = try Self.id("Kitchen", on: db)
        #expect(try client.post(shop.admin + "/categories/new", [("name", "Aprons"), ("parent_id", String(kitchenId))]).status == .seeOther)
        #expect(try client.post(shop.admin + "/categories/new", [("name", "Garden"), ("parent_id", "")]).status == .seeOther)
        let apronsId = try Self.id("Aprons", on: db)
        let gardenId = try Self.id("Garden", on: db)
        let product = try ProductAdmin.create(ProductInput(title: "Linen Apron", categoryId: apronsId), by: CatalogActor(id: "1"), on: db)

        let list = try client.get(shop.admin + "/categories", follow: false)
        #expect(list.text.contains("Category “Garden” added."))
        // Aprons is listed inside Kitchen's list item, with its product count; the parent select is labelled by path.
        let compact = list.text.replacingOccurrences(of: "\n", with: "")
        let kitchenAt = try #require(compact.range(of: ">Kitchen</a>"))
        let apronsAt = try #require(compact.range(of: ">Aprons</a>"))
        let nested = compact[kitchenAt.upperBound..<apronsAt.lowerBound]
        #expect(nested.contains("<ul>") && !nested.contains("</li>"))
        #expect(compact[apronsAt.upperBound...].contains("1 product<"))
        #expect(list.text.contains(">Kitchen &gt; Aprons</option>") || list.text.contains(">Kitchen > Aprons</option>"))

        // A move inside itself or its own subcategory: 422 on the parent field, nothing moved.
        for target in [apronsId, kitchenId] {
            let cycle = try client.post(shop.admin + "/categories/\(kitchenId)",
                                        [("name", "Kitchen"), ("handle", "kitchen"), ("parent_id", String(target))])
            #expect(cycle.status == .unprocessableContent)
            #expect(cycle.text.contains("id=\"parent_id-error\">A category cannot go inside itself or one of its subcategories."))
        }
        #expect(try db.queryFirst("SELECT parent_id FROM categories WHERE id = \(kitchenId)")!.decode("parent_id", as: Int64?.self) == nil)

        // Rename and move Aprons under Garden.
        let moved = try client.post(shop.admin + "/categories/\(apronsId)",
                                    [("name", "Work aprons"), ("handle", "aprons"), ("parent_id", String(gardenId))])
        #expect(moved.status == .seeOther)
        let row = try #require(try db.queryFirst("SELECT name, parent_id FROM categories WHERE id = \(apronsId)"))
        #expect(try row.decode("name", as: String.self) == "Work aprons")
        #expect(try row.decode("parent_id", as: Int64?.self) == gardenId)

        // A category with subcategories is not deleted; the page says why.
        let editor = try client.get(shop.admin + "/categories/\(gardenId)")
        #expect(editor.text.contains("move or delete it first"))
        let refused = try client.post(shop.admin + "/categories/\(gardenId)/delete", [])
        #expect(refused.status == .unprocessableContent)
        #expect(refused.text.contains("Move or delete its subcategories first."))

        // Deleting Work aprons keeps its product, uncategorised.
        #expect(try client.get(shop.admin + "/categories/\(apronsId)").text.contains("Its 1 product stays in your catalog, without a category."))
        let deleted = try client.post(shop.admin + "/categories/\(apronsId)/delete", [])
        #expect(deleted.status == .seeOther)
        #expect(try client.get(shop.admin + "/categories").text.contains("Category deleted."))
        #expect(try db.queryFirst("SELECT category_id FROM products WHERE id = \(product)")!.decode("category_id", as: Int64?.self) == nil)
        #expect(try client.get(shop.admin + "/categories/\(apronsId)").status == .notFound)

        let actions = try db.query("SELECT action FROM audit_log WHERE subject_type = 'category' ORDER BY id")
            .map { try $0.decode("action", as: String.self) }
        #expect(actions == ["category.create", "category.create", "category.create", "category.update", "category.delete"])
    }

    @Test("every category form refuses a missing or wrong CSRF token")
    func csrf() throws {
        guard let (shop, client) = try AdminCatalogTests.shop("cat-csrf") else { return }
        let db = try shop.stack.tenantConnection(shop.store)
        let id = try CategoryAdmin.create(name: "Mugs", parentId: nil, by: CatalogActor(id: "1"), on: db)
        try client.get(shop.admin + "/categories")
        for (path, fields) in [("/categories/new", [("name", "Forged")]), ("/categories/\(id)", [("name", "Forged")]),
                               ("/categories/\(id)/delete", [])] {
            for bad in ["", "forged"] {
                #expect(try client.post(shop.admin + path, fields, csrf: bad).status == .forbidden, "\(path) csrf \"\(bad)\"")
            }
        }
        #expect(try db.queryFirst("SELECT name FROM categories")!.decode("name", as: String.self) == "Mugs")
    }

    @Test("staff of the store may add categories, and the audit log names them")
    func staff() throws {
        guard let (shop, _) = try AdminCatalogTests.shop("cat-staff") else { return }
        let staff = try shop.stack.createUser(name: "Stella Staff")
        try shop.stack.addMember(userId: staff.userId, orgId: shop.owner.orgId, role: "staff")
        let client = try shop.stack.signedInClient(userId: staff.userId)
        let products = try client.get(shop.admin + "/products")
        #expect(products.text.contains(">Categories</a>"))
        try client.get(shop.admin + "/categories")
        #expect(try client.post(shop.admin + "/categories/new", [("name", "Mugs"), ("parent_id", "")]).status == .seeOther)
        let db = try shop.stack.tenantConnection(shop.store)
        let entry = try #require(try db.queryFirst("SELECT actor_id FROM audit_log WHERE action = 'category.create'"))
        #expect(try entry.decode("actor_id", as: String?.self) == String(staff.userId))
    }

    @Test("a user of another organization gets 403 and changes nothing")
    func anotherOrganization() throws {
        guard let (shop, _) = try AdminCatalogTests.shop("cat-cross") else { return }
        let db = try shop.stack.tenantConnection(shop.store)
        let id = try CategoryAdmin.create(name: "Mugs", parentId: nil, by: CatalogActor(id: "1"), on: db)
        let stranger = try shop.stack.createUser(name: "Sam Stranger")
        _ = try shop.stack.provisionStore(prefix: "cat-other", orgId: stranger.orgId, name: "Sam’s own store")
        let client = try shop.stack.signedInClient(userId: stranger.userId)
        try client.get("/stores")
        for path in ["/categories", "/categories/\(id)"] {
            let page = try client.get(shop.admin + path)
            #expect(page.status == .forbidden, "GET \(path)")
            #expect(!page.text.contains("Mugs"))
        }
        #expect(try client.post(shop.admin + "/categories/new", [("name", "Taken")]).status == .forbidden)
        #expect(try client.post(shop.admin + "/categories/\(id)", [("name", "Taken")]).status == .forbidden)
        #expect(try client.post(shop.admin + "/categories/\(id)/delete", []).status == .forbidden)
        #expect(try db.query("SELECT name FROM categories").map { try $0.decode("name", as: String.self) } == ["Mugs"])
    }
}
