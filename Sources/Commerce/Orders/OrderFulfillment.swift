import Postgres

/// What the merchant entered on the fulfil form.
public struct FulfillmentInput: Sendable {
    /// Units to ship per order item id; a line left out ships nothing.
    public var quantities: [Int64: Int]
    public var carrier: String
    public var trackingNumber: String
    /// Optional; a known carrier's tracking page is filled in when empty.
    public var trackingURL: String

    public init(quantities: [Int64: Int], carrier: String, trackingNumber: String, trackingURL: String = "") {
        self.quantities = quantities
        self.carrier = carrier
        self.trackingNumber = trackingNumber
        self.trackingURL = trackingURL
    }
}

/// A shipment just recorded, for the confirmation mail.
public struct FulfillmentResult: Sendable {
    public let shipmentId: Int64
    public let carrier: String
    public let trackingNumber: String?
    public let trackingURL: String?
    public let lines: [(title: String, variantTitle: String, quantity: Int)]
    public let fulfillmentStatus: String
}

public enum OrderFulfillment {
    /// Ships units of the order's lines: a `shipments` row with its `shipment_items`, the lines'
    /// `fulfilled_quantity`, the order's `fulfillment_status` (`partial` until nothing is left to
    /// ship, then `fulfilled` with `fulfilled_at`), a timeline entry and an audit entry, in one
    /// transaction with the order row locked. Refuses (OrderActionError, nothing changed) a
    /// cancelled order, no units, more units than a line has left, a missing carrier or a
    /// tracking URL that is not http(s).
    public static func fulfil(_ db: Connection, orderId: Int64, _ input: FulfillmentInput, by actor: CatalogActor) throws -> FulfillmentResult {
        let carrier = input.carrier.orderTrimmed
        let tracking = input.trackingNumber.orderTrimmed
        var url = input.trackingURL.orderTrimmed
        if carrier.isEmpty { throw OrderActionError(.invalid, "Enter the carrier, e.g. UPS or Royal Mail.", field: "carrier") }
        if carrier.count > 100 { throw OrderActionError(.invalid, "The carrier must be at most 100 characters.", field: "carrier") }
        if tracking.count > 100 || tracking.unicodeScalars.contains(where: { $0.value < 0x20 }) {
            throw OrderActionError(.invalid, "Enter the tracking number as printed on the label (at most 100 characters).", field: "tracking_number")
        }
        if !url.isEmpty {
            let lower = url.lowercased()
            guard (lower.hasPrefix("https://") || lower.hasPrefix("http://")), url.count <= 500,
                  !url.unicodeScalars.contains(where: { $0.value <= 0x20 }) else {
                throw OrderActionError(.invalid, "Enter the tracking link as a web address starting with https://.", field: "tracking_url")
            }
        } else if !tracking.isEmpty, let known = trackingLink(carrier: carrier, number: tracking) {
            url = known
        }
        return try db.transaction { db in
            guard let order = try db.queryFirst("SELECT status FROM orders WHERE id = \(orderId) FOR UPDATE") else {
                throw OrderActionError.notFound
            }
            if try order.decode("status", as: String.self) == "cancelled" {
                throw OrderActionError(.notAllowed, "This order is cancelled: there is nothing to fulfil.")
            }
            let items = try db.query("""
                SELECT id, title, variant_title, quantity, fulfilled_quantity, refunded_quantity
                FROM order_items WHERE order_id = \(orderId) ORDER BY id
                """)
            var lines: [(id: Int64, title: String, variantTitle: String, quantity: Int)] = []
            for item in items {
                let id: Int64 = try item.decode("id")
                guard let wanted = input.quantities[id], wanted != 0 else { continue }
                let title: String = try item.decode("title")
                let remaining = max(0, Int(try item.decode("quantity", as: Int32.self))
                                       - Int(try item.decode("fulfilled_quantity", as: Int32.self))
                                       - Int(try item.decode("refunded_quantity", as: Int32.self)))
                if wanted < 0 { throw OrderActionError(.invalid, "Enter a quantity of zero or more for “\(title)”.", field: "qty_\(id)") }
                if wanted > remaining {
                    throw OrderActionError(.invalid, remaining == 0
                        ? "“\(title)” has nothing left to fulfil."
                        : "Only \(remaining) of “\(title)” \(remaining == 1 ? "is" : "are") left to fulfil.", field: "qty_\(id)")
                }
                lines.append((id, title, try item.decode("variant_title"), wanted))
            }
            let unknown = input.quantities.filter { $0.value != 0 }.keys.filter { key in !lines.contains { $0.id == key } }
            if !unknown.isEmpty { throw OrderActionError(.invalid, "Choose items of this order.", field: "items") }
            if lines.isEmpty { throw OrderActionError(.invalid, "Choose at least one item to fulfil.", field: "items") }

            let shipmentId: Int64 = try db.queryFirst("""
                INSERT INTO shipments (order_id, carrier, tracking_number, tracking_url)
                VALUES (\(orderId), \(carrier), \(tracking.isEmpty ? nil : tracking), \(url.isEmpty ? nil : url))
                RETURNING id
                """)!.decode("id")
            for line in lines {
                try db.execute("""
                    INSERT INTO shipment_items (shipment_id, order_item_id, quantity) VALUES (\(shipmentId), \(line.id), \(Int32(line.quantity)))
                    """)
                try db.execute("""
                    UPDATE order_items SET fulfilled_quantity = fulfilled_quantity + \(Int32(line.quantity)) WHERE id = \(line.id)
                    """)
            }
            let status: String = try db.queryFirst("""
                UPDATE orders SET
                    fulfillment_status = CASE WHEN EXISTS (SELECT 1 FROM order_items
                                                           WHERE order_id = \(orderId) AND quantity - fulfilled_quantity - refunded_quantity > 0)
                                              THEN 'partial' ELSE 'fulfilled' END,
                    fulfilled_at = CASE WHEN EXISTS (SELECT 1 FROM order_items
                                                     WHERE order_id = \(orderId) AND quantity - fulfilled_quantity - refunded_quantity > 0)
                                        THEN fulfilled_at ELSE now() END
                WHERE id = \(orderId)
                RETURNING fulfillment_status
                """)!.decode("fulfillment_status")
            let units = lines.reduce(0) { $0 + $1.quantity }
            var message = "\(units) \(units == 1 ? "item" : "items") fulfilled with \(carrier)"
            message += tracking.isEmpty ? "." : " (tracking \(tracking))."
            try OrderEvents.add(db, orderId: orderId, kind: "fulfillment", message: message,
                                details: try JSON(encoding: ["shipment_id": shipmentId]), actor: actor.movementLabel)
            try CatalogAudit.record("order.fulfil", subjectType: "order", subjectId: orderId,
                                    details: ["shipment_id": .number(shipmentId), "carrier": .text(carrier),
                                              "tracking_number": .text(tracking), "units": .number(Int64(units))],
                                    by: actor, on: db)
            return FulfillmentResult(shipmentId: shipmentId, carrier: carrier, trackingNumber: tracking.isEmpty ? nil : tracking,
                                     trackingURL: url.isEmpty ? nil : url,
                                     lines: lines.map { ($0.title, $0.variantTitle, $0.quantity) }, fulfillmentStatus: status)
        }
    }

    /// The public tracking page of a few well-known carriers.
    public static func trackingLink(carrier: String, number: String) -> String? {
        guard number.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber) }) else { return nil }
        switch carrier.lowercased().filter({ $0.isLetter }) {
        case "ups": return "https://www.ups.com/track?tracknum=" + number
        case "usps": return "https://tools.usps.com/go/TrackConfirmAction?tLabels=" + number
        case "fedex": return "https://www.fedex.com/fedextrack/?trknbr=" + number
        case "dhl", "dhlexpress": return "https://www.dhl.com/global-en/home/tracking.html?tracking-id=" + number
        case "royalmail": return "https://www.royalmail.com/track-your-item#/tracking-results/" + number
        default: return nil
        }
    }
}
