import Commerce
import Foundation
import HTTP
import Liquid
import Postgres

extension StorefleetApp {
    /// `GET /store/:slug/admin/collections`.
    func collectionList(_ site: PlatformSite, _ context: AdminContext) throws -> Response {
        let collections = try withTenant(context.route) { db in try CollectionAdmin.list(on: db) }
        let rows: [Value] = collections.map { c in
            ["title": .string(c.input.title), "url": .string(context.adminURL + "/collections/\(c.id)"),
             "kind": .string(c.input.kind == .manual ? "Manual" : "Automatic"), "count": .int(c.productCount),
             "published": .bool(c.input.published), "sort": .string(c.input.sortOrder.label)]
        }
        return try CatalogPages.render(site, context, page: "admin/collections/list", title: "Collections", tab: "collections",
                                       assigns: ["rows": .array(rows), "new_url": .string(context.adminURL + "/collections/new")])
    }

    /// `GET /store/:slug/admin/collections/new` and `/collections/:id`.
    func collectionEditor(_ site: PlatformSite, _ context: AdminContext, collectionId: Int64?) throws -> Response {
        let digits = CatalogText.minorDigits(currency: context.route.currency)
        let (record, handles) = try withTenant(context.route) { db -> (CollectionRecord?, [String]) in
            guard let id = collectionId, let record = try CollectionAdmin.load(id, on: db) else { return (nil, []) }
            let handles = try db.query("""
                SELECT p.handle FROM unnest(\(record.input.productIds)::int8[]) WITH ORDINALITY AS x (id, n)
                JOIN products p ON p.id = x.id ORDER BY x.n
                """).map { try $0.decode("handle", as: String.self) }
            return (record, handles)
        }
        if collectionId != nil && record == nil { throw HTTPError(.notFound, "This collection no longer exists.") }
        let input = record?.input ?? CollectionInput(title: "")
        var fields: [String: Value] = [
            "title": .string(input.title), "handle": .string(input.handle ?? ""), "description_html": .string(input.descriptionHTML),
            "kind": .string(input.kind.rawValue), "match": .string(input.matchAll ? "all" : "any"),
            "sort_order": .string(input.sortOrder.rawValue), "published": .bool(input.published),
            "seo_title": .string(input.seoTitle ?? ""), "seo_description": .string(input.seoDescription ?? ""),
            "products": .string(handles.joined(separator: "\n")),
        ]
        var rules = input.rules.map { rule -> [String: String] in
            let condition: String
            switch rule.column {
            case .price, .compareAtPrice:
                condition = CatalogText.minorUnits(rule.condition, digits: digits).map { CatalogText.decimal($0, digits: digits) } ?? rule.condition
            default: condition = rule.condition
            }
            return ["column": rule.column.rawValue, "relation": rule.relation.rawValue, "condition": condition]
        }
        rules.append(["column": "tag", "relation": "equals", "condition": ""])
        fields["rules"] = ruleRows(rules)
        return try renderCollection(site, context, record: record, fields: fields, errors: nil)
    }

    /// `POST` of the collection editor.
    func saveCollection(_ site: PlatformSite, _ context: AdminContext, collectionId: Int64?, form: FormData) throws -> Response {
        let digits = CatalogText.minorDigits(currency: context.route.currency)
        var errors = FormErrors()
        var input = CollectionInput(title: form["title"] ?? "")
        input.handle = form["handle"]
        input.descriptionHTML = form["description_html"] ?? ""
        input.kind = CollectionInput.Kind(rawValue: form["kind"] ?? "") ?? .manual
        input.matchAll = form["match"] != "any"
        input.sortOrder = CollectionInput.SortOrder(rawValue: form["sort_order"] ?? "") ?? .manual
        input.published = form["published"] == "1"
        input.seoTitle = form["seo_title"]
        input.seoDescription = form["seo_description"]
        let count = min(max(Int(form["rule_rows"] ?? "") ?? 0, 0), 61)
        var submitted: [[String: String]] = []
        var ruleRow: [Int] = []
        for i in 0..<count {
            let row = ["column": form["rule\(i)_column"] ?? "", "relation": form["rule\(i)_relation"] ?? "",
                       "condition": (form["rule\(i)_condition"] ?? "").trimmingWhitespace()]
            submitted.append(row)
            guard !row["condition"]!.isEmpty || form["rule\(i)_remove"] == nil else { continue }
            if row["condition"]!.isEmpty || form["rule\(i)_remove"] == "1" { continue }
            guard let column = CollectionRule.Column(rawValue: row["column"]!),
                  let relation = CollectionRule.Relation(rawValue: row["relation"]!) else {
                errors.add("rule\(i)_condition", "Choose a condition from the lists.")
                continue
            }
            input.rules.append(CollectionRule(column: column, relation: relation, condition: row["condition"]!))
            ruleRow.append(i)
        }
        let handles = (form["products"] ?? "").split(whereSeparator: { $0 == "\n" || $0 == "\r" || $0 == "," })
            .map { String($0).trimmingWhitespace().lowercased() }.filter { !$0.isEmpty }
        do {
            if input.kind == .manual, !handles.isEmpty {
                let found = try withTenant(context.route) { db in
                    Dictionary(uniqueKeysWithValues: try db.query("SELECT id, handle FROM products WHERE handle = ANY(\(handles))")
                        .map { (try $0.decode("handle", as: String.self), try $0.decode("id", as: Int64.self)) })
                }
                let missing = handles.filter { found[$0] == nil }
                if !missing.isEmpty { errors.add("products", "No product has the handle " + missing.prefix(5).map { "“\($0)”" }.joined(separator: ", ") + ".") }
                input.productIds = handles.compactMap { found[$0] }
            }
            if errors.isEmpty {
                let id = try withTenant(context.route) { db -> Int64 in
                    if let collectionId {
                        try CollectionAdmin.update(collectionId, input, by: actor(site, context), on: db, currencyDigits: digits)
                        return collectionId
                    }
                    return try CollectionAdmin.create(input, by: actor(site, context), on: db, currencyDigits: digits)
                }
                return site.redirect(to: context.adminURL + "/collections/\(id)",
                                     flash: .success(collectionId == nil ? "Collection created." : "Collection saved."))
            }
        } catch let validation as CatalogValidation {
            for e in validation.errors {
                if e.field.hasPrefix("rules."), let n = Int(e.field.dropFirst(6)), n < ruleRow.count {
                    errors.add("rule\(ruleRow[n])_condition", e.message)
                } else {
                    errors.add(e.field, e.message)
                }
            }
        } catch CatalogAdminError.notFound {
            throw HTTPError(.notFound, "This collection no longer exists.")
        }
        var fields: [String: Value] = [:]
        for name in ["title", "handle", "description_html", "kind", "match", "sort_order", "seo_title", "seo_description", "products"] {
            fields[name] = .string(form[name] ?? "")
        }
        fields["published"] = .bool(form["published"] == "1")
        if submitted.isEmpty || !(submitted.last!["condition"] ?? "").isEmpty {
            submitted.append(["column": "tag", "relation": "equals", "condition": ""])
        }
        fields["rules"] = ruleRows(submitted)
        let record = try collectionId.flatMap { id in try withTenant(context.route) { db in try CollectionAdmin.load(id, on: db) } }
        return try renderCollection(site, context, record: record, fields: fields, errors: errors)
    }

    func ruleRows(_ rows: [[String: String]]) -> Value {
        .array(rows.enumerated().map { i, row in
            [
                "index": .int(i), "condition": .string(row["condition"] ?? ""),
                "columns": .array(CollectionRule.Column.allCases.map {
                    ["value": .string($0.rawValue), "label": .string($0.label), "selected": .bool($0.rawValue == row["column"])]
                }),
                "relations": .array(CollectionRule.Relation.allCases.map {
                    ["value": .string($0.rawValue), "label": .string($0.label), "selected": .bool($0.rawValue == row["relation"])]
                }),
            ]
        })
    }

    func renderCollection(_ site: PlatformSite, _ context: AdminContext, record: CollectionRecord?, fields: [String: Value],
                          errors: FormErrors?) throws -> Response {
        var assigns = fields
        assigns["is_new"] = .bool(record == nil)
        assigns["action"] = .string(context.adminURL + "/collections/" + (record.map { String($0.id) } ?? "new"))
        assigns["list_url"] = .string(context.adminURL + "/collections")
        if let record {
            assigns["delete_action"] = .string(context.adminURL + "/collections/\(record.id)/delete")
            assigns["product_count"] = .int(record.productCount)
            assigns["products_url"] = .string(context.adminURL + "/products?collection=\(record.id)")
        }
        let selected = fields["sort_order"].flatMap { if case .string(let s) = $0 { return s } else { return nil } } ?? "manual"
        assigns["sort_orders"] = .array(CollectionInput.SortOrder.allCases.map {
            ["value": .string($0.rawValue), "label": .string($0.label), "selected": .bool($0.rawValue == selected)]
        })
        assigns["rule_rows"] = .int({ if case .array(let a) = fields["rules"] ?? .nil { return a.count } else { return 0 } }())
        assigns["has_errors"] = .bool(!(errors?.isEmpty ?? true))
        return try CatalogPages.render(site, context, page: "admin/collections/edit",
                                       title: record?.input.title ?? "New collection", tab: "collections", assigns: assigns,
                                       errors: errors, status: nil)
    }

    /// `POST /collections/:id/delete`.
    func deleteCollection(_ site: PlatformSite, _ context: AdminContext, collectionId: Int64) throws -> Response {
        do {
            try withTenant(context.route) { db in try CollectionAdmin.delete(collectionId, by: actor(site, context), on: db) }
            return site.redirect(to: context.adminURL + "/collections", flash: .success("Collection deleted."))
        } catch CatalogAdminError.notFound {
            return site.redirect(to: context.adminURL + "/collections", flash: .info("That collection was already deleted."))
        }
    }
}
