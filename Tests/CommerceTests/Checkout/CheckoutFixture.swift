import Crypto
import Foundation
import Postgres
@testable import Commerce

/// Products, carts and drafts for the checkout tests, written with SQL into a fresh store.
extension StoreFixture {
    /// A active product with one variant; returns the variant's id.
    func checkoutVariant(title: String, priceMinor: Int64, stock: Int, policy: String = "deny",
                         tracked: Bool = true, sku: String? = nil) throws -> Int64 {
        let handle = title.lowercased().replacingOccurrences(of: " ", with: "-") + "-" + SecureRandom.token(bytes: 4).lowercased()
            .filter { $0.isLetter || $0.isNumber }
        let product: Int64 = try db.queryFirst("""
            INSERT INTO products (handle, title, status) VALUES (\(handle), \(title), 'active') RETURNING id
            """)!.decode("id")
        return try db.queryFirst("""
            INSERT INTO variants (product_id, price_minor, position, inventory_quantity, inventory_policy,
                                  inventory_tracked, sku, weight_grams)
            VALUES (\(product), \(priceMinor), 1, \(stock), \(policy), \(tracked), \(sku), 250) RETURNING id
            """)!.decode("id")
    }

    /// An open cart holding `lines` (variant id, quantity) at the variants' prices.
    func checkoutCart(_ lines: [(Int64, Int)], on connection: Connection? = nil) throws -> Int64 {
        let db = connection ?? self.db
        let cart: Int64 = try db.queryFirst("""
            INSERT INTO carts (token_hash, currency) VALUES (\(SecureRandom.bytes(32)), 'USD') RETURNING id
            """)!.decode("id")
        for (variant, quantity) in lines {
            try db.execute("""
                INSERT INTO cart_items (cart_id, variant_id, quantity, unit_price_minor)
                SELECT \(cart), id, \(quantity), price_minor FROM variants WHERE id = \(variant)
                """)
        }
        return cart
    }

    func stock(_ variant: Int64) throws -> Int {
        try db.queryFirst("SELECT inventory_quantity FROM variants WHERE id = \(variant)")!.decode("inventory_quantity")
    }
}

/// A manual-payment draft for a cart: lines at `price`, flat shipping, no tax.
func checkoutDraft(cart: Int64, lines: [(variant: Int64, quantity: Int, price: Int64)], key: String = SecureRandom.token(bytes: 16),
                   email: String = "buyer@example.com", shipping: Int64 = 500, card: Bool = false) -> OrderDraft {
    let subtotal = lines.reduce(Int64(0)) { $0 + $1.price * Int64($1.quantity) }
    return OrderDraft(cartId: cart, idempotencyKey: key, email: email, currency: "USD",
                      lines: lines.map { OrderDraftLine(variantId: $0.variant, quantity: $0.quantity, unitPriceMinor: $0.price) },
                      subtotalMinor: subtotal, shippingMinor: shipping, totalMinor: subtotal + shipping,
                      shippingMethodName: "Standard", paymentMethodName: card ? "Card" : "Bank transfer",
                      holdsStockUntilPaid: card,
                      shippingAddress: CheckoutAddress(firstName: "Ada", lastName: "Lovelace", address1: "1 Main St",
                                                       city: "Springfield", provinceCode: "IL", postalCode: "62701",
                                                       countryCode: "US"))
}
