import Commerce
import Liquid
import Postgres

/// The shipping confirmation a customer gets when the merchant fulfils items: what shipped, the
/// carrier and tracking link, where it goes. `templates/email/shipping_confirmation.{txt,html}.liquid`,
/// queued as a `mail.send` job (kind `shipping_confirmation`) after the fulfilment committed; the
/// timeline then says the mail went out.
struct ShippingMail {
    let app: StorefleetApp
    let site: PlatformSite
    let context: AdminContext

    /// Queues the mail; returns the address it goes to.
    func send(orderId: Int64, _ result: FulfillmentResult, actor: CatalogActor) throws -> String {
        let route = context.route
        let (row, settings) = try app.withTenant(route) { db in
            (try db.queryFirst("""
                SELECT o.number, o.email, o.shipping_address, to_jsonb(o)->>'public_token' AS token,
                       coalesce(nullif(btrim(c.first_name), ''), o.shipping_address->>'first_name', '') AS first_name
                FROM orders o LEFT JOIN customers c ON c.id = o.customer_id WHERE o.id = \(orderId)
                """), try db.queryFirst("SELECT name, contact_email FROM store_settings LIMIT 1"))
        }
        guard let row else { throw OrderActionError.notFound }
        let number: Int64 = try row.decode("number")
        let email: String = try row.decode("email")
        let storeName = (try settings?.decode("name", as: String.self)).flatMap { $0.isEmpty ? nil : $0 } ?? context.store.name
        let storefront = AdminPages.storefrontURL(site, context)
        let token: String? = try row.decode("token")
        let address = OrderAddress.decode(try row.decode("shipping_address"))
        let subject = "Your \(storeName) order #\(number) is on its way"
        let data: [String: Value] = [
            "subject": .string(subject), "store_name": .string(storeName), "store_url": .string(storefront),
            "store_email": .string((try settings?.decode("contact_email", as: String.self)) ?? ""),
            "order_number": .string("#\(number)"), "customer_first_name": .string(try row.decode("first_name")),
            "carrier": .string(result.carrier), "tracking_number": .string(result.trackingNumber ?? ""),
            "tracking_url": .string(result.trackingURL ?? ""),
            "complete": .bool(result.fulfillmentStatus == "fulfilled"),
            "lines": .array(result.lines.map {
                ["title": .string($0.title), "variant_title": .string($0.variantTitle), "quantity": .int($0.quantity)]
            }),
            "ship_to": .array((address?.lines ?? []).map(Value.string)),
            "status_url": token.map { .string(storefront + "/orders/" + $0) } ?? .nil,
        ]
        let root = site.config.templateDirectory
        let text = try AccountMail.render(root: root, name: "email/shipping_confirmation.txt", autoescape: false, data: data)
        let html = try AccountMail.render(root: root, name: "email/shipping_confirmation.html", autoescape: true, data: data)
        let mail = OutgoingMail(to: email, toName: nil, subject: subject, text: text, html: html, kind: "shipping_confirmation")
        try MailJob.enqueue(try site.registry(), keyring: site.keyring, mail)
        try app.withTenant(route) { db in
            try OrderEvents.add(db, orderId: orderId, kind: "email", message: "Shipping confirmation email sent to \(email).",
                                details: try JSON(encoding: ["shipment_id": result.shipmentId]), actor: actor.kind + ":" + (actor.id ?? ""))
        }
        return email
    }
}

/// The refund notice a customer gets when the merchant refunds and leaves "email the customer"
/// ticked: the amount, the reason, how the money comes back.
/// `templates/email/refund_notification.{txt,html}.liquid`, kind `refund_notification`.
struct RefundMail {
    let app: StorefleetApp
    let site: PlatformSite
    let context: AdminContext

    func send(orderId: Int64, _ result: RefundResult, reason: String, actor: CatalogActor) throws -> String {
        let route = context.route
        let (row, settings) = try app.withTenant(route) { db in
            (try db.queryFirst("""
                SELECT o.number, o.email, o.refunded_minor, o.total_minor, coalesce(o.payment_method_name, '') AS method,
                       to_jsonb(o)->>'public_token' AS token,
                       coalesce(nullif(btrim(c.first_name), ''), o.shipping_address->>'first_name', '') AS first_name
                FROM orders o LEFT JOIN customers c ON c.id = o.customer_id WHERE o.id = \(orderId)
                """), try db.queryFirst("SELECT name, contact_email FROM store_settings LIMIT 1"))
        }
        guard let row else { throw OrderActionError.notFound }
        let money = AdminMoney(currency: route.currency)
        let number: Int64 = try row.decode("number")
        let email: String = try row.decode("email")
        let storeName = (try settings?.decode("name", as: String.self)).flatMap { $0.isEmpty ? nil : $0 } ?? context.store.name
        let storefront = AdminPages.storefrontURL(site, context)
        let token: String? = try row.decode("token")
        let subject = "A refund of \(money.string(result.amountMinor)) for your \(storeName) order #\(number)"
        let data: [String: Value] = [
            "subject": .string(subject), "store_name": .string(storeName), "store_url": .string(storefront),
            "store_email": .string((try settings?.decode("contact_email", as: String.self)) ?? ""),
            "order_number": .string("#\(number)"), "customer_first_name": .string(try row.decode("first_name")),
            "amount": .string(money.string(result.amountMinor)), "reason": .string(reason.trimmingWhitespace()),
            "refunded_total": .string(money.string(try row.decode("refunded_minor"))),
            "full": .bool(result.financialStatus == "refunded"),
            "card": .bool(result.providerReference != nil), "method": .string(try row.decode("method")),
            "status_url": token.map { .string(storefront + "/orders/" + $0) } ?? .nil,
        ]
        let root = site.config.templateDirectory
        let text = try AccountMail.render(root: root, name: "email/refund_notification.txt", autoescape: false, data: data)
        let html = try AccountMail.render(root: root, name: "email/refund_notification.html", autoescape: true, data: data)
        try MailJob.enqueue(try site.registry(), keyring: site.keyring,
                            OutgoingMail(to: email, toName: nil, subject: subject, text: text, html: html, kind: "refund_notification"))
        try app.withTenant(route) { db in
            try OrderEvents.add(db, orderId: orderId, kind: "email", message: "Refund email sent to \(email).",
                                details: try JSON(encoding: ["refund_id": result.refundId]), actor: actor.kind + ":" + (actor.id ?? ""))
        }
        return email
    }
}
