import Foundation
import Postgres

/// One order as the admin shows it: the row, its lines, payments, refunds, shipments and timeline.
public struct OrderRecord: Sendable {
    public struct Item: Sendable {
        public let id: Int64
        public let productId: Int64?
        public let variantId: Int64?
        public let title: String
        public let variantTitle: String
        public let sku: String?
        public let quantity: Int
        public let unitPriceMinor: Int64
        public let discountMinor: Int64
        public let taxMinor: Int64
        public let requiresShipping: Bool
        public let fulfilledQuantity: Int
        public let refundedQuantity: Int

        /// Units still to ship: refunded units come out of the unshipped ones first.
        public var unfulfilledQuantity: Int { max(0, quantity - fulfilledQuantity - refundedQuantity) }
        /// Units that can still be refunded.
        public var refundableQuantity: Int { quantity - refundedQuantity }
        /// Price × quantity less the line's discount.
        public var lineTotalMinor: Int64 { unitPriceMinor * Int64(quantity) - discountMinor }
    }

    public struct Payment: Sendable {
        public let id: Int64
        public let providerKind: String
        public let reference: String?
        public let amountMinor: Int64
        public let status: String
        public let createdAt: Date
    }

    public struct Refund: Sendable {
        public let id: Int64
        public let amountMinor: Int64
        public let reason: String
        public let status: String
        public let restock: Bool
        public let reference: String?
        public let createdAt: Date
    }

    public struct Shipment: Sendable {
        public let id: Int64
        public let carrier: String
        public let trackingNumber: String?
        public let trackingURL: String?
        public let status: String
        public let shippedAt: Date
        /// (order item id, title, quantity)
        public let items: [(itemId: Int64, title: String, quantity: Int)]
    }

    public struct Event: Sendable {
        public let id: Int64
        public let kind: String
        public let message: String
        public let actor: String
        public let createdAt: Date
    }

    public let id: Int64
    public let number: Int64
    public let email: String
    public let customerId: Int64?
    public let currency: String
    public let subtotalMinor: Int64
    public let discountMinor: Int64
    public let shippingMinor: Int64
    public let taxMinor: Int64
    public let totalMinor: Int64
    public let taxesIncluded: Bool
    public let refundedMinor: Int64
    public let discountCode: String?
    public let status: String
    public let financialStatus: String
    public let fulfillmentStatus: String
    public let paymentMethodName: String?
    public let shippingMethodName: String?
    public let shippingAddress: OrderAddress?
    public let billingAddress: OrderAddress?
    public let customerNote: String
    public let staffNote: String
    public let cancelReason: String?
    public let createdAt: Date
    public let paidAt: Date?
    public let cancelledAt: Date?
    public var items: [Item] = []
    public var payments: [Payment] = []
    public var refunds: [Refund] = []
    public var shipments: [Shipment] = []
    public var events: [Event] = []

    public var isCancelled: Bool { status == "cancelled" }
    /// Money taken: the succeeded payments, or the total when the order is marked paid without a
    /// payment row (orders imported or created before payments were recorded).
    public var paidMinor: Int64 {
        OrderMoney.paid(succeededPayments: payments.filter { $0.status == "succeeded" }.reduce(0) { $0 + $1.amountMinor },
                        financialStatus: financialStatus, totalMinor: totalMinor)
    }
    /// What can still be refunded.
    public var refundableMinor: Int64 { max(0, min(paidMinor, totalMinor) - refundedMinor) }
    /// What the store keeps: paid less refunded.
    public var netMinor: Int64 { paidMinor - refundedMinor }
    public var unfulfilledQuantity: Int { items.reduce(0) { $0 + $1.unfulfilledQuantity } }
}

/// The money rules shared by the detail page, refunds and the customers' totals.
public enum OrderMoney {
    public static let paidStatuses = ["paid", "partially_refunded", "refunded"]

    public static func paid(succeededPayments: Int64, financialStatus: String, totalMinor: Int64) -> Int64 {
        if succeededPayments > 0 { return succeededPayments }
        return paidStatuses.contains(financialStatus) ? totalMinor : 0
    }
}

extension OrderRecord {
    /// The order with number `number`, or nil.
    public static func load(number: Int64, on db: Connection) throws -> OrderRecord? {
        guard let id = try db.queryFirst("SELECT id FROM orders WHERE number = \(number)")?.decode("id", as: Int64.self) else {
            return nil
        }
        return try load(id: id, on: db)
    }

    public static func load(id: Int64, on db: Connection) throws -> OrderRecord? {
        guard let r = try db.queryFirst("""
            SELECT id, number, email, customer_id, currency, subtotal_minor, discount_minor, shipping_minor, tax_minor,
                   total_minor, taxes_included, refunded_minor, discount_code, status, financial_status,
                   fulfillment_status, payment_method_name, shipping_method_name, shipping_address, billing_address,
                   customer_note, staff_note, cancel_reason, created_at, paid_at, cancelled_at
            FROM orders WHERE id = \(id)
            """) else { return nil }
        var order = OrderRecord(
            id: try r.decode("id"), number: try r.decode("number"), email: try r.decode("email"),
            customerId: try r.decode("customer_id"), currency: try r.decode("currency"),
            subtotalMinor: try r.decode("subtotal_minor"), discountMinor: try r.decode("discount_minor"),
            shippingMinor: try r.decode("shipping_minor"), taxMinor: try r.decode("tax_minor"),
            totalMinor: try r.decode("total_minor"), taxesIncluded: try r.decode("taxes_included"),
            refundedMinor: try r.decode("refunded_minor"), discountCode: try r.decode("discount_code"),
            status: try r.decode("status"), financialStatus: try r.decode("financial_status"),
            fulfillmentStatus: try r.decode("fulfillment_status"), paymentMethodName: try r.decode("payment_method_name"),
            shippingMethodName: try r.decode("shipping_method_name"),
            shippingAddress: OrderAddress.decode(try r.decode("shipping_address")),
            billingAddress: OrderAddress.decode(try r.decode("billing_address")),
            customerNote: try r.decode("customer_note"), staffNote: try r.decode("staff_note"),
            cancelReason: try r.decode("cancel_reason"), createdAt: try r.decode("created_at"),
            paidAt: try r.decode("paid_at"), cancelledAt: try r.decode("cancelled_at"))
        order.items = try db.query("""
            SELECT id, product_id, variant_id, title, variant_title, sku, quantity, unit_price_minor, discount_minor,
                   tax_minor, requires_shipping, fulfilled_quantity, refunded_quantity
            FROM order_items WHERE order_id = \(id) ORDER BY id
            """).map { i in
            Item(id: try i.decode("id"), productId: try i.decode("product_id"), variantId: try i.decode("variant_id"),
                 title: try i.decode("title"), variantTitle: try i.decode("variant_title"), sku: try i.decode("sku"),
                 quantity: Int(try i.decode("quantity", as: Int32.self)), unitPriceMinor: try i.decode("unit_price_minor"),
                 discountMinor: try i.decode("discount_minor"), taxMinor: try i.decode("tax_minor"),
                 requiresShipping: try i.decode("requires_shipping"),
                 fulfilledQuantity: Int(try i.decode("fulfilled_quantity", as: Int32.self)),
                 refundedQuantity: Int(try i.decode("refunded_quantity", as: Int32.self)))
        }
        order.payments = try db.query("""
            SELECT id, provider_kind, provider_reference, amount_minor, status, created_at
            FROM payments WHERE order_id = \(id) ORDER BY created_at, id
            """).map { p in
            Payment(id: try p.decode("id"), providerKind: try p.decode("provider_kind"), reference: try p.decode("provider_reference"),
                    amountMinor: try p.decode("amount_minor"), status: try p.decode("status"), createdAt: try p.decode("created_at"))
        }
        order.refunds = try db.query("""
            SELECT id, amount_minor, reason, status, restock, provider_reference, created_at
            FROM refunds WHERE order_id = \(id) ORDER BY created_at, id
            """).map { f in
            Refund(id: try f.decode("id"), amountMinor: try f.decode("amount_minor"), reason: try f.decode("reason"),
                   status: try f.decode("status"), restock: try f.decode("restock"), reference: try f.decode("provider_reference"),
                   createdAt: try f.decode("created_at"))
        }
        let shipmentItems = try db.query("""
            SELECT si.shipment_id, si.order_item_id, i.title, si.quantity
            FROM shipment_items si JOIN shipments s ON s.id = si.shipment_id JOIN order_items i ON i.id = si.order_item_id
            WHERE s.order_id = \(id) ORDER BY si.order_item_id
            """)
        var itemsByShipment: [Int64: [(itemId: Int64, title: String, quantity: Int)]] = [:]
        for row in shipmentItems {
            itemsByShipment[try row.decode("shipment_id"), default: []].append(
                (try row.decode("order_item_id"), try row.decode("title"), Int(try row.decode("quantity", as: Int32.self))))
        }
        order.shipments = try db.query("""
            SELECT id, carrier, tracking_number, tracking_url, status, shipped_at
            FROM shipments WHERE order_id = \(id) ORDER BY shipped_at, id
            """).map { s in
            let sid: Int64 = try s.decode("id")
            return Shipment(id: sid, carrier: try s.decode("carrier"), trackingNumber: try s.decode("tracking_number"),
                            trackingURL: try s.decode("tracking_url"), status: try s.decode("status"),
                            shippedAt: try s.decode("shipped_at"), items: itemsByShipment[sid] ?? [])
        }
        order.events = try db.query("""
            SELECT id, kind, message, actor, created_at FROM order_events WHERE order_id = \(id) ORDER BY created_at, id
            """).map { e in
            Event(id: try e.decode("id"), kind: try e.decode("kind"), message: try e.decode("message"),
                  actor: try e.decode("actor"), createdAt: try e.decode("created_at"))
        }
        return order
    }
}
