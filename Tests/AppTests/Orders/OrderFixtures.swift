import Commerce
import Foundation
import Postgres

/// Orders written straight into a store's database, as checkout would leave them: lines with
/// their variants, stock taken (`inventory_movements` reason `order`), totals that add up
/// (`orders_total_adds_up`), a customer, addresses, and for a paid order its payment.
struct OrderFixture {
    let db: Connection

    struct Line {
        var title: String
        var variantId: Int64?
        var quantity: Int32
        var unitPriceMinor: Int64
        var variantTitle = ""
        var sku: String? = nil
    }

    /// A product with one tracked variant holding `stock` units; returns the variant's id.
    func variant(_ title: String, priceMinor: Int64, stock: Int) throws -> Int64 {
        let productId = try ProductAdmin.create(
            ProductInput(title: title, status: .active,
                         variants: [VariantInput(sku: title.uppercased().replacingOccurrences(of: " ", with: "-"), priceMinor: priceMinor,
                                                 inventoryQuantity: stock)]),
            by: CatalogActor(id: "1"), on: db)
        return try db.queryFirst("SELECT id FROM variants WHERE product_id = \(productId)")!.decode("id")
    }

    func stock(_ variantId: Int64) throws -> Int {
        Int(try db.queryFirst("SELECT inventory_quantity FROM variants WHERE id = \(variantId)")!.decode("inventory_quantity", as: Int32.self))
    }

    func customer(email: String, first: String, last: String) throws -> Int64 {
        try db.queryFirst("""
            INSERT INTO customers (email, first_name, last_name, phone) VALUES (\(email), \(first), \(last), '+1 555 0100') RETURNING id
            """)!.decode("id")
    }

    /// A bank-transfer order; `paid` records a succeeded payment of the total. Returns (id, number).
    @discardableResult
    func order(email: String, customerId: Int64? = nil, lines: [Line], shippingMinor: Int64 = 0, paid: Bool = false,
               createdAt: String? = nil) throws -> (id: Int64, number: Int64) {
        let provider: Int64 = try db.queryFirst("SELECT id FROM payment_providers WHERE kind = 'bank_transfer'")?.decode("id")
            ?? db.queryFirst("""
                INSERT INTO payment_providers (kind, name, enabled, instructions) VALUES ('bank_transfer', 'Bank transfer', true, 'IBAN …')
                RETURNING id
                """)!.decode("id")
        let subtotal = lines.reduce(Int64(0)) { $0 + $1.unitPriceMinor * Int64($1.quantity) }
        let total = subtotal + shippingMinor
        let address = JSON(rawText: """
            {"first_name":"Ada","last_name":"Lovelace","address1":"12 Analytical Row","address2":"","city":"London",
             "province_code":"","postal_code":"N1 9GU","country_code":"GB","phone":"+44 20 7946 0000"}
            """)
        let row = try db.queryFirst("""
            INSERT INTO orders (email, customer_id, currency, subtotal_minor, shipping_minor, total_minor, financial_status,
                                payment_provider_id, payment_method_name, shipping_method_name, shipping_address,
                                customer_note, paid_at, created_at)
            VALUES (\(email), \(customerId), 'USD', \(subtotal), \(shippingMinor), \(total), \(paid ? "paid" : "pending"),
                    \(provider), 'Bank transfer', 'Standard', \(address)::jsonb, 'Please gift wrap',
                    \(paid ? "now" : nil)::timestamptz, coalesce(\(createdAt)::timestamptz, now()))
            RETURNING id, number
            """)!
        let id: Int64 = try row.decode("id")
        for line in lines {
            try db.execute("""
                INSERT INTO order_items (order_id, variant_id, product_id, title, variant_title, sku, quantity, unit_price_minor)
                VALUES (\(id), \(line.variantId), (SELECT product_id FROM variants WHERE id = \(line.variantId)), \(line.title),
                        \(line.variantTitle), \(line.sku), \(line.quantity), \(line.unitPriceMinor))
                """)
            if let variant = line.variantId {
                try db.execute("""
                    WITH moved AS (UPDATE variants SET inventory_quantity = inventory_quantity - \(line.quantity)
                                   WHERE id = \(variant) AND inventory_tracked RETURNING id, inventory_quantity)
                    INSERT INTO inventory_movements (variant_id, delta, quantity_after, reason, order_id, actor)
                    SELECT id, -\(line.quantity), inventory_quantity, 'order', \(id), 'system' FROM moved
                    """)
            }
        }
        if paid {
            try db.execute("""
                INSERT INTO payments (order_id, provider_id, provider_kind, amount_minor, currency, status, succeeded_at)
                VALUES (\(id), \(provider), 'bank_transfer', \(total), 'USD', 'succeeded', now())
                """)
        } else {
            try db.execute("""
                INSERT INTO payments (order_id, provider_id, provider_kind, amount_minor, currency, status)
                VALUES (\(id), \(provider), 'bank_transfer', \(total), 'USD', 'pending')
                """)
        }
        try OrderEvents.add(db, orderId: id, kind: "placed", message: "Order placed.", actor: "customer:\(customerId ?? 0)")
        return (id, try row.decode("number"))
    }

    func value<T: PostgresDecodable>(_ sql: String, _ type: T.Type = T.self) throws -> T {
        try db.queryFirst(Query(unsafeSQL: sql))!.decode(0, as: T.self)
    }
}
