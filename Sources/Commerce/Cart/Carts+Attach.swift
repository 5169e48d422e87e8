import Crypto
import Postgres

extension Carts {
    /// Ties the browser's cart to a customer who just logged in, merging it with the cart they
    /// left open earlier (on this or another device). Returns the token the browser must hold from
    /// now on and the re-checked contents; nil when there is no cart on either side.
    ///
    /// - Browser cart only: it becomes the customer's (same token).
    /// - Customer cart only: the browser takes it over under a fresh token (the database keeps
    ///   only a hash, so the old token cannot be handed out; another device that held it starts a
    ///   new cart, and gets this one back when it logs in).
    /// - Both: the browser's cart is kept (its token is known) and the other's lines are added to
    ///   it, quantities summed and capped at the stock and `maxQuantity`; the other cart is marked
    ///   `abandoned`. Checkout fields the browser's cart lacks (email, note) are taken over.
    ///
    /// A browser cart that belongs to a different customer (a shared computer) is left alone.
    public static func attach(_ db: Connection, token: String?, customerId: Int64) throws -> (token: String, contents: CartContents)? {
        try db.transaction { db in
            var browser = try token.flatMap { try lockedCart(db, token: $0) }
            if let b = browser, let owner = b.customerId, owner != customerId { browser = nil }
            let saved = try db.queryFirst("""
                SELECT \(headerColumns) FROM carts
                WHERE customer_id = \(customerId) AND status = 'open' AND id <> \(browser?.id ?? 0)
                ORDER BY updated_at DESC, id DESC LIMIT 1 FOR UPDATE
                """).map(Header.init(row:))

            switch (browser, saved) {
            case (nil, nil):
                return nil
            case (let b?, nil):
                _ = try db.execute("UPDATE carts SET customer_id = \(customerId) WHERE id = \(b.id)")
                return (token!, try recheck(db, try lockedCart(db, id: b.id)!))
            case (nil, let s?):
                let fresh = SecureRandom.token(bytes: 32)
                _ = try db.execute("UPDATE carts SET token_hash = \(tokenHash(fresh)) WHERE id = \(s.id)")
                return (fresh, try recheck(db, s))
            case (let b?, let s?):
                var notices = try mergeLines(db, from: s.id, into: b.id)
                _ = try db.execute("""
                    UPDATE carts SET customer_id = \(customerId),
                        email = coalesce(email, \(s.email)),
                        note = CASE WHEN note = '' THEN \(s.note) ELSE note END,
                        discount_code = coalesce(discount_code, \(s.discountCode))
                    WHERE id = \(b.id)
                    """)
                _ = try db.execute("UPDATE carts SET status = 'abandoned' WHERE id = \(s.id)")
                var contents = try recheck(db, try lockedCart(db, id: b.id)!)
                notices = merged(notices, contents.notices)
                contents.notices = notices
                return (token!, contents)
            }
        }
    }

    /// Adds every line of one cart to another (summing quantities, capped at the stock and
    /// `maxQuantity`); returns a notice for each line that could not be kept whole.
    static func mergeLines(_ db: Connection, from source: Int64, into target: Int64) throws -> [CartNotice] {
        let rows = try db.query("""
            SELECT s.variant_id, s.quantity + coalesce(t.quantity, 0) AS wanted, t.quantity IS NULL AS is_new
            FROM cart_items s
            LEFT JOIN cart_items t ON t.cart_id = \(target) AND t.variant_id = s.variant_id
            WHERE s.cart_id = \(source)
            ORDER BY s.added_at, s.variant_id
            """)
        var notices: [CartNotice] = []
        var lineCount = try db.queryFirst("SELECT count(*) AS n FROM cart_items WHERE cart_id = \(target)")?
            .decode("n", as: Int.self) ?? 0
        for row in rows {
            let variantId: Int64 = try row.decode("variant_id")
            var wanted = min(try row.decode("wanted", as: Int.self), maxQuantity)
            let isNew: Bool = try row.decode("is_new")
            if isNew && lineCount >= maxLines { continue }
            let variant: SellableVariant
            do {
                variant = try sellableVariant(db, id: variantId)
            } catch is CartError {
                continue   // no longer for sale: it was never in this cart, so nothing to say
            }
            if let left = variant.available {
                if left <= 0 { continue }
                if wanted > left {
                    wanted = left
                    notices.append(lowered(variantId, variant.displayName, left: left))
                }
            }
            _ = try db.execute("""
                INSERT INTO cart_items (cart_id, variant_id, quantity, unit_price_minor)
                VALUES (\(target), \(variantId), \(wanted), \(variant.priceMinor))
                ON CONFLICT (cart_id, variant_id) DO UPDATE SET quantity = EXCLUDED.quantity
                """)
            if isNew { lineCount += 1 }
        }
        return notices
    }
}
