import Commerce
import Foundation
import HTTP
import Liquid
import Postgres
import Registry

extension StorefleetApp {
    /// `GET /store/:slug/admin/products/export.csv`: the whole catalog in Shopify's product CSV
    /// format, streamed as it is read.
    func exportProducts(_ site: PlatformSite, _ context: AdminContext) throws -> Response {
        let route = context.route
        let digits = CatalogText.minorDigits(currency: route.currency)
        let media = AdminPages.storefrontURL(site, context)
        let storeId = route.storeId
        var response = Response.stream(contentType: "text/csv; charset=utf-8") { [unowned self] body in
            try withTenant(route) { db in
                var csv = CSVWriter { try body.write($0) }
                try CatalogExport.write(on: db, to: &csv, currencyDigits: digits, imageURL: { key in
                    key.hasPrefix("/") ? media + key : media + "/media/sf_store_\(storeId)/" + key
                })
            }
        }
        response.headers["Content-Disposition"] = ("attachment; filename=\"products_export_\(context.store.slug).csv\"")
        return response
    }

    /// `GET /store/:slug/admin/products/import`: the upload form and the latest imports.
    func importPage(_ site: PlatformSite, _ context: AdminContext, errors: FormErrors?) throws -> Response {
        let recent = try withTenant(context.route) { db in try CatalogImport.recent(on: db) }
        let assigns: [String: Value] = [
            "action": .string(context.adminURL + "/products/import"),
            "export_url": .string(context.adminURL + "/products/export.csv"),
            "imports": .array(recent.map { importValue($0, context) }),
        ]
        return try CatalogPages.render(site, context, page: "admin/products/import", title: "Import products", tab: "import",
                                       assigns: assigns, errors: errors,
                                       status: nil)
    }

    /// `POST /store/:slug/admin/products/import` (multipart `file`, `overwrite`): keeps the file and
    /// queues the `catalog.import` job, then shows its progress page.
    func startImport(_ site: PlatformSite, _ context: AdminContext, form: FormData) throws -> Response {
        var errors = FormErrors()
        guard let file = form.file("file"), !file.bytes.isEmpty else {
            errors.add("file", "Choose a CSV file to import.")
            return try importPage(site, context, errors: errors)
        }
        do {
            let id = try withTenant(context.route) { db in
                try CatalogImport.enqueue(file: file.bytes, filename: file.filename, overwrite: form["overwrite"] != "0",
                                          by: actor(site, context), on: db)
            }
            // Ask the job runner to move the store's outbox now rather than at its next sweep.
            try? OutboxRelay.hint(site.registry(), storeId: context.route.storeId)
            return site.redirect(to: context.adminURL + "/products/imports/\(id)",
                                 flash: .info("Your file is queued. This page updates until the import is done."))
        } catch let validation as CatalogValidation {
            for e in validation.errors { errors.add(e.field, e.message) }
            return try importPage(site, context, errors: errors)
        }
    }

    /// `GET /store/:slug/admin/products/imports/:id`: progress (the page reloads itself every two
    /// seconds while the job runs, with no script), then the result with every bad row.
    func importStatusPage(_ site: PlatformSite, _ context: AdminContext, id: Int64) throws -> Response {
        guard let status = try withTenant(context.route, { db in try CatalogImport.status(id, on: db) }) else {
            throw HTTPError(.notFound, "There is no such import.")
        }
        var assigns = importValue(status, context).dictionaryValue
        assigns["import_url"] = .string(context.adminURL + "/products/import")
        assigns["list_url"] = .string(context.adminURL + "/products")
        var response = try CatalogPages.render(site, context, page: "admin/products/import_status",
                                               title: "Import of \(status.filename.isEmpty ? "products" : status.filename)",
                                               tab: "import", assigns: assigns)
        if !status.isFinished { response.headers["Refresh"] = ("2") }
        return response
    }

    func importValue(_ s: CatalogImportStatus, _ context: AdminContext) -> Value {
        let title: String
        let badge: String
        switch s.status {
        case "queued": (title, badge) = ("Queued", "plain")
        case "validating", "writing": (title, badge) = ("Importing", "warn")
        case "succeeded": (title, badge) = ("Imported", "ok")
        default: (title, badge) = ("Nothing imported", "bad")
        }
        return [
            "id": .int(Int(s.id)), "url": .string(context.adminURL + "/products/imports/\(s.id)"),
            "filename": .string(s.filename.isEmpty ? "products.csv" : s.filename), "status": .string(s.status),
            "status_title": .string(title), "status_badge": .string(badge), "finished": .bool(s.isFinished),
            "succeeded": .bool(s.status == "succeeded"), "percent": .int(s.percent),
            "rows_total": s.rowsTotal.map { .int($0) } ?? .nil, "rows_processed": .int(s.rowsProcessed),
            "created": .int(s.productsCreated), "updated": .int(s.productsUpdated), "error_count": .int(s.errorCount),
            "errors": .array(s.errors.map {
                ["row": .int($0.row), "column": $0.column.map(Value.string) ?? .nil, "message": .string($0.message)]
            }),
        ]
    }
}

extension Value {
    var dictionaryValue: [String: Value] {
        if case .dictionary(let d) = self { return d }
        return [:]
    }
}
