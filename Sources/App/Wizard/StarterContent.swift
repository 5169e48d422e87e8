import Commerce
import Postgres
import Registry

/// What a new store starts with, written into its own database by the `store.provision` job
/// after the Provisioner: the chosen theme, the money formats of its currency, the sample
/// catalog and pages if asked for, and the merchant's first product. Every part may run again
/// (a retry) without adding anything twice.
public enum StarterContent {
    /// Sample products a store gets when the merchant asks for them.
    public static let sampleProductCount = 12

    public static func load(into db: Connection, plan: StoreSetupPlan) throws {
        try db.transaction { db in
            let formats = MoneyFormats.forCurrency(plan.currency)
            try db.execute("""
                UPDATE store_settings SET money_format = \(formats.money),
                    money_with_currency_format = \(formats.moneyWithCurrency)
                """)
            try db.execute("UPDATE theme_settings SET is_current = false WHERE is_current AND theme <> \(plan.theme)")
            try db.execute("""
                INSERT INTO theme_settings (theme, settings, is_current) VALUES (\(plan.theme), '{}', true)
                ON CONFLICT (theme) DO UPDATE SET is_current = true
                """)
            try CheckoutDefaults.installShipping(db, country: plan.country, currency: plan.currency)
            // Before the samples: a sample product with the same handle then steps aside.
            if let product = plan.firstProduct {
                try insertFirstProduct(product, into: db)
            }
            if plan.sampleData {
                try SampleCatalog.insert(into: db, count: sampleProductCount)
                // The merchant's own product leads the featured collection the samples fill.
                if let product = plan.firstProduct {
                    try db.execute("""
                        INSERT INTO collection_products (collection_id, product_id, position)
                        SELECT c.id, p.id, 0 FROM collections c, products p
                        WHERE c.handle = \(SampleCatalog.featuredCollectionHandle) AND p.handle = \(productHandle(product.title))
                        ON CONFLICT DO NOTHING
                        """)
                    // ...and the home page shows that collection, so the merchant's product is
                    // the first thing on the new storefront (else it shows the newest samples).
                    try db.execute("""
                        UPDATE theme_settings
                        SET settings = settings || jsonb_build_object('featured_collection', \(SampleCatalog.featuredCollectionHandle)::text)
                        WHERE theme = \(plan.theme)
                        """)
                }
            }
        }
    }

    static func insertFirstProduct(_ product: StoreSetupPlan.FirstProduct, into db: Connection) throws {
        let handle = productHandle(product.title)
        guard let row = try db.queryFirst("""
            INSERT INTO products (handle, title, status, published_at) VALUES (\(handle), \(product.title), 'active', now())
            ON CONFLICT (handle) DO NOTHING
            RETURNING id
            """) else { return }
        let id: Int64 = try row.decode("id")
        // No stock count yet: the merchant has not said how many they have, so it never sells out.
        try db.execute("""
            INSERT INTO variants (product_id, position, title, price_minor, inventory_tracked)
            VALUES (\(id), 1, 'Default Title', \(product.priceMinor), false)
            """)
    }

    /// A URL handle from a title: lower-case letters and digits of any script, hyphens between words.
    static func productHandle(_ title: String) -> String {
        var handle = ""
        var pendingHyphen = false
        for ch in title.lowercased() {
            if ch.isLetter || ch.isNumber {
                if pendingHyphen && !handle.isEmpty { handle.append("-") }
                handle.append(ch)
                pendingHyphen = false
            } else {
                pendingHyphen = true
            }
        }
        if handle.isEmpty { handle = "product" }
        return String(handle.prefix(200))
    }
}
