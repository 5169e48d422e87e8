import Foundation
import Postgres

/// An order as its buyer sees it: the status page (`/orders/<public_token>`) and the
/// confirmation email. Read in one statement for the order and one for its lines.
public struct OrderReceipt: Sendable {
    public struct Line: Sendable {
        public let title: String
        public let variantTitle: String
        public let sku: String?
        public let quantity: Int
        public let unitPriceMinor: Int64
        public let discountMinor: Int64
        public let taxMinor: Int64
        public let productHandle: String?

        public var lineTotalMinor: Int64 { unitPriceMinor * Int64(quantity) }
    }

    public let id: Int64
    public let number: Int64
    public let publicToken: String
    public let email: String
    public let currency: String
    public let status: String
    public let financialStatus: String
    public let fulfillmentStatus: String
    public let subtotalMinor: Int64
    public let discountMinor: Int64
    public let shippingMinor: Int64
    public let taxMinor: Int64
    public let totalMinor: Int64
    public let taxesIncluded: Bool
    public let discountCode: String?
    public let shippingMethodName: String?
    public let paymentMethodName: String?
    /// `bank_transfer`, `cash_on_delivery`, `stripe`, or nil when the provider is gone.
    public let paymentKind: String?
    /// The manual method's instructions to the buyer (bank details, ...), as the merchant wrote them.
    public let paymentInstructions: String
    public let shippingAddress: CheckoutAddress?
    public let billingAddress: CheckoutAddress?
    public let reservedUntil: Date?
    public let cancelReason: String?
    public let createdAt: Date
    public let lines: [Line]

    /// The order with this status-page token, or nil.
    public static func load(_ db: Connection, publicToken: String) throws -> OrderReceipt? {
        guard !publicToken.isEmpty, publicToken.count <= 64 else { return nil }
        return try decode(db, db.queryFirst("SELECT \(columns) WHERE o.public_token = \(publicToken)"))
    }

    public static func load(_ db: Connection, orderId: Int64) throws -> OrderReceipt? {
        try decode(db, db.queryFirst("SELECT \(columns) WHERE o.id = \(orderId)"))
    }

    private static let columns: Query = """
            o.id, o.number, coalesce(o.public_token, '') AS public_token, o.email, o.currency, o.status,
                   o.financial_status, o.fulfillment_status, o.subtotal_minor, o.discount_minor, o.shipping_minor,
                   o.tax_minor, o.total_minor, o.taxes_included, o.discount_code, o.shipping_method_name,
                   o.payment_method_name, pp.kind AS payment_kind, coalesce(pp.instructions, '') AS instructions,
                   o.shipping_address::text AS shipping_address, o.billing_address::text AS billing_address,
                   o.reserved_until, o.cancel_reason, o.created_at
            FROM orders o LEFT JOIN payment_providers pp ON pp.id = o.payment_provider_id
            """

    private static func decode(_ db: Connection, _ row: Row?) throws -> OrderReceipt? {
        guard let row else { return nil }
        let id: Int64 = try row.decode("id")
        let lines = try db.query("""
            SELECT i.title, i.variant_title, i.sku, i.quantity, i.unit_price_minor, i.discount_minor, i.tax_minor,
                   p.handle
            FROM order_items i LEFT JOIN products p ON p.id = i.product_id
            WHERE i.order_id = \(id) ORDER BY i.id
            """).map(Line.init(row:))
        func address(_ column: String) throws -> CheckoutAddress? {
            CheckoutAddress.from(json: try row.decode(column, as: String?.self).map(JSON.init(rawText:)))
        }
        return OrderReceipt(
            id: id, number: try row.decode("number"), publicToken: try row.decode("public_token"),
            email: try row.decode("email"), currency: try row.decode("currency"), status: try row.decode("status"),
            financialStatus: try row.decode("financial_status"), fulfillmentStatus: try row.decode("fulfillment_status"),
            subtotalMinor: try row.decode("subtotal_minor"), discountMinor: try row.decode("discount_minor"),
            shippingMinor: try row.decode("shipping_minor"), taxMinor: try row.decode("tax_minor"),
            totalMinor: try row.decode("total_minor"), taxesIncluded: try row.decode("taxes_included"),
            discountCode: try row.decode("discount_code"), shippingMethodName: try row.decode("shipping_method_name"),
            paymentMethodName: try row.decode("payment_method_name"), paymentKind: try row.decode("payment_kind"),
            paymentInstructions: try row.decode("instructions"), shippingAddress: try address("shipping_address"),
            billingAddress: try address("billing_address"), reservedUntil: try row.decode("reserved_until"),
            cancelReason: try row.decode("cancel_reason"), createdAt: try row.decode("created_at"), lines: lines)
    }
}

extension OrderReceipt.Line {
    /// A line from a row with `order_items`' columns of the same names and the product's `handle`
    /// (the receipt's read, and the placement's statement that wrote the lines).
    init(row r: Row) throws {
        self.init(title: try r.decode("title"), variantTitle: try r.decode("variant_title"), sku: try r.decode("sku"),
                  quantity: try r.decode("quantity"), unitPriceMinor: try r.decode("unit_price_minor"),
                  discountMinor: try r.decode("discount_minor"), taxMinor: try r.decode("tax_minor"),
                  productHandle: try r.decode("handle"))
    }
}
