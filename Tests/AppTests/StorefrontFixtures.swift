import Foundation
import HTTP
import Postgres
import Registry
import Testing
@testable import App

/// A small, fixed catalog for storefront page tests: every id, price, date order and text is the
/// same on every run (each store has its own database, so identities start at 1).
enum StorefrontFixtures {
    /// Seeds products with options and variants, a draft and an archived product, a collection,
    /// a page and store settings. Returns the tenant connection it used.
    @discardableResult
    static func seed(_ stack: AppStack, _ store: ProvisionedStore) throws -> Connection {
        let db = try stack.tenantConnection(store)
        try db.transaction { db in
            try db.executeScript(unsafeSQL: """
                INSERT INTO products (id, handle, title, description_html, vendor, product_type, tags, status, created_at,
                                      seo_description)
                OVERRIDING SYSTEM VALUE VALUES
                  (1, 'field-jacket', 'Field Jacket', '<p>Waxed cotton <strong>jacket</strong> with a corduroy collar.</p>',
                   'Northbound', 'Outerwear', '{outdoor}', 'active', '2026-01-01 10:00:00+00', NULL),
                  (2, 'canvas-tote', 'Canvas Tote', '<p>Heavy canvas, inside pocket.</p>', 'Harbor & Pine', 'Bags',
                   '{}', 'active', '2026-01-02 10:00:00+00', 'A tote for every day.'),
                  (3, 'brass-pencil', 'Brass Pencil', '', 'Harbor & Pine', 'Stationery', '{}', 'active',
                   '2026-01-03 10:00:00+00', NULL),
                  (4, 'secret-draft', 'Secret Draft Lamp', '', 'Northbound', 'Home', '{}', 'draft',
                   '2026-01-04 10:00:00+00', NULL),
                  (5, 'old-archive', 'Old Archived Chair', '', 'Northbound', 'Home', '{}', 'archived',
                   '2026-01-05 10:00:00+00', NULL);
                INSERT INTO product_options (id, product_id, name, position) OVERRIDING SYSTEM VALUE
                  VALUES (1, 1, 'Size', 1);
                INSERT INTO product_option_values (id, option_id, value, position) OVERRIDING SYSTEM VALUE
                  VALUES (1, 1, 'S', 1), (2, 1, 'M', 2), (3, 1, 'L', 3);
                INSERT INTO product_images (id, product_id, position, alt, storage_key, content_type, width, height)
                OVERRIDING SYSTEM VALUE VALUES
                  (1, 1, 1, 'Field jacket, front', '/assets/sample/shirt.svg', 'image/svg+xml', 800, 1000),
                  (2, 1, 2, '', '/assets/sample/tee.svg', 'image/svg+xml', 800, 1000),
                  (3, 2, 1, 'Canvas tote on a chair', '/assets/sample/backpack.svg', 'image/svg+xml', 800, 1000);
                INSERT INTO variants (id, product_id, position, title, sku, barcode, price_minor, compare_at_minor,
                                      inventory_tracked, inventory_quantity, inventory_policy, image_id)
                OVERRIDING SYSTEM VALUE VALUES
                  (1, 1, 1, 'S', 'FJ-S', '0012345678905', 12000, NULL, true, 10, 'deny', 1),
                  (2, 1, 2, 'M', 'FJ-M', NULL, 12000, 15000, true, 2, 'deny', 2),
                  (3, 1, 3, 'L', 'FJ-L', NULL, 13000, NULL, true, 0, 'deny', NULL),
                  (4, 2, 1, 'Default Title', 'TOTE', NULL, 3800, NULL, false, 0, 'deny', NULL),
                  (5, 3, 1, 'Default Title', 'PENCIL', NULL, 2400, 3000, true, 0, 'continue', NULL),
                  (6, 4, 1, 'Default Title', 'LAMP', NULL, 9900, NULL, true, 5, 'deny', NULL),
                  (7, 5, 1, 'Default Title', 'CHAIR', NULL, 19900, NULL, true, 5, 'deny', NULL);
                INSERT INTO variant_option_values (variant_id, product_id, option_id, option_value_id)
                  VALUES (1, 1, 1, 1), (2, 1, 1, 2), (3, 1, 1, 3);
                INSERT INTO collections (id, handle, title, description_html, sort_order) OVERRIDING SYSTEM VALUE
                  VALUES (1, 'carry', 'Carry', '<p>Bags and small things.</p>', 'manual');
                INSERT INTO collection_products (collection_id, product_id, position) VALUES (1, 3, 1), (1, 2, 2);
                INSERT INTO pages (id, handle, title, body_html) OVERRIDING SYSTEM VALUE
                  VALUES (1, 'about', 'About us', '<p>We make <em>useful</em> things.</p>');
                UPDATE store_settings SET contact_email = 'hello@fieldnote.example';
                """)
            // Columns the admin migration (0009) adds; skipped on a schema without them.
            _ = try? db.transaction { db in
                try db.execute("UPDATE store_settings SET refund_policy = \("Returns within 30 days.\n\nUnworn items only."), phone = '+1 555 0100'")
            }
        }
        return db
    }

    /// Makes a theme current with these settings (the admin's theme page writes the same row).
    static func useTheme(_ db: Connection, _ theme: String, settings: String = "{}") throws {
        try db.transaction { db in
            try db.execute("UPDATE theme_settings SET is_current = false WHERE is_current AND theme <> \(theme)")
            try db.execute("""
                INSERT INTO theme_settings (theme, settings, is_current) VALUES (\(theme), \(JSON(rawText: settings)), true)
                ON CONFLICT (theme) DO UPDATE SET settings = EXCLUDED.settings, is_current = true
                """)
        }
    }

    /// The page once it satisfies `condition` (a NOTIFY reaches the worker just after the commit).
    static func page(_ handle: (Request) -> Response, _ path: String, host: String,
                     until condition: (String) -> Bool) throws -> String {
        let deadline = ContinuousClock.now + .seconds(2)
        var text = handle(try get(path, host: host)).text
        while !condition(text), ContinuousClock.now < deadline { text = handle(try get(path, host: host)).text }
        return text
    }

    /// The JSON-LD objects of a page.
    static func structuredData(_ html: String) throws -> [[String: Any]] {
        var out: [[String: Any]] = []
        var rest = html[...]
        while let open = rest.range(of: "<script type=\"application/ld+json\">") {
            guard let close = rest[open.upperBound...].range(of: "</script>") else { break }
            let json = String(rest[open.upperBound..<close.lowerBound])
            if let object = try JSONSerialization.jsonObject(with: Data(json.utf8)) as? [String: Any] { out.append(object) }
            rest = rest[close.upperBound...]
        }
        return out
    }
}
