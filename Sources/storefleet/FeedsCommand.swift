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
        subcommands: [Generate.self, Enable.self, Disable.self, Publish.self, RotateToken.self, Status.self, SeedBenchmark.self])

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

    /// The store and channel options most subcommands share.
    struct Target: ParsableArguments {
        @Option(help: "The store's slug.")
        var store: String
        @Option(help: "google, meta or tiktok (default: every channel).")
        var channel: String?

        func channels() throws -> [FeedChannel] {
            guard let channel else { return FeedChannel.allCases }
            guard let c = FeedChannel(rawValue: channel.lowercased()) else {
                complain("storefleet feeds: \(FeedError.unknownChannel(channel))")
                throw ExitCode(2)
            }
            return [c]
        }

        func context() throws -> (FeedsJob.Context, Connection) {
            let env = PlatformEnvironment()
            let registry = try env.ownerConnection()
            guard let context = try FeedsJob.context(slug: store, registry: registry, keyring: try env.keyring(), env: env) else {
                complain("storefleet feeds: no active store \(store)")
                throw ExitCode(1)
            }
            return (context, registry)
        }

        func url(_ context: FeedsJob.Context, _ channel: FeedChannel) throws -> String {
            let token = try FeedSettings.load(channel, on: context.db).urlToken ?? "-"
            return context.publisher.store.baseURL + "/feeds/" + FeedPublisher.fileName(token: token, channel: channel)
        }
    }

    struct Enable: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Switch a store's feed on, publish it now and schedule its regeneration.")
        @OptionGroup var target: Target

        func run() throws {
            let (context, registry) = try target.context()
            for channel in try target.channels() {
                var settings = try FeedSettings.load(channel, on: context.db)
                settings.enabled = true
                try settings.save(on: context.db)
                let summary = try context.publisher.publish(channel)
                say("\(channel.rawValue): \(summary.itemCount) items, \(summary.warningCount) warnings, \(try target.url(context, channel))")
            }
            let hours = Double(PlatformEnvironment()["STOREFLEET_FEEDS_INTERVAL_HOURS"] ?? "") ?? 24
            try FeedsJob.scheduleNext(storeId: context.route.storeId, registry: registry, after: hours * 3600)
        }
    }

    struct Disable: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Switch a store's feed off; its URL answers 404.")
        @OptionGroup var target: Target

        func run() throws {
            let (context, _) = try target.context()
            for channel in try target.channels() {
                var settings = try FeedSettings.load(channel, on: context.db)
                settings.enabled = false
                try settings.save(on: context.db)
                try context.publisher.unpublish(channel)
                say("\(channel.rawValue): off")
            }
        }
    }

    struct Publish: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Regenerate a store's enabled feeds now.")
        @OptionGroup var target: Target

        func run() throws {
            let (context, _) = try target.context()
            for channel in try target.channels() where try FeedSettings.load(channel, on: context.db).enabled {
                let summary = try context.publisher.publish(channel)
                say("\(channel.rawValue): \(summary.itemCount) items, \(summary.warningCount) warnings in \(String(format: "%.3f", summary.seconds))s")
            }
        }
    }

    struct RotateToken: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "rotate-token", abstract: "Give a feed a new secret URL; the old one answers 404.")
        @OptionGroup var target: Target

        func run() throws {
            let (context, _) = try target.context()
            for channel in try target.channels() {
                try context.publisher.rotateToken(channel)
                say("\(channel.rawValue): \(try target.url(context, channel))")
            }
        }
    }

    struct Status: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Each channel's state, last run and URL.")
        @OptionGroup var target: Target

        func run() throws {
            let (context, _) = try target.context()
            for row in try context.db.query("""
                SELECT channel, enabled, status, item_count, warning_count, last_run_at, last_duration_ms, last_error
                FROM shopping_feeds ORDER BY channel
                """) {
                let channel: String = try row.decode("channel")
                guard let c = FeedChannel(rawValue: channel) else { continue }
                let enabled: Bool = try row.decode("enabled")
                let ran = try row.decode("last_run_at", as: Date?.self).map { "\($0)" } ?? "never"
                say("\(pad(channel, 8))\(pad(enabled ? "on" : "off", 5))\(pad(try row.decode("status"), 9))"
                    + "\(try row.decode("item_count", as: Int.self)) items, \(try row.decode("warning_count", as: Int.self)) warnings, "
                    + "last run \(ran) (\(try row.decode("last_duration_ms", as: Int?.self).map { "\($0) ms" } ?? "-"))"
                    + (enabled ? "  \(try target.url(context, c))" : ""))
            }
        }
    }
}
