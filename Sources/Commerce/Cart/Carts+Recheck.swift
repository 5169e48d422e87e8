import Postgres

/// The re-check every cart read goes through, and the pieces the changes share.
extension Carts {
    /// The cart row, locked for the rest of the transaction.
    struct Header {
        var id: Int64
        var currency: String
        var email: String?
        var note: String
        var discountCode: String?
        var customerId: Int64?
        var status: String

        init(row: Row) throws {
            id = try row.decode("id")
            currency = try row.decode("currency")
            email = try row.decode("email")
            note = try row.decode("note")
            discountCode = try row.decode("discount_code")
            customerId = try row.decode("customer_id")
            status = try row.decode("status")
        }
    }

    static let headerColumns: Query = "id, currency, email, note, discount_code, customer_id, status"

    /// The open cart for this token, `FOR UPDATE`; nil when there is none.
    static func lockedCart(_ db: Connection, token: String) throws -> Header? {
        try db.queryFirst("""
            SELECT \(headerColumns) FROM carts
            WHERE token_hash = \(tokenHash(token)) AND status = 'open' FOR UPDATE
            """).map(Header.init(row:))
    }

    static func lockedCart(_ db: Connection, id: Int64) throws -> Header? {
        try db.queryFirst("SELECT \(headerColumns) FROM carts WHERE id = \(id) AND status = 'open' FOR UPDATE")
            .map(Header.init(row:))
    }

    /// Runs one change on the locked cart, then re-checks it; the change's own notices come first.
    static func mutate(_ db: Connection, token: String,
                       _ change: (Connection, Header) throws -> [CartNotice]) throws -> CartContents {
        // Inside a caller's transaction (a new cart made for this change) no savepoint is
        // needed: any error rolls the caller's transaction back as a whole.
        func body(_ db: Connection) throws -> CartContents {
            guard let header = try lockedCart(db, token: token) else { throw CartError.cartNotFound }
            let notices = try change(db, header)
            // The change may have touched the header (the note): read it back with the touch.
            let touched = try db.queryFirst("UPDATE carts SET updated_at = now() WHERE id = \(header.id) RETURNING \(headerColumns)")
            var contents = try recheck(db, try touched.map(Header.init(row:)) ?? header)
            contents.notices = merged(notices, contents.notices)
            return contents
        }
        return db.isInTransaction ? try body(db) : try db.transaction(body)
    }

    /// A cart's lines with what the re-check needs: the price the shopper last saw, the
    /// variant's current price and stock, whether its product is still for sale. The caller adds
    /// the cart condition (`WHERE ci.cart_id = ...`).
    static let lineSelect: Query = """
        SELECT ci.variant_id, ci.quantity, ci.unit_price_minor AS seen_price_minor, ci.added_at,
               v.product_id, v.title AS variant_title, v.sku, v.price_minor, v.compare_at_minor,
               v.weight_grams, v.requires_shipping, v.taxable, v.inventory_tracked,
               v.inventory_quantity, v.inventory_policy,
               p.title AS product_title, p.handle,
               (p.status = 'active' AND (p.published_at IS NULL OR p.published_at <= now())) AS sellable,
               coalesce(vi.storage_key, fi.storage_key) AS image_key
        FROM cart_items ci
        JOIN variants v ON v.id = ci.variant_id
        JOIN products p ON p.id = v.product_id
        LEFT JOIN product_images vi ON vi.id = v.image_id
        LEFT JOIN LATERAL (
            SELECT storage_key FROM product_images WHERE product_id = p.id ORDER BY position LIMIT 1
        ) fi ON true
        """

    /// What the re-check makes of one stored line.
    enum LineVerdict {
        /// As stored: nothing to change or say.
        case keep(CartLine)
        /// No longer for sale or sold out: the line goes.
        case remove(CartNotice)
        /// Kept with a new quantity (lowered to stock) and/or price, and why.
        case change(CartLine, [CartNotice])
    }

    /// Judges one line as stored (`lineSelect`'s row) against the catalog now. Pure.
    static func verdict(_ row: Row, currency: String) throws -> LineVerdict {
        var line = try CartLine(row: row)
        let seenPrice: Int64 = try row.decode("seen_price_minor")
        if !(try row.decode("sellable", as: Bool.self)) {
            return .remove(CartNotice(variantId: line.variantId, kind: .unavailable,
                                      message: "\(line.displayName) is no longer available and was removed from your cart."))
        }
        if let left = line.available, left <= 0 {
            return .remove(CartNotice(variantId: line.variantId, kind: .soldOut,
                                      message: "\(line.displayName) is sold out and was removed from your cart."))
        }
        var notices: [CartNotice] = []
        if let left = line.available, line.quantity > left {
            notices.append(lowered(line.variantId, line.displayName, left: left))
            line.quantity = left
            line.lineTotalMinor = line.unitPriceMinor * Int64(left)
        }
        if seenPrice != line.unitPriceMinor {
            notices.append(CartNotice(
                variantId: line.variantId, kind: .priceChanged,
                message: "The price of \(line.displayName) changed from "
                    + "\(CartMoney.format(seenPrice, currency: currency)) to "
                    + "\(CartMoney.format(line.unitPriceMinor, currency: currency))."))
        }
        return notices.isEmpty ? .keep(line) : .change(line, notices)
    }

    /// Brings the stored lines in line with the catalog and returns the result. Must run inside a
    /// transaction holding the cart's lock.
    static func recheck(_ db: Connection, _ header: Header) throws -> CartContents {
        let rows = try db.query(lineSelect + " WHERE ci.cart_id = \(header.id) ORDER BY ci.added_at, ci.variant_id")
        var lines: [CartLine] = []
        var notices: [CartNotice] = []
        for row in rows {
            switch try verdict(row, currency: header.currency) {
            case .keep(let line):
                lines.append(line)
            case .remove(let notice):
                _ = try db.execute("DELETE FROM cart_items WHERE cart_id = \(header.id) AND variant_id = \(notice.variantId)")
                notices.append(notice)
            case .change(let line, let why):
                _ = try db.execute("""
                    UPDATE cart_items SET quantity = \(line.quantity), unit_price_minor = \(line.unitPriceMinor)
                    WHERE cart_id = \(header.id) AND variant_id = \(line.variantId)
                    """)
                lines.append(line)
                notices += why
            }
        }
        return contents(header, lines: lines, notices: notices)
    }

    static func contents(_ header: Header, lines: [CartLine], notices: [CartNotice]) -> CartContents {
        CartContents(
            id: header.id, currency: header.currency, lines: lines, notices: notices,
            subtotalMinor: lines.reduce(0) { $0 + $1.lineTotalMinor },
            itemCount: lines.reduce(0) { $0 + $1.quantity },
            email: header.email, note: header.note, discountCode: header.discountCode,
            customerId: header.customerId, status: header.status)
    }

    /// What `add` needs to know about a variant before it goes in the cart.
    struct SellableVariant {
        var id: Int64
        var displayName: String
        var priceMinor: Int64
        /// Units left when stock limits the sale; nil when it does not.
        var available: Int?
    }

    /// The variant, if its product is for sale; `CartError` otherwise.
    static func sellableVariant(_ db: Connection, id: Int64) throws -> SellableVariant {
        guard let row = try db.queryFirst(sellableVariantSelect + " WHERE v.id = \(id)") else { throw CartError.unknownVariant }
        return try sellableVariant(row: row, id: id)
    }

    /// The columns `sellableVariant(row:id:)` reads; the caller adds `WHERE v.id = ...`.
    static let sellableVariantSelect: Query = """
        SELECT v.id, v.title AS variant_title, v.price_minor, v.inventory_tracked,
               v.inventory_quantity, v.inventory_policy, p.title AS product_title,
               (p.status = 'active' AND (p.published_at IS NULL OR p.published_at <= now())) AS sellable
        FROM variants v JOIN products p ON p.id = v.product_id
        """

    static func sellableVariant(row: Row, id: Int64) throws -> SellableVariant {
        let product: String = try row.decode("product_title")
        let variantTitle: String = try row.decode("variant_title")
        let name = (variantTitle == "Default Title" || variantTitle.isEmpty) ? product : product + " – " + variantTitle
        guard try row.decode("sellable", as: Bool.self) else { throw CartError.unavailable(title: name) }
        return SellableVariant(
            id: id, displayName: name, priceMinor: try row.decode("price_minor"),
            available: stockLimit(tracked: try row.decode("inventory_tracked"),
                                  quantity: try row.decode("inventory_quantity"),
                                  policy: try row.decode("inventory_policy")))
    }

    /// Units a shopper may buy: the stock when it is tracked and selling stops at zero.
    static func stockLimit(tracked: Bool, quantity: Int, policy: String) -> Int? {
        tracked && policy == "deny" ? max(0, quantity) : nil
    }

    /// Sets one line's quantity in a locked cart (0 deletes), capped at the stock.
    static func setLine(_ db: Connection, cartId: Int64, variantId: Int64, quantity: Int) throws -> [CartNotice] {
        guard try db.queryFirst("""
            SELECT 1 AS one FROM cart_items WHERE cart_id = \(cartId) AND variant_id = \(variantId)
            """) != nil else { throw CartError.lineNotFound }
        if quantity == 0 {
            _ = try db.execute("DELETE FROM cart_items WHERE cart_id = \(cartId) AND variant_id = \(variantId)")
            return []
        }
        let variant: SellableVariant
        do {
            variant = try sellableVariant(db, id: variantId)
        } catch is CartError {
            return []   // the re-check that follows removes the line and says why
        }
        var granted = quantity
        var notices: [CartNotice] = []
        if let left = variant.available, quantity > left {
            if left <= 0 { return [] }   // sold out: the re-check removes it
            granted = left
            notices.append(lowered(variantId, variant.displayName, left: left))
        }
        _ = try db.execute("""
            UPDATE cart_items SET quantity = \(granted)
            WHERE cart_id = \(cartId) AND variant_id = \(variantId)
            """)
        return notices
    }

    static func lowered(_ variantId: Int64, _ name: String, left: Int) -> CartNotice {
        CartNotice(variantId: variantId, kind: .quantityLowered,
                   message: "Only \(left) of \(name) \(left == 1 ? "is" : "are") left; we changed the quantity in your cart.")
    }

    /// The change's notices, then the re-check's, without saying the same thing twice.
    static func merged(_ first: [CartNotice], _ second: [CartNotice]) -> [CartNotice] {
        var out = first
        for n in second where !out.contains(where: { $0.variantId == n.variantId && $0.kind == n.kind }) {
            out.append(n)
        }
        return out
    }
}

extension CartLine {
    init(row: Row) throws {
        variantId = try row.decode("variant_id")
        productId = try row.decode("product_id")
        productTitle = try row.decode("product_title")
        variantTitle = try row.decode("variant_title")
        handle = try row.decode("handle")
        sku = try row.decode("sku")
        imageKey = try row.decode("image_key")
        quantity = try row.decode("quantity")
        unitPriceMinor = try row.decode("price_minor")
        compareAtMinor = try row.decode("compare_at_minor")
        weightGrams = try row.decode("weight_grams")
        requiresShipping = try row.decode("requires_shipping")
        taxable = try row.decode("taxable")
        lineTotalMinor = unitPriceMinor * Int64(quantity)
        available = Carts.stockLimit(tracked: try row.decode("inventory_tracked"),
                                     quantity: try row.decode("inventory_quantity"),
                                     policy: try row.decode("inventory_policy"))
    }
}
