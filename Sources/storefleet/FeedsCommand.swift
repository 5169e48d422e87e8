import ArgumentParser
import Commerce
import Feeds
import Foundation
import Postgres
import Registry

/// `storefleet feeds`: shopping feeds for Google, Meta and TikTok.
struct FeedsCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "feeds", abstract: "Shopping feeds (Google Merchant Center, Meta, TikTok).",
        subcommands: [Generate.self, SeedBenchmark.self])

    struct Generate: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Write a store's feed for one channel.",
            discussion: """
                Streams the store's active products from its database and writes the feed as it goes. \
                With --out the file is replaced atomically (a temporary file renamed over it), so a failed \
                generation leaves the previous file in place. Warnings (per product) go to stderr.
                """)

        @Option(help: "The store's slug.")
        var store: String
        @Option(help: "google, meta or tiktok.")
        var channel: String
        @Option(help: "The file to write (default: standard output).")
        var out: String?
        @Option(help: "The storefront origin links point to (default: https:// and the store's primary domain).")
        var baseURL: String?
        @Option(help: "How many warnings to print (0: only the counts).")
        var showWarnings: Int = 20

        func run() throws {
            guard let channel = FeedChannel(rawValue: channel.lowercased()) else {
                complain("storefleet feeds generate: \(FeedError.unknownChannel(self.channel))")
                throw ExitCode(2)
            }
            let env = PlatformEnvironment()
            let registry = try env.ownerConnection()
            let keyring = try env.keyring()
            let directory = StoreDirectory(registry: registry, keyring: keyring, platformDomain: env.platformDomain)
            guard let route = try directory.resolve(slug: store) else {
                complain("storefleet feeds generate: no active store \(store)")
                throw ExitCode(1)
            }
            let db = try TenantConnector.open(storeId: route.storeId, registry: registry, keyring: keyring)
            let shop = try StoreSettings.load(on: db)
            let settings = try FeedSettings.load(channel, on: db)
            let host = route.primaryHost ?? route.slug + "." + env.platformDomain
            let feedStore = FeedStore(
                name: shop.name.isEmpty ? route.name : shop.name, baseURL: baseURL ?? "https://" + host,
                mediaPrefix: "/media/sf_store_\(route.storeId)", currency: shop.currency,
                brandFallback: settings.brandFallback, googleProductCategory: settings.googleProductCategory)
            let generator = FeedGenerator(channel: channel, store: feedStore)
            let source = CatalogFeedSource(db: db, collectionIds: settings.collectionIds)
            var shown = 0
            let limit = showWarnings
            let warn: (FeedWarning) -> Void = { w in
                guard shown < limit else { return }
                shown += 1
                complain("warning: product \(w.productId)\(w.variantId.map { " variant \($0)" } ?? ""): \(w.code.rawValue): \(w.message)")
            }
            let summary: FeedSummary
            if let out {
                summary = try FeedFile.writeAtomically(to: out) { output in
                    try generator.generate(from: source, to: output, warn: warn)
                }
            } else {
                let output = FeedOutput { chunk in
                    try chunk.withUnsafeBytes { raw in
                        var offset = 0
                        while offset < raw.count {
                            let n = write(STDOUT_FILENO, raw.baseAddress! + offset, raw.count - offset)
                            if n < 0 {
                                if errno == EINTR { continue }
                                throw FeedError.file("cannot write to standard output")
                            }
                            offset += n
                        }
                    }
                }
                summary = try generator.generate(from: source, to: output, warn: warn)
            }
            let counts = FeedWarning.Code.allCases.compactMap { code in
                summary.warningCounts[code].map { "\(code.rawValue)=\($0)" }
            }.joined(separator: " ")
            complain("feed \(channel.rawValue) for \(route.slug): \(summary.itemCount) items from \(summary.productCount) products, "
                + "\(summary.skippedCount) left out, \(summary.byteCount) bytes in \(String(format: "%.3f", summary.seconds))s"
                + (counts.isEmpty ? "" : "; warnings: " + counts))
        }
    }

    /// `storefleet feeds seed-benchmark`: a large catalog made with generate_series, for
    /// Benchmarks/feeds/run.sh (hidden: it is not for merchants' stores).
    struct SeedBenchmark: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "seed-benchmark", abstract: "Fill a store with a generated catalog (benchmarks).",
            shouldDisplay: false)

        @Option(help: "The store's slug.")
        var store: String
        @Option(help: "Products to add.")
        var products: Int = 25_000
        @Option(help: "Variants per product (1-6).")
        var variantsPerProduct: Int = 4

        func run() throws {
            let env = PlatformEnvironment()
            let registry = try env.ownerConnection()
            let keyring = try env.keyring()
            let directory = StoreDirectory(registry: registry, keyring: keyring, platformDomain: env.platformDomain)
            guard let route = try directory.resolve(slug: store) else {
                complain("storefleet feeds seed-benchmark: no active store \(store)")
                throw ExitCode(1)
            }
            let perProduct = min(max(variantsPerProduct, 1), 6)
            let db = try TenantConnector.open(storeId: route.storeId, registry: registry, keyring: keyring)
            try db.transaction { db in
                try db.execute("""
                    INSERT INTO products (handle, title, description_html, vendor, product_type, status)
                    SELECT 'bench-' || g, 'Benchmark tee ' || g || ' — organic cotton, relaxed fit',
                           '<p>Soft <strong>organic</strong> cotton &amp; recycled polyester, product ' || g
                           || '.</p><ul><li>Machine wash at 30 °C</li><li>Made in Portugal</li></ul>'
                           || '<p>Relaxed fit with dropped shoulders; pre-shrunk, so it keeps its shape wash after wash.</p>',
                           'Bench & Co', 'T-shirts', 'active'
                    FROM generate_series(1, \(products)) g
                    """)
                try db.execute("""
                    INSERT INTO product_images (product_id, position, alt, storage_key, content_type)
                    SELECT p.id, i, p.title, 'bench/' || p.id || '-' || i || '.jpg', 'image/jpeg'
                    FROM products p CROSS JOIN generate_series(1, 3) i WHERE p.handle LIKE 'bench-%'
                    """)
                try db.execute("""
                    INSERT INTO product_options (product_id, name, position)
                    SELECT id, 'Size', 1 FROM products WHERE handle LIKE 'bench-%'
                    """)
                try db.execute("""
                    INSERT INTO product_option_values (option_id, value, position)
                    SELECT o.id, (ARRAY['XS','S','M','L','XL','XXL'])[v], v
                    FROM product_options o JOIN products p ON p.id = o.product_id
                    CROSS JOIN generate_series(1, \(perProduct)) v WHERE p.handle LIKE 'bench-%'
                    """)
                try db.execute("""
                    INSERT INTO variants (product_id, position, title, sku, price_minor, compare_at_minor,
                                          weight_grams, inventory_quantity)
                    SELECT p.id, v, (ARRAY['XS','S','M','L','XL','XXL'])[v], 'BENCH-' || p.id || '-' || v,
                           1900 + v * 100, CASE WHEN v = 2 THEN 2900 END, 180 + v * 10, (p.id + v) % 7
                    FROM products p CROSS JOIN generate_series(1, \(perProduct)) v WHERE p.handle LIKE 'bench-%'
                    """)
                try db.execute("""
                    INSERT INTO variant_option_values (variant_id, product_id, option_id, option_value_id)
                    SELECT va.id, va.product_id, o.id, ov.id
                    FROM variants va
                    JOIN product_options o ON o.product_id = va.product_id AND o.name = 'Size'
                    JOIN product_option_values ov ON ov.option_id = o.id AND ov.position = va.position
                    WHERE va.sku LIKE 'BENCH-%'
                    """)
            }
            try db.execute("ANALYZE")
            say("seeded \(route.slug): \(products) products × \(perProduct) variants = \(products * perProduct) variants")
        }
    }
}
