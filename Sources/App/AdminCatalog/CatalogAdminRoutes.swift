import Commerce
import HTTP
import Liquid
import Postgres

/// The catalog in the store admin (issue 6): the product list with search, filters, sorts, keyset
/// pages and bulk actions; the product editor; collections; CSV import (a job with a progress
/// page) and export. Registered after the admin shell's routes, so `/admin/products` replaces
/// the shell's read-only list. Staff may use all of it (`AdminArea.products`).
extension StorefleetApp {
    func addCatalogAdminRoutes(to router: inout SiteRouter<PlatformSite>) {
        func catalog(_ site: PlatformSite, _ parameters: Parameters) throws -> AdminContext {
            let context = try AdminAccess.context(site, slug: parameters["slug"] ?? "")
            try context.require(.products)
            return context
        }
        router.get("/store/:slug/admin/products") { [unowned self] request, parameters, site in
            try productList(site, try catalog(site, parameters), query: request.query)
        }
        router.post("/store/:slug/admin/products/bulk") { [unowned self] _, parameters, site in
            let form = try site.verifiedForm()
            return try productBulk(site, try catalog(site, parameters), form: form)
        }
        router.get("/store/:slug/admin/products/new") { [unowned self] _, parameters, site in
            try productEditor(site, try catalog(site, parameters), productId: nil)
        }
        router.post("/store/:slug/admin/products/new") { [unowned self] _, parameters, site in
            let form = try site.verifiedForm()
            return try saveProduct(site, try catalog(site, parameters), productId: nil, form: form)
        }
        router.get("/store/:slug/admin/products/export.csv") { [unowned self] _, parameters, site in
            try exportProducts(site, try catalog(site, parameters))
        }
        router.get("/store/:slug/admin/products/import") { [unowned self] _, parameters, site in
            try importPage(site, try catalog(site, parameters), errors: nil)
        }
        router.post("/store/:slug/admin/products/import") { [unowned self] _, parameters, site in
            let form = try site.verifiedForm()
            return try startImport(site, try catalog(site, parameters), form: form)
        }
        router.get("/store/:slug/admin/products/imports/:id") { [unowned self] _, parameters, site in
            try importStatusPage(site, try catalog(site, parameters), id: try Self.id(parameters))
        }
        router.get("/store/:slug/admin/products/:id") { [unowned self] _, parameters, site in
            try productEditor(site, try catalog(site, parameters), productId: try Self.id(parameters))
        }
        router.post("/store/:slug/admin/products/:id") { [unowned self] _, parameters, site in
            let form = try site.verifiedForm()
            return try saveProduct(site, try catalog(site, parameters), productId: try Self.id(parameters), form: form)
        }
        router.post("/store/:slug/admin/products/:id/delete") { [unowned self] _, parameters, site in
            _ = try site.verifiedForm()
            return try deleteProduct(site, try catalog(site, parameters), productId: try Self.id(parameters))
        }
        router.get("/store/:slug/admin/collections") { [unowned self] _, parameters, site in
            try collectionList(site, try catalog(site, parameters))
        }
        router.get("/store/:slug/admin/collections/new") { [unowned self] _, parameters, site in
            try collectionEditor(site, try catalog(site, parameters), collectionId: nil)
        }
        router.post("/store/:slug/admin/collections/new") { [unowned self] _, parameters, site in
            let form = try site.verifiedForm()
            return try saveCollection(site, try catalog(site, parameters), collectionId: nil, form: form)
        }
        router.get("/store/:slug/admin/collections/:id") { [unowned self] _, parameters, site in
            try collectionEditor(site, try catalog(site, parameters), collectionId: try Self.id(parameters))
        }
        router.post("/store/:slug/admin/collections/:id") { [unowned self] _, parameters, site in
            let form = try site.verifiedForm()
            return try saveCollection(site, try catalog(site, parameters), collectionId: try Self.id(parameters), form: form)
        }
        router.post("/store/:slug/admin/collections/:id/delete") { [unowned self] _, parameters, site in
            _ = try site.verifiedForm()
            return try deleteCollection(site, try catalog(site, parameters), collectionId: try Self.id(parameters))
        }
        addProductImageRoutes(to: &router)
        addCategoryRoutes(to: &router)
    }

    static func id(_ parameters: Parameters) throws -> Int64 {
        guard let id = parameters["id"].flatMap({ Int64($0) }), id > 0 else { throw HTTPError(.notFound, "There is no such page.") }
        return id
    }
}

/// Shared by the catalog pages.
enum CatalogPages {
    /// The tabs above every catalog page.
    static func tabs(_ context: AdminContext, current: String) -> Value {
        let items = [("products", "Products", "/products"), ("collections", "Collections", "/collections"),
                     ("categories", "Categories", "/categories"),
                     ("import", "Import", "/products/import")]
        return .array(items.map { key, title, path in
            ["title": .string(title), "url": .string(context.adminURL + path), "current": .bool(key == current)]
        })
    }

    static func render(_ site: PlatformSite, _ context: AdminContext, page: String, title: String, tab: String,
                       assigns: [String: Value], errors: FormErrors? = nil, status: Status? = nil) throws -> Response {
        var data = assigns
        data["catalog_tabs"] = tabs(context, current: tab)
        data["admin_url"] = .string(context.adminURL)
        return try AdminPages.render(site, context, area: .products, page: page, title: title, assigns: data,
                                     errors: errors, status: status)
    }

    /// Validation messages keyed by the form's field names.
    /// `variantRows[N]` is the form row of the model's variant N.
    static func formErrors(_ validation: CatalogValidation, variantRows: [Int] = []) -> FormErrors {
        var errors = FormErrors()
        for e in validation.errors { errors.add(formField(e.field, variantRows: variantRows), e.message) }
        return errors
    }

    /// `variants.2.price` → `v<row of 2>_price`; `options.0.name` → `option1_name`.
    static func formField(_ field: String, variantRows: [Int] = []) -> String {
        let parts = field.split(separator: ".").map(String.init)
        if parts.count >= 2, parts[0] == "variants", let n = Int(parts[1]) {
            let row = n < variantRows.count ? variantRows[n] : n
            guard parts.count == 3 else { return "v\(row)_sku" }
            return "v\(row)_" + (parts[2] == "options" ? "option1" : parts[2])
        }
        if parts.count == 3, parts[0] == "options", let i = Int(parts[1]) { return "option\(i + 1)_name" }
        if parts.count == 2, parts[0] == "rules" { return "rule\(parts[1])_condition" }
        return field
    }

    static func money(_ minor: Int64?, digits: Int) -> String {
        minor.map { CatalogText.decimal($0, digits: digits) } ?? ""
    }
}
