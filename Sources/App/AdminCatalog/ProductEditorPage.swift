import Commerce
import Foundation
import HTTP
import Liquid
import Postgres

extension StorefleetApp {
    /// `GET /store/:slug/admin/products/new` and `/products/:id`: every field of the product, its
    /// options and a table of its variants, with one blank row to add a variant.
    func productEditor(_ site: PlatformSite, _ context: AdminContext, productId: Int64?) throws -> Response {
        let digits = CatalogText.minorDigits(currency: context.route.currency)
        let (record, categories) = try withTenant(context.route) { db in
            (try productId.flatMap { try ProductAdmin.load($0, on: db) }, try CategoryAdmin.tree(on: db))
        }
        if productId != nil && record == nil { throw HTTPError(.notFound, "This product no longer exists.") }
        let fields = ProductForm.fields(record?.input ?? ProductInput(title: "", status: .draft,
                                                                    variants: [VariantInput()]), digits: digits)
        return try renderEditor(site, context, record: record, fields: fields, categories: categories, errors: nil)
    }

    /// `POST` of the editor: 422 with every problem next to its field, or saved and back to the
    /// editor with a message.
    func saveProduct(_ site: PlatformSite, _ context: AdminContext, productId: Int64?, form: FormData) throws -> Response {
        let digits = CatalogText.minorDigits(currency: context.route.currency)
        var (input, errors, rowOf) = ProductForm.input(form, digits: digits)
        if !errors.isEmpty {
            // Show the model's problems too, not only the ones the form found.
            for e in CatalogPages.formErrors(ProductAdmin.check(input), variantRows: rowOf).messages where !e.field.hasSuffix("_price") || errors[e.field] == nil {
                errors.add(e.field, e.message)
            }
        }
        do {
            if errors.isEmpty {
                let id = try withTenant(context.route) { db -> Int64 in
                    if let productId {
                        try ProductAdmin.update(productId, input, by: actor(site, context), on: db)
                        return productId
                    }
                    return try ProductAdmin.create(input, by: actor(site, context), on: db)
                }
                return site.redirect(to: context.adminURL + "/products/\(id)",
                                     flash: .success(productId == nil ? "Product created." : "Product saved."))
            }
        } catch let validation as CatalogValidation {
            for e in CatalogPages.formErrors(validation, variantRows: rowOf).messages { errors.add(e.field, e.message) }
        } catch CatalogAdminError.notFound {
            throw HTTPError(.notFound, "This product no longer exists.")
        }
        input.title = input.title.trimmingWhitespace()
        let (record, categories) = try withTenant(context.route) { db in
            (try productId.flatMap { try ProductAdmin.load($0, on: db) }, try CategoryAdmin.tree(on: db))
        }
        return try renderEditor(site, context, record: record, fields: ProductForm.fields(form: form), categories: categories,
                                errors: errors)
    }

    func renderEditor(_ site: PlatformSite, _ context: AdminContext, record: ProductRecord?, fields: [String: Value],
                      categories: [CategoryNode], errors: FormErrors?) throws -> Response {
        var assigns = fields
        let selected = fields["category_id"].flatMap { if case .string(let s) = $0 { return Int64(s) } else { return nil } }
        assigns["categories"] = .array(categories.map {
            ["value": .string(String($0.id)), "label": .string($0.path), "selected": .bool($0.id == selected)]
        })
        assigns["is_new"] = .bool(record == nil)
        assigns["action"] = .string(context.adminURL + "/products/" + (record.map { String($0.id) } ?? "new"))
        assigns["list_url"] = .string(context.adminURL + "/products")
        if let record {
            assigns["delete_action"] = .string(context.adminURL + "/products/\(record.id)/delete")
            assigns["redirects"] = .array(record.redirectsFrom.map { .string($0) })
            assigns["storefront_url"] = .string(AdminPages.storefrontURL(site, context) + "/products/" + record.handle)
            assigns["record_status"] = .string(record.status.rawValue)
        }
        assigns["currency"] = .string(context.route.currency)
        assigns["has_errors"] = .bool(!(errors?.isEmpty ?? true))
        return try CatalogPages.render(site, context, page: "admin/products/edit",
                                       title: record?.title ?? "New product", tab: "products", assigns: assigns,
                                       errors: errors, status: nil)
    }

    /// `POST /products/:id/delete`.
    func deleteProduct(_ site: PlatformSite, _ context: AdminContext, productId: Int64) throws -> Response {
        let changed = try withTenant(context.route) { db in
            try ProductAdmin.bulk(.delete, ids: [productId], by: actor(site, context), on: db)
        }
        return site.redirect(to: context.adminURL + "/products",
                             flash: changed == 1 ? .success("Product deleted.") : .info("That product was already deleted."))
    }
}

/// The editor's form: field names and parsing. Variants are rows `v0_…`, `v1_…` (with
/// `variant_rows` telling how many were shown); a row without an id and with nothing typed is
/// the blank "add a variant" row and is ignored; `vN_remove` deletes a variant.
enum ProductForm {
    static let variantFields = ["id", "option1", "option2", "option3", "sku", "barcode", "price", "compare_at_price",
                                "cost", "weight", "inventory_quantity", "inventory_policy", "remove"]

    /// The input, the problems found while parsing, and for each variant of the input the form
    /// row it came from (to put the model's `variants.N` messages next to the right row).
    static func input(_ form: FormData, digits: Int) -> (ProductInput, FormErrors, [Int]) {
        var errors = FormErrors()
        var p = ProductInput(title: form["title"] ?? "")
        p.handle = form["handle"]
        p.descriptionHTML = form["description_html"] ?? ""
        p.vendor = form["vendor"] ?? ""
        p.productType = form["product_type"] ?? ""
        p.tags = CatalogText.tags(form["tags"] ?? "")
        p.seoTitle = form["seo_title"]
        p.seoDescription = form["seo_description"]
        p.status = ProductStatus(rawValue: form["status"] ?? "") ?? .draft
        p.categoryId = form["category_id"].flatMap { Int64($0) }
        p.options = (1...3).compactMap { n in
            let name = (form["option\(n)_name"] ?? "").trimmingWhitespace()
            return name.isEmpty ? nil : OptionInput(name: name)
        }
        let rows = min(max(Int(form["variant_rows"] ?? "") ?? 0, 0), ProductInput.maximumVariants + 1)
        var variants: [VariantInput] = []
        var rowOf: [Int] = []
        for i in 0..<rows {
            func field(_ name: String) -> String { (form["v\(i)_\(name)"] ?? "").trimmingWhitespace() }
            let id = Int64(field("id"))
            if field("remove") == "1" { continue }
            let typed = ["option1", "option2", "option3", "sku", "barcode", "price", "compare_at_price", "cost"].contains { !field($0).isEmpty }
            if id == nil && !typed { continue }
            var v = VariantInput(id: id)
            v.optionValues = p.options.indices.map { field("option\($0 + 1)") }
            v.sku = field("sku")
            v.barcode = field("barcode")
            if let price = CatalogText.minorUnits(field("price"), digits: digits) { v.priceMinor = price }
            else { errors.add("v\(i)_price", field("price").isEmpty ? "Enter a price." : "Enter an amount like 19.99.") }
            for (name, path) in [("compare_at_price", \VariantInput.compareAtMinor), ("cost", \VariantInput.costMinor)] where !field(name).isEmpty {
                if let minor = CatalogText.minorUnits(field(name), digits: digits) { v[keyPath: path] = minor }
                else { errors.add("v\(i)_\(name)", "Enter an amount like 19.99, or leave it empty.") }
            }
            if !field("weight").isEmpty {
                if let grams = Int(field("weight")), grams >= 0 { v.weightGrams = grams } else { errors.add("v\(i)_weight", "Enter the weight in grams.") }
            }
            if !field("inventory_quantity").isEmpty {
                if let q = Int(field("inventory_quantity")) { v.inventoryQuantity = q } else { errors.add("v\(i)_inventory_quantity", "Enter a whole number.") }
            }
            v.inventoryPolicy = field("inventory_policy") == "continue" ? .continue : .deny
            variants.append(v)
            rowOf.append(i)
        }
        p.variants = variants
        if variants.isEmpty { errors.add("v0_price", "A product needs at least one variant with a price.") }
        return (p, errors, rowOf)
    }

    /// The editor's values from a saved product.
    static func fields(_ p: ProductInput, digits: Int) -> [String: Value] {
        var f: [String: Value] = [
            "title": .string(p.title), "handle": .string(p.handle ?? ""), "description_html": .string(p.descriptionHTML),
            "vendor": .string(p.vendor), "product_type": .string(p.productType), "tags": .string(p.tags.joined(separator: ", ")),
            "seo_title": .string(p.seoTitle ?? ""), "seo_description": .string(p.seoDescription ?? ""),
            "status": .string(p.status.rawValue), "category_id": .string(p.categoryId.map(String.init) ?? ""),
        ]
        for n in 1...3 { f["option\(n)_name"] = .string(n <= p.options.count ? p.options[n - 1].name : "") }
        var rows: [Value] = p.variants.enumerated().map { i, v in
            var row: [String: Value] = [
                "index": .int(i), "id": .string(v.id.map(String.init) ?? ""), "sku": .string(v.sku ?? ""),
                "barcode": .string(v.barcode ?? ""), "price": .string(CatalogText.decimal(v.priceMinor, digits: digits)),
                "compare_at_price": .string(CatalogPages.money(v.compareAtMinor, digits: digits)),
                "cost": .string(CatalogPages.money(v.costMinor, digits: digits)), "weight": .string(String(v.weightGrams)),
                "inventory_quantity": .string(String(v.inventoryQuantity)),
                "continue": .bool(v.inventoryPolicy == .continue), "title": .string(v.optionValues.joined(separator: " / ")),
            ]
            for n in 1...3 { row["option\(n)"] = .string(n <= v.optionValues.count ? v.optionValues[n - 1] : "") }
            return .dictionary(row)
        }
        if !(p.variants.count == 1 && p.variants[0].id == nil) || p.options.count > 0 {
            rows.append(blankRow(index: rows.count))
        }
        f["variants"] = .array(rows)
        f["variant_rows"] = .int(rows.count)
        f["option_count"] = .int(p.options.count)
        decorate(&f)
        return f
    }

    /// The editor's values as submitted (to show them again with the errors).
    static func fields(form: FormData) -> [String: Value] {
        var f: [String: Value] = [:]
        for name in ["title", "handle", "description_html", "vendor", "product_type", "tags", "seo_title", "seo_description",
                     "status", "category_id", "option1_name", "option2_name", "option3_name"] {
            f[name] = .string(form[name] ?? "")
        }
        let count = min(max(Int(form["variant_rows"] ?? "") ?? 0, 0), ProductInput.maximumVariants + 1)
        var rows: [Value] = []
        for i in 0..<count {
            var row: [String: Value] = ["index": .int(i)]
            for name in variantFields { row[name] = .string(form["v\(i)_\(name)"] ?? "") }
            row["continue"] = .bool(form["v\(i)_inventory_policy"] == "continue")
            rows.append(.dictionary(row))
        }
        if rows.isEmpty { rows.append(blankRow(index: 0)) }
        f["variants"] = .array(rows)
        f["variant_rows"] = .int(rows.count)
        f["option_count"] = .int((1...3).filter { !(form["option\($0)_name"] ?? "").trimmingWhitespace().isEmpty }.count)
        decorate(&f)
        return f
    }

    /// Adds what the template draws from the flat values: the option inputs, the variant table's
    /// headers and each row's cells with their labels.
    static func decorate(_ f: inout [String: Value]) {
        func text(_ v: Value?) -> String { if case .string(let s) = v ?? .nil { return s } else { return "" } }
        let names = (1...3).map { text(f["option\($0)_name"]).trimmingWhitespace() }
        let used = names.filter { !$0.isEmpty }
        let placeholders = ["Size", "Colour", "Material"]
        f["option_fields"] = .array((1...3).map { n in
            ["n": .int(n), "key": .string("option\(n)_name"), "value": .string(text(f["option\(n)_name"])),
             "placeholder": .string(placeholders[n - 1])]
        })
        f["option_headers"] = .array(used.map { .string($0) })
        let labels = ["price": "Price", "compare_at_price": "Compare-at price", "cost": "Cost per item", "sku": "SKU",
                      "barcode": "Barcode", "weight": "Weight in grams", "inventory_quantity": "Stock"]
        let modes = ["price": "decimal", "compare_at_price": "decimal", "cost": "decimal", "weight": "numeric",
                     "inventory_quantity": "numeric"]
        guard case .array(let rows) = f["variants"] ?? .nil else { return }
        f["variants"] = .array(rows.enumerated().map { position, rowValue in
            var row = rowValue.dictionaryValue
            let i: Int = { if case .int(let n) = row["index"] ?? .nil { return n } else { return position } }()
            let blank: Bool = { if case .bool(let b) = row["blank"] ?? .nil { return b } else { return false } }()
            let values = (0..<used.count).map { text(row["option\($0 + 1)"]) }.filter { !$0.isEmpty }
            let label = blank ? "the new variant" : (values.isEmpty ? "variant \(position + 1)" : values.joined(separator: " / "))
            var cells: [Value] = []
            for (n, name) in used.enumerated() {
                cells.append(["key": .string("v\(i)_option\(n + 1)"), "value": .string(text(row["option\(n + 1)"])),
                              "label": .string("\(name) of \(label)"), "mode": .nil])
            }
            for field in ["price", "compare_at_price", "cost", "sku", "barcode", "weight", "inventory_quantity"] {
                cells.append(["key": .string("v\(i)_\(field)"), "value": .string(text(row[field])),
                              "label": .string("\(labels[field]!) of \(label)"), "mode": modes[field].map(Value.string) ?? .nil])
            }
            row["cells"] = .array(cells)
            row["label"] = .string(label)
            return .dictionary(row)
        })
    }

    static func blankRow(index: Int) -> Value {
        var row: [String: Value] = ["index": .int(index), "blank": .bool(true), "weight": .string("0"),
                                    "inventory_quantity": .string("0"), "continue": .bool(false)]
        for name in ["id", "option1", "option2", "option3", "sku", "barcode", "price", "compare_at_price", "cost"] {
            row[name] = .string("")
        }
        return .dictionary(row)
    }
}
