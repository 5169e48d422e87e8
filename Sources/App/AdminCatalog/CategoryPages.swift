import Commerce
import HTTP
import Liquid
import Postgres

/// The category tree in the store admin (issue 6): `/admin/categories` lists the tree as nested
/// lists with a form to add a category; `/admin/categories/:id` renames or moves one (moving it
/// inside itself is a field error) and deletes it. `CategoryAdmin` validates and writes the audit log.
extension StorefleetApp {
    func addCategoryRoutes(to router: inout SiteRouter<PlatformSite>) {
        func catalog(_ site: PlatformSite, _ parameters: Parameters) throws -> AdminContext {
            let context = try AdminAccess.context(site, slug: parameters["slug"] ?? "")
            try context.require(.products)
            return context
        }
        router.get("/store/:slug/admin/categories") { [unowned self] _, parameters, site in
            try categoryList(site, try catalog(site, parameters), form: nil, errors: nil)
        }
        router.post("/store/:slug/admin/categories/new") { [unowned self] _, parameters, site in
            let form = try site.verifiedForm()
            return try createCategory(site, try catalog(site, parameters), form: form)
        }
        router.get("/store/:slug/admin/categories/:id") { [unowned self] _, parameters, site in
            try categoryEditor(site, try catalog(site, parameters), id: try Self.id(parameters), form: nil, errors: nil)
        }
        router.post("/store/:slug/admin/categories/:id") { [unowned self] _, parameters, site in
            let form = try site.verifiedForm()
            return try updateCategory(site, try catalog(site, parameters), id: try Self.id(parameters), form: form)
        }
        router.post("/store/:slug/admin/categories/:id/delete") { [unowned self] _, parameters, site in
            _ = try site.verifiedForm()
            return try deleteCategory(site, try catalog(site, parameters), id: try Self.id(parameters))
        }
    }

    /// `GET /categories`, and the add form refused with 422.
    func categoryList(_ site: PlatformSite, _ context: AdminContext, form: FormData?, errors: FormErrors?) throws -> Response {
        let nodes = try withTenant(context.route) { db in try CategoryAdmin.tree(on: db) }
        let parent = form?["parent_id"] ?? ""
        return try CatalogPages.render(site, context, page: "admin/categories/list", title: "Categories", tab: "categories", assigns: [
            "nodes": Self.nestedRows(nodes, context: context),
            "count": .int(nodes.count),
            "name": .string(form?["name"] ?? ""),
            "parents": Self.parentOptions(nodes, selected: parent, excluding: []),
            "action": .string(context.adminURL + "/categories/new"),
            "has_errors": .bool(!(errors?.isEmpty ?? true)),
        ], errors: errors)
    }

    /// `POST /categories/new`.
    func createCategory(_ site: PlatformSite, _ context: AdminContext, form: FormData) throws -> Response {
        var errors = FormErrors()
        let parentId = Self.parentId(form, errors: &errors)
        if errors.isEmpty {
            do {
                let name = form["name"] ?? ""
                try withTenant(context.route) { db in
                    _ = try CategoryAdmin.create(name: name, parentId: parentId, by: actor(site, context), on: db)
                }
                return site.redirect(to: context.adminURL + "/categories",
                                     flash: .success("Category “\(name.trimmingWhitespace())” added."))
            } catch let validation as CatalogValidation {
                errors = CatalogPages.formErrors(validation)
            }
        }
        return try categoryList(site, context, form: form, errors: errors)
    }

    /// `GET /categories/:id`, and its form refused with 422.
    func categoryEditor(_ site: PlatformSite, _ context: AdminContext, id: Int64, form: FormData?, errors: FormErrors?) throws -> Response {
        let nodes = try withTenant(context.route) { db in try CategoryAdmin.tree(on: db) }
        guard let node = nodes.first(where: { $0.id == id }) else { throw HTTPError(.notFound, "This category no longer exists.") }
        // Itself and everything below it: not places it can move to.
        var inside: Set<Int64> = [id]
        for n in nodes where n.parentId.map(inside.contains) ?? false { inside.insert(n.id) }
        let children = nodes.filter { $0.parentId == id }.count
        let parent = form?["parent_id"] ?? node.parentId.map(String.init) ?? ""
        return try CatalogPages.render(site, context, page: "admin/categories/edit", title: node.name, tab: "categories", assigns: [
            "category_name": .string(node.name),
            "path": .string(node.path),
            "name": .string(form?["name"] ?? node.name),
            "handle": .string(form?["handle"] ?? node.handle),
            "parents": Self.parentOptions(nodes, selected: parent, excluding: inside),
            "product_count": .int(node.productCount),
            "children": .int(children),
            "action": .string(context.adminURL + "/categories/\(id)"),
            "delete_action": .string(context.adminURL + "/categories/\(id)/delete"),
            "list_url": .string(context.adminURL + "/categories"),
            "has_errors": .bool(!(errors?.isEmpty ?? true)),
        ], errors: errors)
    }

    /// `POST /categories/:id`: rename, change the handle, move.
    func updateCategory(_ site: PlatformSite, _ context: AdminContext, id: Int64, form: FormData) throws -> Response {
        var errors = FormErrors()
        let parentId = Self.parentId(form, errors: &errors)
        if errors.isEmpty {
            do {
                let name = form["name"] ?? ""
                let handle = form["handle"]
                try withTenant(context.route) { db in
                    try CategoryAdmin.update(id, name: name, handle: handle, parentId: parentId, by: actor(site, context), on: db)
                }
                return site.redirect(to: context.adminURL + "/categories", flash: .success("Category saved."))
            } catch let validation as CatalogValidation {
                errors = CatalogPages.formErrors(validation)
            } catch CatalogAdminError.notFound {
                throw HTTPError(.notFound, "This category no longer exists.")
            }
        }
        return try categoryEditor(site, context, id: id, form: form, errors: errors)
    }

    /// `POST /categories/:id/delete`: products stay, uncategorised; a category with subcategories stays.
    func deleteCategory(_ site: PlatformSite, _ context: AdminContext, id: Int64) throws -> Response {
        do {
            try withTenant(context.route) { db in try CategoryAdmin.delete(id, by: actor(site, context), on: db) }
            return site.redirect(to: context.adminURL + "/categories", flash: .success("Category deleted."))
        } catch CatalogAdminError.notFound {
            return site.redirect(to: context.adminURL + "/categories", flash: .info("That category was already deleted."))
        } catch let validation as CatalogValidation {
            return try categoryEditor(site, context, id: id, form: nil, errors: CatalogPages.formErrors(validation))
        }
    }

    /// The parent select's value: empty is the top level; anything else must be an id.
    static func parentId(_ form: FormData, errors: inout FormErrors) -> Int64? {
        let raw = (form["parent_id"] ?? "").trimmingWhitespace()
        if raw.isEmpty { return nil }
        guard let id = Int64(raw), id > 0 else {
            errors.add("parent_id", "Choose a parent from the list.")
            return nil
        }
        return id
    }

    /// The parent select's options, each labelled with its path from the top.
    static func parentOptions(_ nodes: [CategoryNode], selected: String, excluding: Set<Int64>) -> Value {
        let top: Value = ["value": "", "label": "None (top level)", "selected": .bool(selected.isEmpty)]
        return .array([top] + nodes.filter { !excluding.contains($0.id) }.map { n in
            ["value": .string(String(n.id)), "label": .string(n.path), "selected": .bool(String(n.id) == selected)]
        })
    }

    /// The depth-first tree as rows a template turns into nested `<ul>`s: `opens` when the next
    /// node is its child, else `closes` lists the levels to close after its `</li>`.
    static func nestedRows(_ nodes: [CategoryNode], context: AdminContext) -> Value {
        .array(nodes.enumerated().map { i, n in
            let next = i + 1 < nodes.count ? nodes[i + 1].depth : 0
            return [
                "name": .string(n.name), "url": .string(context.adminURL + "/categories/\(n.id)"),
                "count": .int(n.productCount), "opens": .bool(next > n.depth),
                "closes": .array(Array(repeating: Value.nil, count: max(n.depth - next, 0))),
            ]
        })
    }
}
