import Commerce
import Foundation
import HTTP
import Liquid
import Postgres

extension StorefleetApp {
    /// `GET /store/:slug/admin/products?q=&status=&type=&vendor=&collection=&stock=&sort=&after=&before=`.
    /// A malformed cursor shows the first page rather than an error.
    func productList(_ site: PlatformSite, _ context: AdminContext, query form: FormData) throws -> Response {
        var query = AdminProductQuery()
        query.search = String((form["q"] ?? "").trimmingWhitespace().prefix(200))
        query.status = form["status"].flatMap(ProductStatus.init(rawValue:))
        query.productType = form["type"].flatMap { $0.isEmpty ? nil : $0 }
        query.vendor = form["vendor"].flatMap { $0.isEmpty ? nil : $0 }
        query.collectionId = form["collection"].flatMap { Int64($0) }
        query.stock = form["stock"].flatMap(AdminProductQuery.Stock.init(rawValue:))
        query.sort = form["sort"].flatMap(AdminProductSort.init(rawValue:)) ?? .updated
        query.after = form["after"].flatMap(AdminProductCursor.init(token:))
        query.before = query.after == nil ? form["before"].flatMap(AdminProductCursor.init(token:)) : nil
        if let cursor = query.after ?? query.before, cursor.sort != query.sort { query.after = nil; query.before = nil }

        let digits = CatalogText.minorDigits(currency: context.route.currency)
        let money = AdminMoney(currency: context.route.currency)
        let (page, choices, collections, any) = try withTenant(context.route) { db in
            (try AdminProductList.page(query, on: db), try AdminProductList.filterChoices(on: db),
             try db.query("SELECT id, title FROM collections ORDER BY title, id LIMIT 500"),
             try db.queryFirst("SELECT EXISTS (SELECT 1 FROM products) AS any")?.decode("any", as: Bool.self) ?? false)
        }
        _ = digits

        // The list's own address with one parameter changed (for pages and sorts).
        func link(_ changes: [String: String?]) -> String {
            var items: [(String, String)] = []
            let current: [String: String?] = [
                "q": query.search.isEmpty ? nil : query.search, "status": query.status?.rawValue, "type": query.productType,
                "vendor": query.vendor, "collection": query.collectionId.map(String.init), "stock": query.stock?.rawValue,
                "sort": query.sort == .updated ? nil : query.sort.rawValue,
            ]
            for key in ["q", "status", "type", "vendor", "collection", "stock", "sort", "after", "before"] {
                let value = changes.keys.contains(key) ? changes[key]! : current[key] ?? nil
                if let value, !value.isEmpty { items.append((key, value)) }
            }
            let base = context.adminURL + "/products"
            return items.isEmpty ? base : base + "?" + items.map { "\($0.0)=\(FormEncoding.encode($0.1))" }.joined(separator: "&")
        }

        let rows: [Value] = page.rows.map { row in
            let price: String
            if let low = row.minPriceMinor, let high = row.maxPriceMinor {
                price = low == high ? money.string(low) : money.string(low) + " – " + money.string(high)
            } else {
                price = "—"
            }
            return [
                "id": .int(Int(row.id)), "title": .string(row.title), "handle": .string(row.handle),
                "url": .string(context.adminURL + "/products/\(row.id)"),
                "status": .string(row.status.rawValue), "status_title": .string(row.status.rawValue.capitalized),
                "status_badge": .string(row.status == .active ? "ok" : row.status == .draft ? "plain" : "warn"),
                "vendor": .string(row.vendor), "type": .string(row.productType),
                "variants": .int(row.variantCount), "inventory": .int(Int(row.inventoryTotal)), "available": .bool(row.available),
                "price": .string(price),
            ]
        }
        func options(_ values: [String], selected: String?) -> Value {
            .array(values.map { ["value": .string($0), "label": .string($0), "selected": .bool($0 == selected)] })
        }
        let assigns: [String: Value] = [
            "rows": .array(rows),
            "has_products": .bool(any),
            "filtered": .bool(!query.search.isEmpty || query.status != nil || query.productType != nil || query.vendor != nil
                              || query.collectionId != nil || query.stock != nil),
            "q": .string(query.search),
            "statuses": .array(ProductStatus.allCases.map {
                ["value": .string($0.rawValue), "label": .string($0.rawValue.capitalized), "selected": .bool($0 == query.status)]
            }),
            "vendors": options(choices.vendors, selected: query.vendor),
            "types": options(choices.productTypes, selected: query.productType),
            "collections": .array(try collections.map { row in
                let id: Int64 = try row.decode("id")
                return ["value": .string(String(id)), "label": .string(try row.decode("title")),
                        "selected": .bool(id == query.collectionId)]
            }),
            "stocks": .array([("in_stock", "In stock"), ("out_of_stock", "Sold out")].map { value, label in
                ["value": .string(value), "label": .string(label), "selected": .bool(value == query.stock?.rawValue)]
            }),
            "sorts": .array(AdminProductSort.allCases.map {
                ["value": .string($0.rawValue), "label": .string($0.label), "selected": .bool($0 == query.sort)]
            }),
            "next_url": page.next.map { .string(link(["after": $0.token, "before": nil])) } ?? .nil,
            "previous_url": page.previous.map { .string(link(["before": $0.token, "after": nil])) } ?? .nil,
            "return_to": .string(link([:])),
            "new_url": .string(context.adminURL + "/products/new"),
            "export_url": .string(context.adminURL + "/products/export.csv"),
            "import_url": .string(context.adminURL + "/products/import"),
            "bulk_action": .string(context.adminURL + "/products/bulk"),
            "list_url": .string(context.adminURL + "/products"),
            "currency": .string(context.route.currency),
        ]
        return try CatalogPages.render(site, context, page: "admin/products/list", title: "Products", tab: "products",
                                       assigns: assigns)
    }

    /// `POST /store/:slug/admin/products/bulk` (`action`, `ids` repeated, `price`, `quantity`,
    /// `return_to`): all checked products in one transaction, then back to the same list page.
    func productBulk(_ site: PlatformSite, _ context: AdminContext, form: FormData) throws -> Response {
        let back = form["return_to"].flatMap { $0.hasPrefix(context.adminURL + "/products") ? $0 : nil }
            ?? context.adminURL + "/products"
        let ids = form.all("ids").compactMap { Int64($0) }
        let digits = CatalogText.minorDigits(currency: context.route.currency)
        let action: ProductBulkAction
        switch form["action"] ?? "" {
        case "publish": action = .publish
        case "archive": action = .archive
        case "draft": action = .setDraft
        case "delete": action = .delete
        case "set_price":
            guard let minor = CatalogText.minorUnits(form["price"] ?? "", digits: digits) else {
                return site.redirect(to: back, flash: .error("Enter the new price as an amount, like 19.99."))
            }
            action = .setPrice(minor: minor)
        case "set_stock":
            guard let quantity = Int((form["quantity"] ?? "").trimmingWhitespace()), quantity >= 0 else {
                return site.redirect(to: back, flash: .error("Enter the new stock as a whole number of zero or more."))
            }
            action = .setStock(quantity)
        default:
            return site.redirect(to: back, flash: .error("Choose what to do with the selected products."))
        }
        do {
            let changed = try withTenant(context.route) { db in
                try ProductAdmin.bulk(action, ids: ids, by: actor(site, context), on: db)
            }
            let noun = changed == 1 ? "product" : "products"
            let done: String
            switch action {
            case .publish: done = "\(changed) \(noun) published."
            case .archive: done = "\(changed) \(noun) archived."
            case .setDraft: done = "\(changed) \(noun) set to draft."
            case .delete: done = "\(changed) \(noun) deleted."
            case .setPrice: done = "Price set on \(changed) \(noun)."
            case .setStock: done = "Stock set on \(changed) \(noun)."
            }
            return site.redirect(to: back, flash: .success(done))
        } catch let validation as CatalogValidation {
            return site.redirect(to: back, flash: .error(validation.errors.first?.message ?? "Nothing was changed."))
        }
    }

    /// Who is acting, for the store's audit log.
    func actor(_ site: PlatformSite, _ context: AdminContext) -> CatalogActor {
        CatalogActor(kind: "user", id: String(context.session.userId), label: context.session.userEmail,
                     requestId: site.request.requestId, ipAddress: site.remoteAddress.isEmpty ? nil : site.remoteAddress)
    }
}
