import Commerce
import HTTP
import Liquid

/// The store admin's Customers area (issue 7): the list (search by name or email, orders, total
/// spent, last order) and one customer's page (contact, addresses, orders, note and tags).
/// Replaces the shell's read-only list. Staff may use it (`AdminArea.customers`).
extension StorefleetApp {
    func addCustomersAdminRoutes(to router: inout SiteRouter<PlatformSite>) {
        func customers(_ site: PlatformSite, _ parameters: Parameters) throws -> AdminContext {
            let context = try AdminAccess.context(site, slug: parameters["slug"] ?? "")
            try context.require(.customers)
            return context
        }
        router.get("/store/:slug/admin/customers") { [unowned self] request, parameters, site in
            try customerList(site, try customers(site, parameters), query: request.query)
        }
        router.get("/store/:slug/admin/customers/:id") { [unowned self] _, parameters, site in
            try customerDetail(site, try customers(site, parameters), id: try Self.id(parameters))
        }
        router.post("/store/:slug/admin/customers/:id") { [unowned self] _, parameters, site in
            let context = try customers(site, parameters)
            let form = try site.verifiedForm()
            let id = try Self.id(parameters)
            do {
                try withTenant(context.route) { db in
                    try CustomerAdmin.update(id: id, note: form["note"] ?? "", tags: form["tags"] ?? "", by: actor(site, context), on: db)
                }
            } catch let refused as OrderActionError {
                if refused.code == .notFound { throw HTTPError(.notFound, refused.message) }
                var errors = FormErrors()
                errors.add(refused.field ?? "note", refused.message)
                return try customerDetail(site, context, id: id, form: form, errors: errors)
            }
            return site.redirect(to: context.adminURL + "/customers/\(id)", flash: .success("Customer saved."))
        }
    }

    /// `GET /store/:slug/admin/customers?q=&page=`.
    func customerList(_ site: PlatformSite, _ context: AdminContext, query form: FormData) throws -> Response {
        let views = OrderViews(context)
        let search = String((form["q"] ?? "").trimmingWhitespace().prefix(200))
        let offset = min(max(0, Int(form["offset"] ?? "") ?? 0), 1_000_000)
        let (page, any) = try withTenant(context.route) { db in
            (try CustomerAdmin.page(search: search, offset: offset, on: db),
             try db.queryFirst("SELECT EXISTS (SELECT 1 FROM customers) AS any")?.decode("any", as: Bool.self) ?? false)
        }
        let base = context.adminURL + "/customers"
        func link(_ offset: Int) -> String {
            var items: [String] = []
            if !search.isEmpty { items.append("q=" + FormEncoding.encode(search)) }
            if offset > 0 { items.append("offset=\(offset)") }
            return items.isEmpty ? base : base + "?" + items.joined(separator: "&")
        }
        let rows: [Value] = page.rows.map { c in
            [
                "name": .string(c.name.isEmpty ? c.email : c.name), "email": .string(c.email),
                "url": .string(base + "/\(c.id)"), "account": .bool(c.hasAccount), "marketing": .bool(c.acceptsMarketing),
                "orders": .int(c.orders), "spent": .string(views.money.string(c.spentMinor)),
                "last_order": c.lastOrderAt.map { .string(views.day($0)) } ?? .nil,
                "last_order_url": c.lastOrderNumber.map { .string(views.orderURL($0)) } ?? .nil,
                "last_order_number": c.lastOrderNumber.map { .string("#\($0)") } ?? .nil,
                "since": .string(views.day(c.createdAt)),
                "initials": .string(Self.initials(c.name.isEmpty ? c.email : c.name)),
            ]
        }
        let assigns: [String: Value] = [
            "rows": .array(rows), "matching": .int(page.matching), "has_customers": .bool(any), "q": .string(search),
            "list_url": .string(base),
            "next_url": page.nextOffset.map { .string(link($0)) } ?? .nil,
            "previous_url": offset > 0 ? .string(link(max(0, offset - 50))) : .nil,
        ]
        return try AdminPages.render(site, context, area: .customers, page: "admin/customers/list", title: "Customers", assigns: assigns)
    }

    func customerDetail(_ site: PlatformSite, _ context: AdminContext, id: Int64, form: FormData? = nil,
                        errors: FormErrors? = nil) throws -> Response {
        let views = OrderViews(context)
        guard let c = try withTenant(context.route, { db in try CustomerAdmin.load(id: id, on: db) }) else {
            throw HTTPError(.notFound, "There is no such customer in this store.")
        }
        let s = c.summary
        let assigns: [String: Value] = [
            "customer": [
                "name": .string(s.name.isEmpty ? s.email : s.name), "email": .string(s.email), "phone": .string(c.phone ?? ""),
                "account": .bool(s.hasAccount), "marketing": .bool(s.acceptsMarketing),
                "since": .string(views.day(s.createdAt)), "orders": .int(s.orders),
                "spent": .string(views.money.string(s.spentMinor)),
                "average": .string(s.orders > 0 ? views.money.string(s.spentMinor / Int64(s.orders)) : views.money.string(0)),
                "last_order": s.lastOrderAt.map { .string(views.day($0)) } ?? .nil,
                "note": .string(c.note), "tags": .string(c.tags.joined(separator: ", ")),
                "tag_list": .array(c.tags.map(Value.string)),
                "initials": .string(Self.initials(s.name.isEmpty ? s.email : s.name)),
            ],
            "addresses": .array(c.addresses.map { a, isDefault in
                ["lines": .array(a.lines.map(Value.string)), "phone": .string(a.phone), "default": .bool(isDefault)]
            }),
            "orders": .array(c.orders.map(views.row)),
            "save_url": .string(context.adminURL + "/customers/\(id)"),
            "list_url": .string(context.adminURL + "/customers"),
        ]
        return try AdminPages.render(site, context, area: .customers, page: "admin/customers/show",
                                     title: s.name.isEmpty ? s.email : s.name, assigns: assigns, form: form, errors: errors)
    }

    static func initials(_ name: String) -> String {
        let words = name.split(whereSeparator: { $0 == " " || $0 == "@" || $0 == "." }).prefix(2)
        return words.compactMap { $0.first.map { String($0).uppercased() } }.joined()
    }
}
