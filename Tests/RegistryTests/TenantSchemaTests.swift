import Commerce
import Foundation
import Postgres
import Testing

/// The tenant schema's rules, checked on real PostgreSQL: every migration applied in order to an
/// empty database, then the constraints a merchant or shopper would run into.
@Suite("Tenant schema")
struct TenantSchemaTests {
    @Test func migrationsCreateTheWholeStoreSchema() throws {
        try TenantScratchDatabase.with { db in
            let tables = Set(try db.query("""
                SELECT tablename FROM pg_tables WHERE schemaname = 'public'
                """).map { try $0.decode("tablename", as: String.self) })
            let expected: Set<String> = [
                "products", "product_handle_redirects", "product_options", "product_option_values",
                "variants", "variant_option_values", "product_images", "product_image_sizes",
                "categories", "collections", "collection_products", "inventory_movements",
                "customers", "customer_addresses", "customer_sessions", "carts", "cart_items",
                "orders", "order_items", "payments", "refunds", "refund_items", "payment_events",
                "discount_codes", "discount_code_products", "discount_code_collections", "discount_uses",
                "reviews", "payment_providers", "shipping_zones", "shipping_zone_countries",
                "shipping_rates", "tax_rates", "shipments", "shipment_items", "tracking_events",
                "shopping_feeds", "shopping_feed_collections", "shopping_feed_warnings", "pages",
                "theme_settings", "store_settings", "audit_log", "outbox", "customer_tokens", "order_events",
            ]
            #expect(expected.subtracting(tables).isEmpty, "missing: \(expected.subtracting(tables).sorted())")
            // One settings row exists from the start, and a second cannot be added.
            let settings = try db.query("SELECT currency, timezone FROM store_settings")
            #expect(settings.count == 1)
            #expect(try settings.first?.decode("currency", as: String.self) == "USD")
            #expect(schemaRefusal { try db.execute("INSERT INTO store_settings (id) VALUES (false)") }?.kind == .checkViolation)
        }
    }

    @Test func everyForeignKeyHasAnIndexForItsLookups() throws {
        // Without one, deleting a product or an order scans every referencing table.
        try TenantScratchDatabase.with { db in
            let unindexed = try db.query("""
                SELECT c.conrelid::regclass::text AS table_name, c.conname::text AS constraint_name
                FROM pg_constraint c
                WHERE c.contype = 'f' AND c.connamespace = 'public'::regnamespace
                  AND NOT EXISTS (SELECT 1 FROM pg_index i
                                  WHERE i.indrelid = c.conrelid AND i.indkey[0] = c.conkey[1])
                ORDER BY 1, 2
                """).map { "\(try $0.decode("table_name", as: String.self)).\(try $0.decode("constraint_name", as: String.self))" }
            #expect(unindexed == [])
            let foreignKeys = try #require(try db.queryFirst("""
                SELECT count(*) AS n FROM pg_constraint WHERE contype = 'f' AND connamespace = 'public'::regnamespace
                """)).decode("n", as: Int.self)
            #expect(foreignKeys > 50)
        }
    }

    @Test func negativeMoneyIsRefused() throws {
        try TenantScratchDatabase.with { db in
            let product = try insertProduct(db, handle: "mug")
            let refused: [Query] = [
                "INSERT INTO variants (product_id, price_minor, position) VALUES (\(product), -1, 1)",
                "INSERT INTO variants (product_id, price_minor, compare_at_minor, position) VALUES (\(product), 100, -1, 1)",
                "INSERT INTO variants (product_id, price_minor, cost_minor, position) VALUES (\(product), 100, -1, 1)",
                "INSERT INTO order_items (order_id, title, quantity, unit_price_minor) VALUES (\(try insertOrder(db)), 'Mug', 1, -1)",
            ]
            for statement in refused {
                #expect(schemaRefusal { try db.execute(statement) }?.kind == .checkViolation, "\(statement)")
            }
            #expect(schemaRefusal {
                try db.execute("INSERT INTO shipping_zones (name) VALUES ('Home')")
                try db.execute("INSERT INTO shipping_rates (zone_id, name, kind, price_minor) SELECT id, 'Post', 'flat', -500 FROM shipping_zones")
            }?.kind == .checkViolation)
            #expect(schemaRefusal {
                try db.execute("""
                    INSERT INTO orders (email, currency, subtotal_minor, discount_minor, total_minor)
                    VALUES ('a@example.com', 'USD', 1000, 1500, -500)
                    """)
            }?.kind == .checkViolation)
            // Zero is a legal price (free samples).
            try db.execute("INSERT INTO variants (product_id, price_minor, position) VALUES (\(product), 0, 1)")
        }
    }

    @Test func duplicateOrMalformedHandleIsRefused() throws {
        try TenantScratchDatabase.with { db in
            _ = try insertProduct(db, handle: "linen-shirt")
            let duplicate = schemaRefusal { _ = try insertProduct(db, handle: "linen-shirt") }
            #expect(duplicate?.kind == .uniqueViolation)
            #expect(duplicate?.constraintName == "products_handle_key")
            for bad in ["Linen-Shirt", "linen shirt", "a/b", "", "x?y"] {
                #expect(schemaRefusal { _ = try insertProduct(db, handle: bad) }?.kind == .checkViolation, "\(bad)")
            }
        }
    }

    @Test func duplicateSkuIsRefusedButManyVariantsMayHaveNone() throws {
        try TenantScratchDatabase.with { db in
            let a = try insertProduct(db, handle: "a")
            let b = try insertProduct(db, handle: "b")
            try db.execute("INSERT INTO variants (product_id, price_minor, position, sku) VALUES (\(a), 100, 1, 'TEE-M')")
            let error = schemaRefusal {
                try db.execute("INSERT INTO variants (product_id, price_minor, position, sku) VALUES (\(b), 100, 1, 'TEE-M')")
            }
            #expect(error?.kind == .uniqueViolation)
            #expect(error?.constraintName == "variants_sku_key")
            try db.execute("INSERT INTO variants (product_id, price_minor, position) VALUES (\(b), 100, 1), (\(b), 100, 2)")
            #expect(schemaRefusal {
                try db.execute("INSERT INTO variants (product_id, price_minor, position, sku) VALUES (\(b), 100, 3, '')")
            }?.kind == .checkViolation)
        }
    }

    @Test func stockBelowZeroOnlyWhenTheVariantKeepsSelling() throws {
        try TenantScratchDatabase.with { db in
            let product = try insertProduct(db, handle: "candle")
            let deny = try insertVariant(db, product: product, position: 1, quantity: 2, policy: "deny")
            let keepsSelling = try insertVariant(db, product: product, position: 2, quantity: 2, policy: "continue")

            // Selling three of two: refused for "deny", so an order cannot oversell it...
            let oversold = schemaRefusal {
                try db.execute("UPDATE variants SET inventory_quantity = inventory_quantity - 3 WHERE id = \(deny)")
            }
            #expect(oversold?.kind == .checkViolation)
            #expect(oversold?.constraintName == "variants_stock_not_negative")
            #expect(try quantity(db, deny) == 2)
            // ...and allowed for "continue" (back-orders).
            try db.execute("UPDATE variants SET inventory_quantity = inventory_quantity - 3 WHERE id = \(keepsSelling)")
            #expect(try quantity(db, keepsSelling) == -1)
            // Switching a back-ordered variant to "deny" while below zero is refused too.
            #expect(schemaRefusal {
                try db.execute("UPDATE variants SET inventory_policy = 'deny' WHERE id = \(keepsSelling)")
            }?.kind == .checkViolation)
        }
    }

    @Test func productOfferFollowsItsVariants() throws {
        try TenantScratchDatabase.with { db in
            let product = try insertProduct(db, handle: "tote")
            func offer() throws -> (min: Int64?, max: Int64?, available: Bool) {
                let row = try #require(try db.queryFirst("SELECT price_min_minor, price_max_minor, available FROM products WHERE id = \(product)"))
                return (try row.decode("price_min_minor"), try row.decode("price_max_minor"), try row.decode("available"))
            }
            #expect(try offer() == (nil, nil, false))
            let large = try insertVariant(db, product: product, position: 1, quantity: 0, policy: "deny", price: 5_000)
            #expect(try offer() == (5_000, 5_000, false))
            let small = try insertVariant(db, product: product, position: 2, quantity: 2, policy: "deny", price: 3_000)
            #expect(try offer() == (3_000, 5_000, true))
            // Selling one of two keeps the offer; the stock total's change waits (0019) until
            // the admin list folds it in.
            func stored() throws -> Int64 {
                try #require(try db.queryFirst("SELECT inventory_total FROM products WHERE id = \(product)")).decode("inventory_total")
            }
            func waiting() throws -> Int {
                try #require(try db.queryFirst("SELECT count(*) AS n FROM product_inventory_changes")).decode("n")
            }
            func stock() throws -> Int64 {
                try db.execute("SELECT fold_product_inventory()")
                return try stored()
            }
            #expect(try stock() == 2)
            let edited = try #require(try db.queryFirst("SELECT updated_at FROM products WHERE id = \(product)")).decode("updated_at", as: Date.self)
            try db.execute("UPDATE variants SET inventory_quantity = inventory_quantity - 1 WHERE id = \(small)")
            #expect(try offer() == (3_000, 5_000, true))
            #expect(try stored() == 2 && waiting() == 1)
            #expect(try stock() == 1)
            #expect(try waiting() == 0)
            // Folding is not an edit: the product's updated_at stays.
            #expect(try #require(try db.queryFirst("SELECT updated_at FROM products WHERE id = \(product)")).decode("updated_at", as: Date.self) == edited)
            try db.execute("UPDATE variants SET inventory_quantity = inventory_quantity + 1 WHERE id = \(small)")
            #expect(try stock() == 2)
            // A summary from the variants (a price change) counts what was waiting, and drops it.
            try db.execute("UPDATE variants SET inventory_quantity = inventory_quantity + 3 WHERE id = \(small)")
            try db.execute("UPDATE variants SET price_minor = 3100 WHERE id = \(small)")
            #expect(try waiting() == 0 && stored() == 5)
            try db.execute("UPDATE variants SET inventory_quantity = inventory_quantity - 3, price_minor = 3000 WHERE id = \(small)")
            #expect(try stock() == 2)
            // Selling the last two units makes the product unavailable...
            try db.execute("UPDATE variants SET inventory_quantity = inventory_quantity - 2 WHERE id = \(small)")
            #expect(try offer() == (3_000, 5_000, false))
            // ...until a variant may be sold on back-order.
            try db.execute("UPDATE variants SET inventory_policy = 'continue' WHERE id = \(large)")
            #expect(try offer() == (3_000, 5_000, true))
            try db.execute("UPDATE variants SET price_minor = 2500 WHERE id = \(large)")
            #expect(try offer() == (2_500, 3_000, true))
            try db.execute("DELETE FROM variants WHERE product_id = \(product)")
            #expect(try offer() == (nil, nil, false))
        }
    }

    /// A sale that leaves a tracked count above 50 (what pages never show exactly) does not move
    /// the storefront's cache key; a count at or below 50, availability, or any other change of
    /// a variant does (tenant migration 0020).
    @Test func storefrontVersionMovesOnlyForStockAShopperSees() throws {
        try TenantScratchDatabase.with { db in
            func version() throws -> Int64 {
                try #require(try db.queryFirst("SELECT version FROM storefront_version")).decode("version")
            }
            let product = try insertProduct(db, handle: "lamp")
            let plenty = try insertVariant(db, product: product, position: 1, quantity: 1_000, policy: "deny", price: 4_000)
            let few = try insertVariant(db, product: product, position: 2, quantity: 53, policy: "deny", price: 4_000)
            var last = try version()
            func moved(_ sql: String) throws -> Bool {
                try db.execute(Query(unsafeSQL: sql))
                let now = try version()
                defer { last = now }
                return now != last
            }
            #expect(try !moved("UPDATE variants SET inventory_quantity = inventory_quantity - 2 WHERE id = \(plenty)"))
            #expect(try !moved("UPDATE variants SET inventory_quantity = inventory_quantity - 2 WHERE id = \(few)"))   // 53 → 51
            #expect(try moved("UPDATE variants SET inventory_quantity = inventory_quantity - 1 WHERE id = \(few)"))    // 51 → 50
            #expect(try moved("UPDATE variants SET inventory_quantity = inventory_quantity - 1 WHERE id = \(few)"))    // 50 → 49
            #expect(try moved("UPDATE variants SET inventory_quantity = 60 WHERE id = \(few)"))                        // 49 → 60
            #expect(try moved("UPDATE variants SET price_minor = 3900 WHERE id = \(plenty)"))
            #expect(try moved("UPDATE variants SET inventory_quantity = inventory_quantity - 1, sku = 'L-1' WHERE id = \(plenty)"))
            #expect(try !moved("UPDATE variants SET inventory_quantity = inventory_quantity + 5 WHERE id IN (\(plenty), \(few))"))
            #expect(try moved("UPDATE variants SET inventory_quantity = 0 WHERE id = \(plenty)"))   // sold out
            // Untracked: the count is never shown, so it moves nothing.
            #expect(try moved("UPDATE variants SET inventory_tracked = false, inventory_quantity = 3 WHERE id = \(plenty)"))
            #expect(try !moved("UPDATE variants SET inventory_quantity = 7 WHERE id = \(plenty)"))
            #expect(try moved("DELETE FROM variants WHERE id = \(few)"))
        }
    }

    /// The dashboard's cache key moves once per committed change of orders, at commit, and
    /// never for a rolled-back one (tenant migration 0017).
    @Test func reportsVersionMovesOncePerCommittedOrderChange() throws {
        try TenantScratchDatabase.with { db in
            func version() throws -> Int64 {
                try #require(try db.queryFirst("SELECT version FROM reports_version")).decode("version")
            }
            let start = try version()
            try db.transaction { db in
                let order = try insertOrder(db)
                try db.execute("""
                    INSERT INTO order_items (order_id, title, quantity, unit_price_minor)
                    VALUES (\(order), 'A', 1, 500), (\(order), 'B', 1, 500)
                    """)
                #expect(try version() == start)   // not yet: the bump waits for the commit
            }
            #expect(try version() == start + 1)
            struct Undo: Error {}
            #expect(throws: Undo.self) {
                try db.transaction { db in
                    _ = try insertOrder(db)
                    throw Undo()
                }
            }
            #expect(try version() == start + 1)
            _ = try insertOrder(db)
            #expect(try version() == start + 2)
        }
    }

    @Test func deletingAProductRemovesItsCatalogRowsButKeepsOrderHistory() throws {
        try TenantScratchDatabase.with { db in
            let product = try insertProduct(db, handle: "trail-runner")
            try db.execute("INSERT INTO product_images (product_id, position, storage_key, content_type) VALUES (\(product), 1, 'a.jpg', 'image/jpeg')")
            try db.execute("INSERT INTO product_options (product_id, name, position) VALUES (\(product), 'Size', 1)")
            try db.execute("INSERT INTO product_option_values (option_id, value, position) SELECT id, '42', 1 FROM product_options")
            let variant = try insertVariant(db, product: product, position: 1, quantity: 5, policy: "deny")
            try db.execute("""
                INSERT INTO variant_option_values (variant_id, product_id, option_id, option_value_id)
                SELECT \(variant), \(product), o.id, v.id FROM product_options o JOIN product_option_values v ON v.option_id = o.id
                """)
            try db.execute("INSERT INTO collections (handle, title) VALUES ('shoes', 'Shoes')")
            try db.execute("INSERT INTO collection_products (collection_id, product_id) SELECT id, \(product) FROM collections")
            try db.execute("UPDATE products SET handle = 'trail-runner-2' WHERE id = \(product)")
            try db.execute("INSERT INTO carts (token_hash, currency) VALUES ('\\x01'::bytea, 'USD')")
            try db.execute("INSERT INTO cart_items (cart_id, variant_id, quantity, unit_price_minor) SELECT id, \(variant), 1, 1000 FROM carts")
            let order = try insertOrder(db)
            try db.execute("""
                INSERT INTO order_items (order_id, product_id, variant_id, title, quantity, unit_price_minor)
                VALUES (\(order), \(product), \(variant), 'Trail Runner', 1, 1000)
                """)
            try db.execute("INSERT INTO inventory_movements (variant_id, delta, quantity_after, reason, order_id) VALUES (\(variant), -1, 4, 'order', \(order))")

            try db.execute("DELETE FROM products WHERE id = \(product)")

            for table in ["variants", "product_images", "product_options", "product_option_values",
                          "variant_option_values", "collection_products", "product_handle_redirects",
                          "cart_items", "inventory_movements"] {
                #expect(try count(db, table) == 0, "\(table) should be emptied by the cascade")
            }
            #expect(try count(db, "collections") == 1)
            #expect(try count(db, "carts") == 1)
            // The order keeps its line, detached from the catalog but with its snapshot.
            let line = try #require(try db.queryFirst("SELECT product_id, variant_id, title FROM order_items"))
            #expect(try line.decode("product_id", as: Int64?.self) == nil)
            #expect(try line.decode("variant_id", as: Int64?.self) == nil)
            #expect(try line.decode("title", as: String.self) == "Trail Runner")
        }
    }

    @Test func deletingAnOrderRemovesItsLinesPaymentsAndRefunds() throws {
        try TenantScratchDatabase.with { db in
            let order = try insertOrder(db)
            try db.execute("INSERT INTO order_items (order_id, title, quantity, unit_price_minor) VALUES (\(order), 'Mug', 1, 1000)")
            try db.execute("INSERT INTO payments (order_id, provider_kind, amount_minor, currency) VALUES (\(order), 'bank_transfer', 1000, 'USD')")
            try db.execute("INSERT INTO refunds (order_id, amount_minor) VALUES (\(order), 500)")
            try db.execute("INSERT INTO shipments (order_id, carrier) VALUES (\(order), 'DHL')")
            try db.execute("DELETE FROM orders WHERE id = \(order)")
            for table in ["order_items", "payments", "refunds", "shipments"] {
                #expect(try count(db, table) == 0, "\(table)")
            }
        }
    }

    @Test func deletingAnImageUnlinksItsVariants() throws {
        try TenantScratchDatabase.with { db in
            let product = try insertProduct(db, handle: "mug")
            let image = try #require(try db.queryFirst("""
                INSERT INTO product_images (product_id, position, storage_key, content_type)
                VALUES (\(product), 1, 'mug.png', 'image/png') RETURNING id
                """)).decode("id", as: Int64.self)
            let variant = try insertVariant(db, product: product, position: 1, quantity: 1, policy: "deny")
            try db.execute("UPDATE variants SET image_id = \(image) WHERE id = \(variant)")
            // An image of another product cannot be linked.
            let other = try insertProduct(db, handle: "plate")
            let otherVariant = try insertVariant(db, product: other, position: 1, quantity: 1, policy: "deny")
            #expect(schemaRefusal {
                try db.execute("UPDATE variants SET image_id = \(image) WHERE id = \(otherVariant)")
            }?.kind == .foreignKeyViolation)

            try db.execute("DELETE FROM product_images WHERE id = \(image)")
            let row = try #require(try db.queryFirst("SELECT product_id, image_id FROM variants WHERE id = \(variant)"))
            #expect(try row.decode("image_id", as: Int64?.self) == nil)
            #expect(try row.decode("product_id", as: Int64.self) == product)
        }
    }

    @Test func renamedHandleRedirectsUntilAnotherProductTakesIt() throws {
        try TenantScratchDatabase.with { db in
            let product = try insertProduct(db, handle: "old-name")
            try db.execute("UPDATE products SET handle = 'new-name' WHERE id = \(product)")
            let redirect = try db.queryFirst("SELECT product_id FROM product_handle_redirects WHERE old_handle = 'old-name'")
            #expect(try redirect?.decode("product_id", as: Int64.self) == product)

            _ = try insertProduct(db, handle: "old-name")
            #expect(try count(db, "product_handle_redirects") == 0)
        }
    }

    @Test func orderSumsMustAddUpAndKeysAreUnique() throws {
        try TenantScratchDatabase.with { db in
            let first = try #require(try db.queryFirst("""
                INSERT INTO orders (email, currency, subtotal_minor, discount_minor, shipping_minor, tax_minor, total_minor, idempotency_key)
                VALUES ('a@example.com', 'EUR', 10000, 1000, 500, 1900, 11400, 'checkout-1') RETURNING number
                """)).decode("number", as: Int64.self)
            #expect(first == 1001)
            // Tax-inclusive prices: tax is inside the subtotal, not added.
            try db.execute("""
                INSERT INTO orders (email, currency, subtotal_minor, shipping_minor, tax_minor, total_minor, taxes_included)
                VALUES ('b@example.com', 'EUR', 11900, 0, 1900, 11900, true)
                """)
            #expect(schemaRefusal {
                try db.execute("""
                    INSERT INTO orders (email, currency, subtotal_minor, tax_minor, total_minor)
                    VALUES ('c@example.com', 'EUR', 10000, 1900, 10000)
                    """)
            }?.constraintName == "orders_total_adds_up")
            let replay = schemaRefusal {
                try db.execute("""
                    INSERT INTO orders (email, currency, subtotal_minor, total_minor, idempotency_key)
                    VALUES ('a@example.com', 'EUR', 100, 100, 'checkout-1')
                    """)
            }
            #expect(replay?.kind == .uniqueViolation)
            // Refunds cannot exceed what was paid.
            #expect(schemaRefusal {
                try db.execute("UPDATE orders SET refunded_minor = 11401 WHERE number = 1001")
            }?.kind == .checkViolation)
        }
    }

    @Test func customersAreUniqueByEmailIgnoringCase() throws {
        try TenantScratchDatabase.with { db in
            try db.execute("INSERT INTO customers (email) VALUES ('Ada@Example.com')")
            #expect(schemaRefusal {
                try db.execute("INSERT INTO customers (email) VALUES ('ada@example.COM')")
            }?.kind == .uniqueViolation)
        }
    }

    @Test func discountUsesCannotPassTheLimit() throws {
        try TenantScratchDatabase.with { db in
            try db.execute("INSERT INTO discount_codes (code, kind, percent_ppm, usage_limit) VALUES ('SUMMER10', 'percentage', 100000, 2)")
            #expect(schemaRefusal {
                try db.execute("INSERT INTO discount_codes (code, kind, amount_minor) VALUES ('summer10', 'fixed_amount', 500)")
            }?.kind == .uniqueViolation)
            let take: Query = "UPDATE discount_codes SET times_used = times_used + 1 WHERE upper(code) = 'SUMMER10'"
            try db.execute(take)
            try db.execute(take)
            #expect(schemaRefusal { try db.execute(take) }?.constraintName == "discount_codes_within_limit")
            // A percentage code needs a percentage and nothing else.
            #expect(schemaRefusal {
                try db.execute("INSERT INTO discount_codes (code, kind, amount_minor) VALUES ('BAD', 'percentage', 500)")
            }?.kind == .checkViolation)
        }
    }

    @Test func categoryCannotBecomeItsOwnAncestor() throws {
        try TenantScratchDatabase.with { db in
            try db.execute("INSERT INTO categories (handle, name) VALUES ('apparel', 'Apparel')")
            try db.execute("INSERT INTO categories (handle, name, parent_id) SELECT 'shirts', 'Shirts', id FROM categories WHERE handle = 'apparel'")
            try db.execute("INSERT INTO categories (handle, name, parent_id) SELECT 'linen', 'Linen', id FROM categories WHERE handle = 'shirts'")
            let cycle = schemaRefusal {
                try db.execute("UPDATE categories SET parent_id = (SELECT id FROM categories WHERE handle = 'linen') WHERE handle = 'apparel'")
            }
            #expect(cycle?.kind == .checkViolation)
            // A parent with children cannot be deleted out from under them.
            #expect(schemaRefusal {
                try db.execute("DELETE FROM categories WHERE handle = 'apparel'")
            }?.kind == .foreignKeyViolation)
        }
    }

    @Test func automaticCollectionsNeedRules() throws {
        try TenantScratchDatabase.with { db in
            #expect(schemaRefusal {
                try db.execute("INSERT INTO collections (handle, title, kind) VALUES ('sale', 'Sale', 'automatic')")
            }?.constraintName == "collections_rules_match_kind")
            for rules in ["[]", "{\"column\": \"tag\"}", "\"tag\""] {
                #expect(schemaRefusal {
                    try db.execute("INSERT INTO collections (handle, title, kind, rules) VALUES ('sale', 'Sale', 'automatic', \(rules)::jsonb)")
                }?.constraintName == "collections_rules_match_kind", "\(rules)")
            }
            try db.execute("""
                INSERT INTO collections (handle, title, kind, rules)
                VALUES ('sale', 'Sale', 'automatic', '[{"column": "tag", "relation": "equals", "condition": "sale"}]')
                """)
            // A manual collection has no rules.
            #expect(schemaRefusal {
                try db.execute("INSERT INTO collections (handle, title, kind, rules) VALUES ('picks', 'Picks', 'manual', '[]')")
            }?.kind == .checkViolation)
        }
    }

    // MARK: Helpers

    func insertProduct(_ db: Connection, handle: String, status: String = "active", title: String = "Product") throws -> Int64 {
        try #require(try db.queryFirst("""
            INSERT INTO products (handle, title, status) VALUES (\(handle), \(title), \(status)) RETURNING id
            """)).decode("id", as: Int64.self)
    }

    func insertVariant(_ db: Connection, product: Int64, position: Int32, quantity: Int32, policy: String,
                       price: Int64 = 1000) throws -> Int64 {
        try #require(try db.queryFirst("""
            INSERT INTO variants (product_id, price_minor, position, inventory_quantity, inventory_policy)
            VALUES (\(product), \(price), \(position), \(quantity), \(policy)) RETURNING id
            """)).decode("id", as: Int64.self)
    }

    func insertOrder(_ db: Connection) throws -> Int64 {
        try #require(try db.queryFirst("""
            INSERT INTO orders (email, currency, subtotal_minor, total_minor)
            VALUES ('buyer@example.com', 'USD', 1000, 1000) RETURNING id
            """)).decode("id", as: Int64.self)
    }

    func quantity(_ db: Connection, _ variant: Int64) throws -> Int32? {
        try db.queryFirst("SELECT inventory_quantity FROM variants WHERE id = \(variant)")?.decode("inventory_quantity")
    }

    func count(_ db: Connection, _ table: String) throws -> Int {
        try #require(try db.queryFirst("SELECT count(*) AS n FROM \(unsafeIdentifier: table)")).decode("n")
    }
}
