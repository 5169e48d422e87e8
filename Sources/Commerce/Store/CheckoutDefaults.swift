import Postgres

/// What a store needs before its first sale, set up the way a Shopify-class store starts:
/// shipping to its own country and the rest of the world, and (for the demo store) payment
/// methods and a sales tax, so a shopper can buy at once. Each part runs only on a store that
/// has none of it yet, so provisioning may run it again.
public enum CheckoutDefaults {
    /// "Domestic" (the store's country: Standard, free from 75; Express) and "Rest of world"
    /// (International), priced in whole units of the store's currency.
    public static func installShipping(_ db: Connection, country: String, currency: String) throws {
        try db.transaction { db in
            guard try db.queryFirst("SELECT 1 AS present FROM shipping_zones LIMIT 1") == nil else { return }
            func units(_ n: Int64) -> Int64 { Currency.minor(whole: n, currency) }
            guard let domestic = try db.queryFirst("""
                INSERT INTO shipping_zones (name) VALUES ('Domestic') RETURNING id
                """) else { throw CommerceError.missingResult("shipping_zones insert") }
            let domesticId: Int64 = try domestic.decode("id")
            try db.execute("INSERT INTO shipping_zone_countries (zone_id, country_code) VALUES (\(domesticId), \(country))")
            try db.execute("""
                INSERT INTO shipping_rates (zone_id, name, kind, price_minor, free_over_minor,
                                            delivery_days_min, delivery_days_max, position)
                VALUES (\(domesticId), 'Standard', 'flat', \(units(5)), \(units(75)), 3, 5, 1),
                       (\(domesticId), 'Express', 'flat', \(units(15)), NULL, 1, 2, 2)
                """)
            guard let world = try db.queryFirst("""
                INSERT INTO shipping_zones (name, rest_of_world) VALUES ('Rest of world', true) RETURNING id
                """) else { throw CommerceError.missingResult("shipping_zones insert") }
            let worldId: Int64 = try world.decode("id")
            try db.execute("""
                INSERT INTO shipping_rates (zone_id, name, kind, price_minor, delivery_days_min, delivery_days_max, position)
                VALUES (\(worldId), 'International', 'flat', \(units(20)), 6, 12, 1)
                """)
        }
    }

    /// The demo store's payment methods (bank transfer with instructions, cash on delivery) and
    /// two US state sales taxes, so `make run` shows a complete purchase.
    public static func installDemoCheckout(_ db: Connection) throws {
        try db.transaction { db in
            if try db.queryFirst("SELECT 1 AS present FROM payment_providers LIMIT 1") == nil {
                try db.execute("""
                    INSERT INTO payment_providers (kind, name, enabled, instructions, position)
                    VALUES ('bank_transfer', 'Bank transfer', true,
                            'Pay to Demo Store, IBAN DE89 3704 0044 0532 0130 00, BIC COBADEFFXXX. Use your order number as the reference. We ship as soon as the money arrives.', 1),
                           ('cash_on_delivery', 'Cash on delivery', true,
                            'Pay the courier in cash when your parcel arrives.', 2)
                    """)
            }
            if try db.queryFirst("SELECT 1 AS present FROM tax_rates LIMIT 1") == nil {
                try db.execute("""
                    INSERT INTO tax_rates (country_code, region_code, name, rate_ppm)
                    VALUES ('US', 'CA', 'California sales tax', 72500),
                           ('US', 'NY', 'New York sales tax', 88750)
                    """)
            }
        }
    }
}
