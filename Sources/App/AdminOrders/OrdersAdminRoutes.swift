import Commerce
import HTTP
import Liquid
import Postgres

/// The store admin's Orders area (issue 7): the list (filters, search, keyset pages), one
/// order's page with its timeline, the actions (mark paid, fulfil, refund, cancel, staff note,
/// comment) and the printable packing slip. Registered after the admin shell, so
/// `/admin/orders` replaces its read-only list. Staff may use all of it (`AdminArea.orders`).
/// Every POST checks `_csrf` (403, nothing changed), writes the store's audit log and the
/// order's timeline, and answers a refused action with the page and the reason (409/422).
extension StorefleetApp {
    func addOrdersAdminRoutes(to router: inout SiteRouter<PlatformSite>) {
        func orders(_ site: PlatformSite, _ parameters: Parameters) throws -> AdminContext {
            let context = try AdminAccess.context(site, slug: parameters["slug"] ?? "")
            try context.require(.orders)
            return context
        }
        func number(_ parameters: Parameters) throws -> Int64 {
            guard let n = parameters["number"].flatMap({ Int64($0) }), n > 0 else { throw HTTPError(.notFound, "There is no such order.") }
            return n
        }
        router.get("/store/:slug/admin/orders") { [unowned self] request, parameters, site in
            try orderList(site, try orders(site, parameters), query: request.query)
        }
        router.get("/store/:slug/admin/orders/:number") { [unowned self] _, parameters, site in
            try orderDetail(site, try orders(site, parameters), number: try number(parameters))
        }
        router.get("/store/:slug/admin/orders/:number/packing-slip") { [unowned self] _, parameters, site in
            try packingSlip(site, try orders(site, parameters), number: try number(parameters))
        }
        for action in OrderAction.allCases {
            router.post("/store/:slug/admin/orders/:number/" + action.rawValue) { [unowned self] _, parameters, site in
                let context = try orders(site, parameters)
                let form = try site.verifiedForm()
                return try orderAction(action, site, context, number: try number(parameters), form: form)
            }
        }
    }

    enum OrderAction: String, CaseIterable {
        case markPaid = "mark-paid", fulfil, refund, cancel, note, comment
    }

    /// Runs one action; a refusal re-renders the order with the message next to its form.
    func orderAction(_ action: OrderAction, _ site: PlatformSite, _ context: AdminContext, number: Int64,
                     form: FormData) throws -> Response {
        let who = actor(site, context)
        let back = context.adminURL + "/orders/\(number)"
        do {
            let orderId: Int64 = try withTenant(context.route) { db in
                guard let id = try db.queryFirst("SELECT id FROM orders WHERE number = \(number)")?.decode("id", as: Int64.self) else {
                    throw HTTPError(.notFound, "There is no order #\(number) in this store.")
                }
                return id
            }
            let flash: String
            switch action {
            case .markPaid:
                try withTenant(context.route) { db in try OrderAdmin.markPaid(db, orderId: orderId, by: who) }
                flash = "Order marked as paid."
            case .cancel:
                let reason = form["reason"] ?? ""
                let changed = try withTenant(context.route) { db in try OrderAdmin.cancel(db, orderId: orderId, reason: reason, by: who) }
                flash = changed ? "Order cancelled and its items returned to stock." : "This order was already cancelled."
            case .note:
                try withTenant(context.route) { db in try OrderAdmin.setStaffNote(db, orderId: orderId, note: form["staff_note"] ?? "", by: who) }
                flash = "Note saved."
            case .comment:
                try withTenant(context.route) { db in try OrderAdmin.comment(db, orderId: orderId, text: form["comment"] ?? "", by: who) }
                flash = "Comment added."
            case .fulfil:
                flash = try fulfil(site, context, orderId: orderId, form: form, by: who)
            case .refund:
                flash = try refund(site, context, orderId: orderId, form: form, by: who)
            }
            return site.redirect(to: back, flash: .success(flash))
        } catch let refused as OrderActionError {
            if refused.code == .notFound { throw HTTPError(.notFound, refused.message) }
            var errors = FormErrors()
            errors.add("action", refused.message)
            errors.add(action.rawValue, refused.message)
            if let field = refused.field { errors.add(action.rawValue + "_" + field, refused.message) }
            // Shown at the top of the action's panel unless a field of the panel shows it.
            if refused.field == nil || refused.field!.hasPrefix("qty_") || refused.field == "items" {
                errors.add(action.rawValue + "_message", refused.message)
            }
            return try orderDetail(site, context, number: number, form: form, errors: errors,
                                   status: refused.code == .notAllowed ? .conflict : .unprocessableContent)
        }
    }

    /// `qty_<order item id>` fields as quantities; a field that is not a whole number is refused.
    static func lineQuantities(_ form: FormData) throws -> [Int64: Int] {
        var quantities: [Int64: Int] = [:]
        for field in form.fields where field.name.hasPrefix("qty_") {
            guard let id = Int64(field.name.dropFirst(4)) else { continue }
            let text = field.value.trimmingWhitespace()
            if text.isEmpty { continue }
            guard let q = Int(text), q >= 0, q <= 100_000 else {
                throw OrderActionError(.invalid, "Enter whole numbers of items, zero or more.", field: field.name)
            }
            quantities[id] = q
        }
        return quantities
    }

    func fulfil(_ site: PlatformSite, _ context: AdminContext, orderId: Int64, form: FormData, by who: CatalogActor) throws -> String {
        let input = FulfillmentInput(quantities: try Self.lineQuantities(form), carrier: form["carrier"] ?? "",
                                     trackingNumber: form["tracking_number"] ?? "", trackingURL: form["tracking_url"] ?? "")
        let result = try withTenant(context.route) { db in try OrderFulfillment.fulfil(db, orderId: orderId, input, by: who) }
        var message = result.fulfillmentStatus == "fulfilled" ? "Order fulfilled." : "Items fulfilled."
        if form["notify"] == "1" {
            do {
                let to = try ShippingMail(app: self, site: site, context: context).send(orderId: orderId, result, actor: who)
                message += " Shipping confirmation sent to \(to)."
            } catch {
                logError(error, request: site.request)
                message += " The shipping confirmation could not be sent; the fulfilment is saved."
            }
        }
        return message
    }

    func refund(_ site: PlatformSite, _ context: AdminContext, orderId: Int64, form: FormData, by who: CatalogActor) throws -> String {
        var input = RefundInput()
        input.full = form["full"] == "1"
        input.quantities = try Self.lineQuantities(form)
        input.restock = form["restock"] == "1"
        input.reason = form["reason"] ?? ""
        let amountText = (form["amount"] ?? "").trimmingWhitespace()
        if !input.full && !amountText.isEmpty {
            let digits = CatalogText.minorDigits(currency: context.route.currency)
            guard let minor = CatalogText.minorUnits(amountText, digits: digits), minor > 0 else {
                throw OrderActionError(.invalid, "Enter the amount to refund, like 12.50.", field: "amount")
            }
            input.amountMinor = minor
        }
        let route = context.route
        let result = try withTenant(route) { db in
            try OrderRefunds.refund(db, orderId: orderId, input, gateway: { kind in
                try self.refundGateway(forProvider: kind, store: route)
            }, by: who)
        }
        let amount = AdminMoney(currency: route.currency).string(result.amountMinor)
        var message = "Refunded \(amount)."
        if result.restockedUnits > 0 { message += " \(result.restockedUnits) \(result.restockedUnits == 1 ? "item" : "items") back in stock." }
        if form["notify"] == "1" {
            do {
                let to = try RefundMail(app: self, site: site, context: context).send(orderId: orderId, result, reason: input.reason, actor: who)
                message += " Refund email sent to \(to)."
            } catch {
                logError(error, request: site.request)
                message += " The refund email could not be sent; the refund is saved."
            }
        }
        return message
    }
}
