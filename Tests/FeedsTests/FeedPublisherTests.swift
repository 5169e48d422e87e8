import Foundation
import Postgres
import Testing
@testable import Feeds

@Suite(.serialized) struct FeedPublisherTests {
    func publisher(_ store: FeedTestStore, dir: String) -> FeedPublisher {
        FeedPublisher(db: store.db, store: FeedStore(name: "Feeds Test", baseURL: "https://feeds.example",
                                                     mediaPrefix: "/media/sf_store_\(store.storeId)", currency: "EUR"),
                      directory: dir)
    }

    func temporaryFolder() throws -> String {
        let dir = NSTemporaryDirectory() + "feeds-pub-\(getpid())-\(UInt32.random(in: 0...UInt32.max))"
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        return dir
    }

    @Test func publishingWritesTheTokenFileAndRecordsTheRun() throws {
        let store = try FeedTestStore()
        let dir = try temporaryFolder()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        try store.product("Desk Lamp")
        try store.product("Lamp Without Picture", image: false)
        var settings = try FeedSettings.load(.google, on: store.db)
        settings.enabled = true
        settings.brandFallback = "House Brand"
        try settings.save(on: store.db)
        let token = try #require(settings.urlToken)
        #expect(token.count == 32)

        let summary = try publisher(store, dir: dir).publish(.google)
        #expect(summary.itemCount == 1)
        let text = try String(contentsOfFile: dir + "/\(token).xml", encoding: .utf8)
        #expect(text.contains("<title>Desk Lamp</title>"))
        #expect(text.contains("<g:brand>Acme</g:brand>"))

        let row = try #require(try store.db.queryFirst("""
            SELECT status, item_count, warning_count, last_run_at IS NOT NULL AS ran, dirty_since IS NULL AS clean
            FROM shopping_feeds WHERE channel = 'google'
            """))
        #expect(try row.decode("status", as: String.self) == "ok")
        #expect(try row.decode("item_count", as: Int.self) == 1)
        #expect(try row.decode("ran", as: Bool.self))
        #expect(try row.decode("clean", as: Bool.self))
        let codes: [String] = try store.db.query("""
            SELECT w.code FROM shopping_feed_warnings w JOIN shopping_feeds f ON f.id = w.feed_id
            WHERE f.channel = 'google' ORDER BY w.code
            """).map { try $0.decode("code") }
        #expect(codes == ["no_image"])
    }

    @Test func rotatingTheTokenMovesTheFileAndKillsTheOldName() throws {
        let store = try FeedTestStore()
        let dir = try temporaryFolder()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        try store.product("Rotating Chair")
        let publisher = publisher(store, dir: dir)
        try publisher.publish(.meta)
        let old = try #require(try FeedSettings.load(.meta, on: store.db).urlToken)
        let new = try publisher.rotateToken(.meta)
        #expect(new != old)
        #expect(!FileManager.default.fileExists(atPath: dir + "/\(old).csv"))
        #expect(try String(contentsOfFile: dir + "/\(new).csv", encoding: .utf8).contains("Rotating Chair"))
    }

    @Test func aCatalogChangeMarksEnabledFeedsDirtyOncePerBurst() throws {
        let store = try FeedTestStore()
        let dir = try temporaryFolder()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let id = try store.product("Dirty Table")
        var settings = try FeedSettings.load(.tiktok, on: store.db)
        settings.enabled = true
        try settings.save(on: store.db)
        try publisher(store, dir: dir).publish(.tiktok)
        let outboxBefore: Int = try store.db.queryFirst("SELECT count(*)::int AS n FROM outbox WHERE topic = 'feeds.generate'")!.decode("n")

        for price in [1100, 1200, 1300] as [Int64] {
            try store.db.execute("UPDATE variants SET price_minor = \(price) WHERE product_id = \(id)")
        }
        let outboxAfter: Int = try store.db.queryFirst("SELECT count(*)::int AS n FROM outbox WHERE topic = 'feeds.generate'")!.decode("n")
        #expect(outboxAfter == outboxBefore + 1, "one job per burst of changes")
        let waits = try FeedSettings.enabledChannels(on: store.db, debounceSeconds: 60)
        #expect(waits.count == 1)
        #expect(waits.first?.channel == .tiktok)
        #expect((waits.first?.waitSeconds ?? 0) > 30, "a fresh change waits for the debounce")

        // Publishing clears the mark; the next change queues again.
        try publisher(store, dir: dir).publish(.tiktok)
        #expect(try FeedSettings.enabledChannels(on: store.db, debounceSeconds: 60).first?.waitSeconds == nil)
        try store.db.execute("UPDATE products SET title = 'Clean Table' WHERE id = \(id)")
        let outboxLast: Int = try store.db.queryFirst("SELECT count(*)::int AS n FROM outbox WHERE topic = 'feeds.generate'")!.decode("n")
        #expect(outboxLast == outboxAfter + 1)
    }

    @Test func aDisabledFeedIsNotMarkedAndItsFileGoes() throws {
        let store = try FeedTestStore()
        let dir = try temporaryFolder()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        try store.product("Quiet Shelf")
        let publisher = publisher(store, dir: dir)
        try publisher.publish(.google)
        let token = try #require(try FeedSettings.load(.google, on: store.db).urlToken)
        #expect(FileManager.default.fileExists(atPath: dir + "/\(token).xml"))
        try publisher.unpublish(.google)
        #expect(!FileManager.default.fileExists(atPath: dir + "/\(token).xml"))
        try store.product("Another Shelf")
        #expect(try store.db.queryFirst("SELECT count(*)::int AS n FROM outbox WHERE topic = 'feeds.generate'")!
            .decode("n", as: Int.self) == 0)
    }
}
