import Foundation
import Commerce
import Liquid
import Postgres

/// The order confirmation to the buyer (`templates/email/order_confirmation.{txt,html}.liquid`),
/// queued as a `mail.send` job once the order's transaction has committed. It carries what the
/// status page shows: number, lines, sums, address, how to pay (manual methods) and the link.
/// Its timeline entry (`timelineMessage`) is written with the order itself.
struct OrderConfirmationMail {
    let site: StoreSite

    static func timelineMessage(to email: String) -> String { "Order confirmation sent to \(email)." }

    func send(_ order: OrderReceipt) throws {
        let baseURL = StoreURLs.baseURL(site, request: site.request)
        let subject = "Order #\(order.number) confirmed – \(site.route.name)"
        var data = OrderReceiptView(order).mailData
        data["store_name"] = .string(site.route.name)
        data["store_url"] = .string(baseURL)
        data["status_url"] = .string(baseURL + "/orders/" + order.publicToken)
        data["subject"] = .string(subject)
        let root = site.config.templateDirectory
        let reload = site.config.developmentMode
        let text = try OrderMailTemplates.shared.template(root: root, name: "email/order_confirmation.txt", autoescape: false,
                                                          reload: reload).render(data, options: RenderOptions())
        let html = try OrderMailTemplates.shared.template(root: root, name: "email/order_confirmation.html", autoescape: true,
                                                          reload: reload).render(data, options: RenderOptions())
        let name = order.shippingAddress?.name ?? ""
        let mail = OutgoingMail(to: order.email, toName: name.isEmpty ? nil : name, subject: subject, text: text, html: html,
                                kind: "order_confirmation")
        try MailJob.enqueue(try site.app.registry().registryConnection, keyring: site.keyring, mail)
    }
}

/// The confirmation's two templates, parsed once per worker: unlike the account mails, one goes
/// out with every order, so reading and parsing them each time showed in the checkout benchmark.
/// In development mode they are read again each time, as themes are.
final class OrderMailTemplates: @unchecked Sendable {   // the lock guards `parsed`
    static let shared = OrderMailTemplates()
    private let lock = NSLock()
    private var parsed: [String: Template] = [:]

    func template(root: String, name: String, autoescape: Bool, reload: Bool) throws -> Template {
        let key = root + "\u{0}" + name
        if !reload, let known = lock.withLock({ parsed[key] }) { return known }
        let folder = TemplateFolder(root: root) { [$0 + ".liquid"] }
        let template = try folder.require(name, environment: Environment(autoescape: autoescape, loader: folder))
        lock.withLock { parsed[key] = template }
        return template
    }
}

/// An order for templates: the status page (money in minor units for the `money` filter) and
/// the email (money already formatted, as mail templates have no store money format).
struct OrderReceiptView {
    let order: OrderReceipt

    init(_ order: OrderReceipt) { self.order = order }

    /// "paid", "pending", "processing" (a card payment not confirmed yet), "cancelled", "refunded".
    var state: String {
        if order.status == "cancelled" { return "cancelled" }
        switch order.financialStatus {
        case "paid", "partially_refunded": return "paid"
        case "refunded": return "refunded"
        default: return order.paymentKind == "stripe" ? "processing" : "pending"
        }
    }

    var pageData: Value {
        [
            "number": .int(Int(order.number)),
            "name": .string("#\(order.number)"),
            "email": .string(order.email),
            "state": .string(state),
            "fulfillment_status": .string(order.fulfillmentStatus),
            "cancel_reason": order.cancelReason.map { .string(OrderCancellation.label($0)) } ?? .nil,
            "items": .array(order.lines.map { line in
                ["title": .string(line.title), "variant_title": line.variantTitle.isEmpty ? .nil : .string(line.variantTitle),
                 "quantity": .int(line.quantity), "price": .int(Int(line.unitPriceMinor)),
                 "line_price": .int(Int(line.lineTotalMinor)),
                 "url": line.productHandle.map { .string("/products/" + StoreURLs.encode($0)) } ?? .nil]
            }),
            "subtotal": .int(Int(order.subtotalMinor)),
            "discount": .int(Int(order.discountMinor)),
            "discount_code": order.discountCode.map { .string($0) } ?? .nil,
            "shipping": .int(Int(order.shippingMinor)),
            "tax": .int(Int(order.taxMinor)),
            "taxes_included": .bool(order.taxesIncluded),
            "total": .int(Int(order.totalMinor)),
            "shipping_method": order.shippingMethodName.map { .string($0) } ?? .nil,
            "payment_method": order.paymentMethodName.map { .string($0) } ?? .nil,
            "payment_kind": order.paymentKind.map { .string($0) } ?? .nil,
            "payment_instructions": .string(order.paymentKind == "stripe" ? "" : order.paymentInstructions),
            "shipping_address": order.shippingAddress.map { .array($0.lines.map { .string($0) }) } ?? .nil,
            "pay_url": .string("/checkout/pay/" + order.publicToken),
        ]
    }

    var mailData: [String: Value] {
        let money = { (minor: Int64) -> Value in .string(CartMoney.format(minor, currency: self.order.currency)) }
        return [
            "number": .int(Int(order.number)),
            "state": .string(state),
            "customer_name": .string(order.shippingAddress?.firstName ?? ""),
            "items": .array(order.lines.map { line in
                ["title": .string(line.title), "variant_title": .string(line.variantTitle),
                 "quantity": .int(line.quantity), "line_price": money(line.lineTotalMinor)]
            }),
            "subtotal": money(order.subtotalMinor),
            "has_discount": .bool(order.discountMinor > 0),
            "discount": money(order.discountMinor),
            "discount_code": .string(order.discountCode ?? ""),
            "shipping": money(order.shippingMinor),
            "shipping_method": .string(order.shippingMethodName ?? ""),
            "has_tax": .bool(order.taxMinor > 0),
            "tax": money(order.taxMinor),
            "taxes_included": .bool(order.taxesIncluded),
            "total": money(order.totalMinor),
            "payment_method": .string(order.paymentMethodName ?? ""),
            "payment_kind": .string(order.paymentKind ?? ""),
            "payment_instructions": .string(order.paymentKind == "stripe" ? "" : order.paymentInstructions),
            "shipping_address": .array((order.shippingAddress?.lines ?? []).map { .string($0) }),
        ]
    }
}
