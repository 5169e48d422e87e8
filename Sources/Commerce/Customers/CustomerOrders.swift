import Foundation
import Postgres

/// One order in a customer's history.
public struct CustomerOrderSummary: Sendable {
    public let id: Int64
    public let number: Int64
    public let createdAt: Date
    public let status: String
    public let financialStatus: String
    public let fulfillmentStatus: String
    public let currency: String
    public let totalMinor: Int64
    public let itemCount: Int

    static let columns: Query = """
        o.id, o.number, o.created_at, o.status, o.financial_status, o.fulfillment_status, o.currency, o.total_minor,
        (SELECT coalesce(sum(quantity), 0)::bigint FROM order_items i WHERE i.order_id = o.id) AS item_count
        """

    init(_ row: Row) throws {
        id = try row.decode("id")
        number = try row.decode("number")
        createdAt = try row.decode("created_at")
        status = try row.decode("status")
        financialStatus = try row.decode("financial_status")
        fulfillmentStatus = try row.decode("fulfillment_status")
        currency = try row.decode("currency")
        totalMinor = try row.decode("total_minor")
        itemCount = Int(try row.decode("item_count", as: Int64.self))
    }
}

/// An order as its detail page shows it to the customer who placed it.
public struct CustomerOrderDetail: Sendable {
    public struct Line: Sendable {
        public let productId: Int64?
        public let title: String
        public let variantTitle: String
        public let sku: String?
        public let quantity: Int
        public let unitPriceMinor: Int64
        public let discountMinor: Int64
        /// The product's handle while it is for sale (for "Write a review"), else nil.
        public let handle: String?
        public var totalMinor: Int64 { unitPriceMinor * Int64(quantity) - discountMinor }
    }

    public struct Shipment: Sendable {
        public let carrier: String
        public let trackingNumber: String?
        public let trackingURL: String?
        public let status: String
        public let shippedAt: Date
    }

    public let summary: CustomerOrderSummary
    public let subtotalMinor: Int64
    public let discountMinor: Int64
    public let shippingMinor: Int64
    public let taxMinor: Int64
    public let taxesIncluded: Bool
    public let refundedMinor: Int64
    public let shippingMethod: String?
    /// The address as checkout stored it (`orders.shipping_address`, JSON text), if any.
    public let shippingAddressJSON: String?
    public let lines: [Line]
    public let shipments: [Shipment]
}

/// A customer's orders: theirs by `customer_id`, and guest orders placed with their address
/// (an account's address is proven: only a mailed link sets its password).
public enum CustomerOrders {
    static func owned(_ customer: CustomerAccount) -> Query {
        "(o.customer_id = \(customer.id) OR (o.customer_id IS NULL AND lower(o.email) = lower(\(customer.email))))"
    }

    /// Newest first.
    public static func list(_ db: Connection, customer: CustomerAccount, limit: Int = 50) throws -> [CustomerOrderSummary] {
        try db.query("""
            SELECT \(CustomerOrderSummary.columns) FROM orders o
            WHERE \(owned(customer)) ORDER BY o.created_at DESC, o.id DESC LIMIT \(limit)
            """).map(CustomerOrderSummary.init)
    }

    /// The order with `number` if it is this customer's, else nil (someone else's looks unknown).
    public static func detail(_ db: Connection, customer: CustomerAccount, number: Int64) throws -> CustomerOrderDetail? {
        guard let row = try db.queryFirst("""
            SELECT \(CustomerOrderSummary.columns), o.subtotal_minor, o.discount_minor, o.shipping_minor, o.tax_minor,
                   o.taxes_included, o.refunded_minor, o.shipping_method_name, o.shipping_address::text AS shipping_address
            FROM orders o WHERE o.number = \(number) AND \(owned(customer))
            """) else { return nil }
        let summary = try CustomerOrderSummary(row)
        let lines = try db.query("""
            SELECT i.product_id, i.title, i.variant_title, i.sku, i.quantity, i.unit_price_minor, i.discount_minor, p.handle
            FROM order_items i LEFT JOIN products p ON p.id = i.product_id AND p.status = 'active'
            WHERE i.order_id = \(summary.id) ORDER BY i.id
            """).map { r in
            CustomerOrderDetail.Line(productId: try r.decode("product_id"), title: try r.decode("title"),
                                     variantTitle: try r.decode("variant_title"), sku: try r.decode("sku"),
                                     quantity: Int(try r.decode("quantity", as: Int32.self)),
                                     unitPriceMinor: try r.decode("unit_price_minor"), discountMinor: try r.decode("discount_minor"),
                                     handle: try r.decode("handle"))
        }
        let shipments = try db.query("""
            SELECT carrier, tracking_number, tracking_url, status, shipped_at FROM shipments
            WHERE order_id = \(summary.id) ORDER BY shipped_at, id
            """).map { r in
            CustomerOrderDetail.Shipment(carrier: try r.decode("carrier"), trackingNumber: try r.decode("tracking_number"),
                                         trackingURL: try r.decode("tracking_url"), status: try r.decode("status"),
                                         shippedAt: try r.decode("shipped_at"))
        }
        return CustomerOrderDetail(summary: summary, subtotalMinor: try row.decode("subtotal_minor"),
                                   discountMinor: try row.decode("discount_minor"), shippingMinor: try row.decode("shipping_minor"),
                                   taxMinor: try row.decode("tax_minor"), taxesIncluded: try row.decode("taxes_included"),
                                   refundedMinor: try row.decode("refunded_minor"), shippingMethod: try row.decode("shipping_method_name"),
                                   shippingAddressJSON: try row.decode("shipping_address"), lines: lines, shipments: shipments)
    }
}
