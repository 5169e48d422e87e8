import Crypto
import Postgres

/// Shopping carts (`carts`, `cart_items`), tied to a cookie token whose SHA-256 is stored, and
/// to a customer once they log in (`attach`).
///
/// Every function that returns `CartContents` re-checks the lines against the catalog first
/// (current price, stock, whether the product is still sold) and reports what it changed in
/// `notices`; the check and the change it makes run in one transaction with the cart locked, so
/// two requests from the same shopper cannot interleave. Money is integer minor units.
public enum Carts {
    /// The most units of one variant a cart may hold (the schema's own limit).
    public static let maxQuantity = 10_000
    /// The most different variants a cart may hold.
    public static let maxLines = 100

    /// SHA-256 of the cookie token: what `carts.token_hash` stores, so a database leak yields no
    /// usable cookie.
    public static func tokenHash(_ token: String) -> [UInt8] { SHA256Digest.hash(token) }

    /// A new empty open cart; the token goes into the `sf_cart` cookie and is never stored.
    public static func create(_ db: Connection, currency: String, customerId: Int64? = nil) throws -> (token: String, id: Int64) {
        let token = SecureRandom.token(bytes: 32)
        let row = try db.queryFirst("""
            INSERT INTO carts (token_hash, currency, customer_id)
            VALUES (\(tokenHash(token)), \(currency.uppercased()), \(customerId))
            RETURNING id
            """)
        guard let row else { throw CommerceError.missingResult("INSERT INTO carts") }
        return (token, try row.decode("id"))
    }

    /// The open cart this token names, re-checked (prices updated, quantities lowered to stock,
    /// lines no longer for sale removed, each change in `notices`); nil when the token names no
    /// open cart (unknown, converted to an order, abandoned).
    public static func open(_ db: Connection, token: String) throws -> CartContents? {
        try db.transaction { db in
            guard let header = try lockedCart(db, token: token) else { return nil }
            return try recheck(db, header)
        }
    }

    /// The open cart this token names, for a page that shows it without changing it (the cart
    /// page, checkout's steps). When every line is as the catalog says — the common case — this
    /// is one statement with no lock and no write; otherwise it is `open`, which fixes the lines
    /// under the cart's lock and says what changed in `notices`.
    public static func read(_ db: Connection, token: String) throws -> CartContents? {
        switch try readUnlocked(db, token: token, extraColumns: "") {
        case .none: return nil
        case .fresh(let contents, _): return contents
        case .needsRecheck: return try open(db, token: token)
        }
    }

    enum UnlockedRead {
        case none
        /// The cart as stored is what the shopper gets; `row` also holds `extraColumns`.
        case fresh(CartContents, row: Row)
        /// A line changed in the catalog: only `open` may fix it.
        case needsRecheck
    }

    /// The cart and its lines in one statement, judged without writing; `extraColumns` (each
    /// with a leading comma, naming `c.`'s columns) are read from the cart row too.
    static func readUnlocked(_ db: Connection, token: String, extraColumns: Query) throws -> UnlockedRead {
        let rows = try db.query("""
            SELECT c.id, c.currency, c.email, c.note, c.discount_code, c.customer_id, c.status\(extraColumns), l.*
            FROM carts c
            LEFT JOIN LATERAL (\(lineSelect) WHERE ci.cart_id = c.id) l ON true
            WHERE c.token_hash = \(tokenHash(token)) AND c.status = 'open'
            ORDER BY l.added_at, l.variant_id
            """)
        guard let first = rows.first else { return .none }
        let header = try Header(row: first)
        var lines: [CartLine] = []
        for row in rows where try row.decode("variant_id", as: Int64?.self) != nil {
            guard case .keep(let line) = try verdict(row, currency: header.currency) else { return .needsRecheck }
            lines.append(line)
        }
        return .fresh(contents(header, lines: lines, notices: []), row: first)
    }

    /// Adds `quantity` units of a variant (on top of any already in the cart). Asking for more than
    /// is in stock takes what is left and says so in `notices`. Throws `CartError` (and changes
    /// nothing) for an unknown variant, a product not for sale, a sold-out variant or a quantity
    /// outside 1...`maxQuantity`.
    public static func add(_ db: Connection, token: String, variantId: Int64, quantity: Int) throws -> CartContents {
        guard (1...maxQuantity).contains(quantity) else { throw CartError.quantityOutOfRange }
        return try mutate(db, token: token, adding(variantId: variantId, quantity: quantity))
    }

    /// A new open cart holding this variant, as `create` then `add` would make it: the variant
    /// is read and checked first (a refused add writes nothing), then the cart and its line are
    /// one statement, so no transaction is needed for "no empty cart is left behind"; then the
    /// usual recheck. Three round trips.
    public static func createWithItem(_ db: Connection, currency: String, customerId: Int64? = nil, variantId: Int64,
                                      quantity: Int) throws -> (token: String, contents: CartContents) {
        guard (1...maxQuantity).contains(quantity) else { throw CartError.quantityOutOfRange }
        let variant = try sellableVariant(db, id: variantId)
        let (granted, notices) = try grant(variant, existing: 0, lines: 0, quantity: quantity)
        let token = SecureRandom.token(bytes: 32)
        guard let row = try db.queryFirst("""
            WITH cart AS (
                INSERT INTO carts (token_hash, currency, customer_id)
                VALUES (\(tokenHash(token)), \(currency.uppercased()), \(customerId))
                RETURNING \(headerColumns)
            ),
            line AS (
                INSERT INTO cart_items (cart_id, variant_id, quantity, unit_price_minor)
                SELECT id, \(variantId), \(granted), \(variant.priceMinor) FROM cart
            )
            SELECT * FROM cart
            """) else { throw CommerceError.missingResult("INSERT INTO carts") }
        let header = try Header(row: row)
        var contents = try recheck(db, header)
        contents.notices = merged(notices, contents.notices)
        return (token, contents)
    }

    /// How many of `variant` a cart holding `existing` of it in `lines` lines gets when the
    /// shopper adds `quantity`: what is left when that is fewer (with a notice); throws when the
    /// cart is full, the variant sold out, or the total passes `maxQuantity`.
    static func grant(_ variant: SellableVariant, existing: Int, lines: Int,
                      quantity: Int) throws -> (granted: Int, notices: [CartNotice]) {
        if existing == 0, lines >= maxLines { throw CartError.tooManyLines }
        if let left = variant.available, left <= 0 { throw CartError.soldOut(title: variant.displayName) }
        let wanted = existing + quantity
        guard wanted <= maxQuantity else { throw CartError.quantityOutOfRange }
        if let left = variant.available, wanted > left {
            return (left, [lowered(variant.id, variant.displayName, left: left)])
        }
        return (wanted, [])
    }

    /// `add`'s change to a locked cart.
    static func adding(variantId: Int64, quantity: Int) -> (Connection, Header) throws -> [CartNotice] {
        { db, header in
            // The variant, and what the cart already holds: of it, and in lines.
            guard let row = try db.queryFirst("""
                SELECT * FROM (\(sellableVariantSelect) WHERE v.id = \(variantId)) variant,
                       (SELECT coalesce(max(quantity) FILTER (WHERE variant_id = \(variantId)), 0) AS existing,
                               count(*) AS lines
                        FROM cart_items WHERE cart_id = \(header.id)) held
                """) else { throw CartError.unknownVariant }
            let variant = try sellableVariant(row: row, id: variantId)
            let (granted, notices) = try grant(variant, existing: try row.decode("existing"), lines: try row.decode("lines"),
                                               quantity: quantity)
            _ = try db.execute("""
                INSERT INTO cart_items (cart_id, variant_id, quantity, unit_price_minor)
                VALUES (\(header.id), \(variantId), \(granted), \(variant.priceMinor))
                ON CONFLICT (cart_id, variant_id)
                DO UPDATE SET quantity = EXCLUDED.quantity, unit_price_minor = EXCLUDED.unit_price_minor
                """)
            return notices
        }
    }

    /// Sets a line's quantity (0 removes it). More than is in stock takes what is left, with a
    /// notice. Throws `CartError.lineNotFound` when the variant is not in the cart.
    public static func setQuantity(_ db: Connection, token: String, variantId: Int64, quantity: Int) throws -> CartContents {
        guard (0...maxQuantity).contains(quantity) else { throw CartError.quantityOutOfRange }
        return try mutate(db, token: token) { db, header in
            try setLine(db, cartId: header.id, variantId: variantId, quantity: quantity)
        }
    }

    /// Removes a line (a line already gone is not an error: the shopper wanted it gone).
    public static func remove(_ db: Connection, token: String, variantId: Int64) throws -> CartContents {
        try mutate(db, token: token) { db, header in
            _ = try db.execute("DELETE FROM cart_items WHERE cart_id = \(header.id) AND variant_id = \(variantId)")
            return []
        }
    }

    /// The cart page's "Update" button: every quantity at once (0 removes; variants not in the
    /// cart are ignored) and the note when given. All or nothing: one bad quantity changes nothing.
    public static func update(_ db: Connection, token: String, quantities: [Int64: Int], note: String?) throws -> CartContents {
        guard quantities.values.allSatisfy({ (0...maxQuantity).contains($0) }) else { throw CartError.quantityOutOfRange }
        return try mutate(db, token: token) { db, header in
            var notices: [CartNotice] = []
            for (variantId, quantity) in quantities.sorted(by: { $0.key < $1.key }) {
                do {
                    notices += try setLine(db, cartId: header.id, variantId: variantId, quantity: quantity)
                } catch CartError.lineNotFound {
                    continue
                }
            }
            if let note {
                // Control characters (NUL above all, which text cannot hold) are dropped.
                let clean = String(String.UnicodeScalarView(note.unicodeScalars.filter {
                    $0 == "\n" || $0 == "\t" || !($0.properties.generalCategory == .control)
                })).prefix(maxNoteLength)
                _ = try db.execute("UPDATE carts SET note = \(String(clean)) WHERE id = \(header.id)")
            }
            return notices
        }
    }

    /// Empties the cart (the cart and its token stay).
    public static func clear(_ db: Connection, token: String) throws -> CartContents {
        try mutate(db, token: token) { db, header in
            _ = try db.execute("DELETE FROM cart_items WHERE cart_id = \(header.id)")
            return []
        }
    }

    /// The longest note kept (longer ones are cut).
    public static let maxNoteLength = 2_000
}
