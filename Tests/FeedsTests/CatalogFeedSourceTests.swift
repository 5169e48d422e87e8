import Crypto
import Foundation
import Postgres
import Registry
import TestSupport
import Testing
@testable import Feeds

/// A store provisioned on the test stack, with a catalog written as SQL.
struct FeedTestStore {
    let db: Connection
    let storeId: Int64

    init() throws {
        let stack = try StackEnvironment.require()
        let registry = try Connection(url: try stack.value("STOREFLEET_REGISTRY_OWNER_URL"))
        let keyring = try Keyring.load(file: stack["STOREFLEET_MASTER_KEY_FILE"], environment: stack.values)
        let migrations = try MigrationSet(directory: StackEnvironment.packageRoot() + "/migrations/tenant")
        // A template of our own, built by the first provisioning from this checkout's migrations, so
        // these tests neither wait for nor change the shared template.
        let options = ProvisioningOptions(migrations: migrations, templateName: "sf_feeds_test_template")
        let store = try Provisioner(registry: registry, keyring: keyring, options: options)
            .provision(ProvisionRequest(slug: "feeds-" + Hex.encode(SecureRandom.bytes(5)), name: "Feeds Test",
                                        currency: "EUR", country: "DE"))
        storeId = store.storeId
        db = try TenantConnector.open(storeId: store.storeId, registry: registry, keyring: keyring)
    }

    /// A product with `variants` (title, price, quantity), one image, in `status`; returns its id.
    @discardableResult
    func product(_ title: String, status: String = "active", vendor: String = "Acme",
                 variants: [(String, Int64, Int)] = [("Default Title", 1000, 3)], image: Bool = true) throws -> Int64 {
        let handle = title.lowercased().replacingOccurrences(of: " ", with: "-")
        let id: Int64 = try db.queryFirst("""
            INSERT INTO products (handle, title, description_html, vendor, status)
            VALUES (\(handle), \(title), '<p>About it</p>', \(vendor), \(status)) RETURNING id
            """)!.decode("id")
        if image {
            try db.execute("""
                INSERT INTO product_images (product_id, position, storage_key, content_type)
                VALUES (\(id), 1, \(handle + ".jpg"), 'image/jpeg')
                """)
        }
        for (i, v) in variants.enumerated() {
            try db.execute("""
                INSERT INTO variants (product_id, position, title, price_minor, inventory_quantity)
                VALUES (\(id), \(i + 1), \(v.0), \(v.1), \(v.2))
                """)
        }
        return id
    }
}

@Suite(.serialized) struct CatalogFeedSourceTests {
    func feed(_ db: Connection, channel: FeedChannel = .google, collections: [Int64] = []) throws -> String {
        var bytes: [UInt8] = []
        let out = FeedOutput { bytes.append(contentsOf: $0) }
        let store = FeedStore(name: "Feeds Test", baseURL: "https://feeds.example", mediaPrefix: "/media/sf_store_1",
                              currency: "EUR")
        _ = try FeedGenerator(channel: channel, store: store)
            .generate(from: CatalogFeedSource(db: db, collectionIds: collections), to: out)
        return String(decoding: bytes, as: UTF8.self)
    }

    @Test func draftAndArchivedProductsNeverAppear() throws {
        let store = try FeedTestStore()
        try store.product("Visible Lamp")
        try store.product("Secret Draft Lamp", status: "draft")
        try store.product("Old Archived Lamp", status: "archived")
        for channel in FeedChannel.allCases {
            let text = try feed(store.db, channel: channel)
            #expect(text.contains("Visible Lamp"))
            #expect(!text.contains("Secret Draft"), "\(channel) lists a draft")
            #expect(!text.contains("Archived"), "\(channel) lists an archived product")
        }
        // A product taken back to draft leaves the feed at the next generation.
        try store.db.execute("UPDATE products SET status = 'draft' WHERE title = 'Visible Lamp'")
        #expect(!(try feed(store.db)).contains("Visible Lamp"))
    }

    @Test func variantsStreamGroupedWithOptionsAndImages() throws {
        let store = try FeedTestStore()
        let id = try store.product("Linen Shirt", variants: [("S", 4900, 2), ("M", 4900, 0)])
        let option: Int64 = try store.db.queryFirst("""
            INSERT INTO product_options (product_id, name, position) VALUES (\(id), 'Size', 1) RETURNING id
            """)!.decode("id")
        for (position, value) in ["S", "M"].enumerated() {
            let valueId: Int64 = try store.db.queryFirst("""
                INSERT INTO product_option_values (option_id, value, position) VALUES (\(option), \(value), \(position + 1)) RETURNING id
                """)!.decode("id")
            try store.db.execute("""
                INSERT INTO variant_option_values (variant_id, product_id, option_id, option_value_id)
                SELECT id, product_id, \(option), \(valueId) FROM variants WHERE product_id = \(id) AND title = \(value)
                """)
        }
        let items = try RSSItems.parse(Data(try feed(store.db).utf8))
        #expect(items.count == 2)
        #expect(items.map { $0["g:size"] } == ["S", "M"])
        #expect(items.allSatisfy { $0["g:item_group_id"] == "p\(id)" })
        #expect(items.map { $0["g:availability"] } == ["in_stock", "out_of_stock"])
        #expect(items[0]["g:image_link"] == "https://feeds.example/media/sf_store_1/linen-shirt.jpg")
        #expect(items[0]["g:price"] == "49.00 EUR")
        #expect(items[0]["description"] == "About it")
    }

    /// The three streams are merged here; batches of two rows make every product straddle a
    /// FETCH, and a draft product's images and options sit between the listed ones.
    @Test func streamsStayInStepAcrossBatches() throws {
        let store = try FeedTestStore()
        let shirt = try store.product("Step Shirt", variants: [("Plain", 2000, 1), ("S", 2100, 1), ("M", 2200, 1)])
        let draft = try store.product("Step Draft", status: "draft", variants: [("S", 1000, 1)])
        let bare = try store.product("Step Bare", variants: [], image: false)
        let poster = try store.product("Step Poster", variants: [("Default Title", 900, 1)])
        // Sizes on the shirt's second and third variants only, and on the draft.
        for (product, sizes) in [(shirt, ["S", "M"]), (draft, ["S"])] {
            let option: Int64 = try store.db.queryFirst("""
                INSERT INTO product_options (product_id, name, position) VALUES (\(product), 'Size', 1) RETURNING id
                """)!.decode("id")
            for (position, size) in sizes.enumerated() {
                try store.db.execute("""
                    WITH value AS (INSERT INTO product_option_values (option_id, value, position)
                                   VALUES (\(option), \(size), \(position + 1)) RETURNING id)
                    INSERT INTO variant_option_values (variant_id, product_id, option_id, option_value_id)
                    SELECT v.id, v.product_id, \(option), value.id FROM variants v, value
                    WHERE v.product_id = \(product) AND v.title = \(size)
                    """)
            }
        }
        // The poster has 13 images, added in reverse; the feed takes the first 11 by position.
        try store.db.execute("""
            INSERT INTO product_images (product_id, position, storage_key, content_type)
            SELECT \(poster), p, 'poster-' || p || '.jpg', 'image/jpeg' FROM generate_series(13, 2, -1) p
            """)
        try store.db.execute("""
            INSERT INTO product_images (product_id, position, storage_key, content_type)
            SELECT \(draft), p, 'draft-' || p || '.jpg', 'image/jpeg' FROM generate_series(2, 4) p
            """)
        for batchSize in [1, 2, 1000] {
            var records: [FeedVariantRecord] = []
            try CatalogFeedSource(db: store.db, batchSize: batchSize).forEachVariant { records.append($0) }
            #expect(records.map(\.productId) == [shirt, shirt, shirt, bare, poster], "batch \(batchSize)")
            #expect(records.map(\.variantTitle) == ["Plain", "S", "M", "", "Default Title"])
            #expect(records.map { $0.options.map(\.value) } == [[], ["S"], ["M"], [], []], "batch \(batchSize)")
            #expect(records.map(\.variantCount) == [3, 3, 3, 0, 1])
            #expect(records[0].imageKeys == ["step-shirt.jpg"] && records[2].imageKeys == ["step-shirt.jpg"])
            #expect(records[3].imageKeys.isEmpty && records[3].variantId == nil)
            #expect(records[4].imageKeys == ["step-poster.jpg"] + (2...11).map { "poster-\($0).jpg" }, "batch \(batchSize)")
        }
    }

    @Test func collectionsNarrowTheFeed() throws {
        let store = try FeedTestStore()
        let inside = try store.product("Inside Vase")
        try store.product("Outside Vase")
        let collection: Int64 = try store.db.queryFirst(
            "INSERT INTO collections (handle, title) VALUES ('vases', 'Vases') RETURNING id")!.decode("id")
        try store.db.execute("INSERT INTO collection_products (collection_id, product_id) VALUES (\(collection), \(inside))")
        let text = try feed(store.db, collections: [collection])
        #expect(text.contains("Inside Vase"))
        #expect(!text.contains("Outside Vase"))
    }
}

@Suite struct FeedFileTests {
    struct Broken: Error {}

    /// A source that fails after its first row, like a dropped database connection.
    struct FailingSource: FeedSource {
        func forEachVariant(_ body: (FeedVariantRecord) throws -> Void) throws {
            try body(FeedFixture.records[0])
            throw Broken()
        }
    }

    @Test func aFailedGenerationLeavesThePreviousFile() throws {
        let dir = NSTemporaryDirectory() + "feeds-\(getpid())-\(UInt32.random(in: 0...UInt32.max))"
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let path = dir + "/google.xml"
        let generator = FeedGenerator(channel: .google, store: FeedFixture.store)

        _ = try FeedFile.writeAtomically(to: path) { try generator.generate(from: ListFeedSource(FeedFixture.records), to: $0) }
        let first = try String(contentsOfFile: path, encoding: .utf8)
        #expect(first == (try FeedFixture.expected("google.xml")))

        #expect(throws: Broken.self) {
            try FeedFile.writeAtomically(to: path) { try generator.generate(from: FailingSource(), to: $0) }
        }
        #expect(try String(contentsOfFile: path, encoding: .utf8) == first)
        #expect(try FileManager.default.contentsOfDirectory(atPath: dir) == ["google.xml"], "a temporary file was left behind")
    }

    @Test func aFileThatCannotBeWrittenIsAnError() {
        #expect(throws: FeedError.self) {
            try FeedFile.writeAtomically(to: "/nonexistent-dir/feed.xml") { try $0.write("x") }
        }
    }
}
