import Crypto
import Foundation
import Postgres

/// Turns a checkout into an order, in one transaction (docs/CONTRACTS.md, "Checkout").
///
/// No overselling: the variants are locked `FOR NO KEY UPDATE` in id order (so two buyers of
/// the same two variants never deadlock), checked, and decremented in the same transaction that
/// inserts the order; a sold-out line throws before anything is written. The lock is the one the
/// decrement takes anyway: it makes a second order of the variant wait, but not a cart add or
/// another order's lines, whose foreign-key checks only need the variant to stay (`KEY SHARE`). Exactly once: the cart row is
/// locked first, so two submits of one checkout wait for each other, and the second finds the
/// cart converted (or the idempotency key used) and gets the first one's order back.
public enum OrderPlacement {
    /// The outbox topic the expiry job runs under (one row per order that holds stock).
    public static let holdExpiryTopic = "orders.expire_hold"

    /// Places the order, or returns the one an earlier submit of the same checkout placed.
    /// `inTransaction` runs after the order and its lines exist, before commit (the discount's
    /// use is taken there); throwing from it rolls everything back.
    public static func place(_ db: Connection, _ draft: OrderDraft,
                             inTransaction: ((Connection, PlacedOrder) throws -> Void)? = nil) throws -> PlacedOrder {
        let expected = draft.subtotalMinor - draft.discountMinor + draft.shippingMinor
            + (draft.taxesIncluded ? 0 : draft.taxMinor)
        guard expected == draft.totalMinor, draft.lines.allSatisfy({ $0.quantity > 0 }) else {
            throw OrderPlacementError.totalsDoNotAddUp
        }
        // Generic plans: the stock lock's custom plan (an `= ANY` over a join) was planned
        // again on every order, ~0.4 ms of the store's database each time.
        return try db.transaction(genericPlans: true) { db in
            // The cart, locked (a second submit waits here for the first), with the order of
            // the same idempotency key if one exists: one statement.
            guard let cart = try db.queryFirst("""
                SELECT c.order_id, k.id, k.number, k.public_token, k.email, k.financial_status,
                       k.reserved_until IS NOT NULL AS holds
                FROM carts c LEFT JOIN orders k ON k.idempotency_key = \(draft.idempotencyKey)
                WHERE c.id = \(draft.cartId)
                FOR UPDATE OF c
                """) else {
                throw OrderPlacementError.emptyCart
            }
            if let orderId: Int64 = try cart.decode("order_id"), let existing = try find(db, id: orderId) {
                return existing
            }
            if try cart.decode("id", as: Int64?.self) != nil, let existing = try decode(cart) { return existing }
            if draft.lines.isEmpty { throw OrderPlacementError.emptyCart }

            try reserveStock(db, draft.lines)
            let order = try insertOrder(db, draft)
            if order.holdsStock {
                try db.execute("""
                    INSERT INTO outbox (topic, payload)
                    VALUES (\(holdExpiryTopic), jsonb_build_object('order_id', \(order.id)::bigint))
                    """)
            }
            try inTransaction?(db, order)
            // Last, because taking stock moves the store's `storefront_version` (one row every
            // order of the store updates): its lock is held only from here to the commit.
            try takeStock(db, draft.lines, orderId: order.id, actor: draft.actor)
            return order
        }
    }

    // MARK: - Steps

    /// Locks the lines' variants in id order and throws unless every one is for sale and, when
    /// it is tracked and denies sales when sold out, has the units asked for.
    static func reserveStock(_ db: Connection, _ lines: [OrderDraftLine]) throws {
        let ids = lines.map(\.variantId).sorted()
        let rows = try db.query("""
            SELECT v.id, v.title AS variant_title, p.title, p.status, v.inventory_tracked, v.inventory_policy,
                   v.inventory_quantity
            FROM variants v JOIN products p ON p.id = v.product_id
            WHERE v.id = ANY(\(ids)) ORDER BY v.id FOR NO KEY UPDATE OF v
            """)
        var found: [Int64: Row] = [:]
        for row in rows { found[try row.decode("id")] = row }
        var soldOut: [SoldOutLine] = []
        var unavailable: [String] = []
        for line in lines {
            guard let row = found[line.variantId] else { unavailable.append("An item in your cart"); continue }
            let title: String = try row.decode("title")
            guard try row.decode("status", as: String.self) == "active" else { unavailable.append(title); continue }
            let available: Int = try row.decode("inventory_quantity")
            if try row.decode("inventory_tracked", as: Bool.self), try row.decode("inventory_policy", as: String.self) == "deny",
               available < line.quantity {
                soldOut.append(SoldOutLine(variantId: line.variantId, productTitle: title,
                                           variantTitle: try row.decode("variant_title"),
                                           requested: line.quantity, available: max(0, available)))
            }
        }
        if !unavailable.isEmpty { throw OrderPlacementError.unavailable(unavailable) }
        if !soldOut.isEmpty { throw OrderPlacementError.soldOut(soldOut) }
    }

    /// The order in one statement: a guest's customer row (by email, case-insensitive; an
    /// account with that address is used as it is, so the order shows under it once they log
    /// in), the order, its lines as bought (titles, SKU and weight copied from the variant
    /// now), the cart converted (with the payment method) and the "placed" timeline entry (and
    /// the draft's `emailEvent`). It answers one row per line with what the receipt needs.
    static func insertOrder(_ db: Connection, _ draft: OrderDraft) throws -> PlacedOrder {
        let token = SecureRandom.token(bytes: 24)
        let address = draft.shippingAddress ?? draft.billingAddress
        let lines = draft.lines
        let customer: Query = draft.customerId.map { "SELECT \($0)::bigint AS id" } ?? """
            INSERT INTO customers (email, first_name, last_name)
            VALUES (\(draft.email), \(address?.firstName ?? ""), \(address?.lastName ?? ""))
            ON CONFLICT ((lower(email))) DO UPDATE SET email = customers.email
            RETURNING id
            """
        let message = "Order placed by \(draft.email) (\(draft.paymentMethodName ?? "no payment method"))."
        let rows = try db.query("""
            WITH customer AS (\(customer)),
            placed AS (
                INSERT INTO orders (idempotency_key, public_token, email, customer_id, cart_id, currency,
                                    subtotal_minor, discount_minor, shipping_minor, tax_minor, total_minor, taxes_included,
                                    discount_code, payment_provider_id, payment_method_name, shipping_rate_id,
                                    shipping_method_name, shipping_address, billing_address, customer_note, reserved_until)
                SELECT \(draft.idempotencyKey), \(token), \(draft.email), customer.id, \(draft.cartId), \(draft.currency),
                       \(draft.subtotalMinor), \(draft.discountMinor), \(draft.shippingMinor), \(draft.taxMinor),
                       \(draft.totalMinor), \(draft.taxesIncluded), \(draft.discountCode), \(draft.paymentProviderId),
                       \(draft.paymentMethodName), \(draft.shippingRateId), \(draft.shippingMethodName),
                       \(draft.shippingAddress?.json)::jsonb, \(draft.billingAddress?.json)::jsonb, \(draft.customerNote),
                       CASE WHEN \(draft.holdsStockUntilPaid)
                            THEN now() + make_interval(mins => (SELECT order_hold_minutes FROM store_settings)) END
                FROM customer
                RETURNING id, number, status, financial_status, fulfillment_status, reserved_until, created_at
            ),
            items AS (
                INSERT INTO order_items (order_id, product_id, variant_id, title, variant_title, sku, quantity,
                                         unit_price_minor, discount_minor, tax_minor, tax_rate_ppm, weight_grams,
                                         requires_shipping)
                SELECT placed.id, v.product_id, v.id, p.title, CASE WHEN v.title = 'Default Title' THEN '' ELSE v.title END,
                       v.sku, x.quantity::int, x.price, x.discount, x.tax, x.rate::int, v.weight_grams, v.requires_shipping
                FROM placed,
                     unnest(\(lines.map(\.variantId)), \(lines.map { Int64($0.quantity) }), \(lines.map(\.unitPriceMinor)),
                            \(lines.map(\.discountMinor)), \(lines.map(\.taxMinor)), \(lines.map { Int64($0.taxRatePPM) }))
                         WITH ORDINALITY AS x(variant_id, quantity, price, discount, tax, rate, n)
                JOIN variants v ON v.id = x.variant_id JOIN products p ON p.id = v.product_id
                ORDER BY x.n
                RETURNING id, product_id, title, variant_title, sku, quantity, unit_price_minor, discount_minor, tax_minor
            ),
            converted AS (
                UPDATE carts SET status = 'converted', order_id = (SELECT id FROM placed),
                                 payment_provider_id = \(draft.paymentProviderId)
                WHERE id = \(draft.cartId)
            ),
            event AS (
                INSERT INTO order_events (order_id, kind, message, details, actor)
                SELECT placed.id, 'placed', \(message)::text, '{}'::jsonb, \(draft.actor)::text FROM placed
                UNION ALL
                SELECT placed.id, 'email', \(draft.emailEvent)::text, '{}'::jsonb, 'system' FROM placed
                WHERE \(draft.emailEvent)::text IS NOT NULL
            )
            SELECT placed.id, placed.number, placed.status, placed.financial_status, placed.fulfillment_status,
                   placed.reserved_until, placed.created_at, pp.kind AS payment_kind,
                   coalesce(pp.instructions, '') AS instructions,
                   i.title, i.variant_title, i.sku, i.quantity, i.unit_price_minor, i.discount_minor, i.tax_minor,
                   p.handle
            FROM placed CROSS JOIN items i
            LEFT JOIN products p ON p.id = i.product_id
            LEFT JOIN payment_providers pp ON pp.id = \(draft.paymentProviderId)
            ORDER BY i.id
            """)
        guard let row = rows.first else { throw CommerceError.missingResult("new order") }
        let bought = try rows.map(OrderReceipt.Line.init(row:))
        let id: Int64 = try row.decode("id")
        let number: Int64 = try row.decode("number")
        let financialStatus: String = try row.decode("financial_status")
        let receipt = OrderReceipt(
            id: id, number: number, publicToken: token, email: draft.email, currency: draft.currency,
            status: try row.decode("status"), financialStatus: financialStatus,
            fulfillmentStatus: try row.decode("fulfillment_status"), subtotalMinor: draft.subtotalMinor,
            discountMinor: draft.discountMinor, shippingMinor: draft.shippingMinor, taxMinor: draft.taxMinor,
            totalMinor: draft.totalMinor, taxesIncluded: draft.taxesIncluded, discountCode: draft.discountCode,
            shippingMethodName: draft.shippingMethodName, paymentMethodName: draft.paymentMethodName,
            paymentKind: try row.decode("payment_kind"), paymentInstructions: try row.decode("instructions"),
            shippingAddress: draft.shippingAddress, billingAddress: draft.billingAddress,
            reservedUntil: try row.decode("reserved_until"), cancelReason: nil, createdAt: try row.decode("created_at"),
            lines: bought)
        return PlacedOrder(id: id, number: number, publicToken: token, email: draft.email,
                           financialStatus: financialStatus, holdsStock: draft.holdsStockUntilPaid, isNew: true,
                           receipt: receipt)
    }

    /// Takes the units off tracked variants, one inventory movement each.
    static func takeStock(_ db: Connection, _ lines: [OrderDraftLine], orderId: Int64, actor: String) throws {
        try db.execute("""
            WITH taken AS (
                UPDATE variants v SET inventory_quantity = v.inventory_quantity - x.quantity::int
                FROM unnest(\(lines.map(\.variantId)), \(lines.map { Int64($0.quantity) })) AS x(variant_id, quantity)
                WHERE v.id = x.variant_id AND v.inventory_tracked
                RETURNING v.id, x.quantity::int AS quantity, v.inventory_quantity
            )
            INSERT INTO inventory_movements (variant_id, delta, quantity_after, reason, order_id, actor)
            SELECT id, -quantity, inventory_quantity, 'order', \(orderId), \(actor) FROM taken
            """)
    }

    // MARK: - Finding an order again

    static func find(_ db: Connection, id: Int64) throws -> PlacedOrder? {
        try decode(db.queryFirst("""
            SELECT id, number, public_token, email, financial_status, reserved_until IS NOT NULL AS holds
            FROM orders WHERE id = \(id)
            """))
    }

    private static func decode(_ row: Row?) throws -> PlacedOrder? {
        guard let row else { return nil }
        return PlacedOrder(id: try row.decode("id"), number: try row.decode("number"),
                           publicToken: try row.decode("public_token", as: String?.self) ?? "",
                           email: try row.decode("email"), financialStatus: try row.decode("financial_status"),
                           holdsStock: try row.decode("holds"), isNew: false)
    }
}
