import Foundation
import Postgres

/// Publishing a store's feeds: the files under a folder that nginx serves as
/// `/feeds/<url_token>.<xml|csv>` (a wrong token is simply a missing file), the run recorded on
/// `shopping_feeds` and the warnings in `shopping_feed_warnings`.
public struct FeedPublisher {
    public let db: Connection
    public let store: FeedStore
    /// The folder of every store's feed files (`$STOREFLEET_DATA_DIR/feeds`).
    public let directory: String
    /// Warnings kept per run (the counts cover all of them).
    public var storedWarningLimit = 2000

    public init(db: Connection, store: FeedStore, directory: String) {
        self.db = db
        self.store = store
        self.directory = directory
    }

    /// The file a token's feed lives in.
    public static func fileName(token: String, channel: FeedChannel) -> String {
        token + "." + channel.fileExtension
    }

    /// Regenerates one channel's file and records the run. A failure is recorded (status
    /// `failed`, `last_error`) and rethrown; the previous file stays served.
    @discardableResult
    public func publish(_ channel: FeedChannel) throws -> FeedSummary {
        try FeedSettings.ensureRows(on: db)
        let settings = try FeedSettings.load(channel, on: db)
        guard let token = settings.urlToken else { throw FeedError.file("no feed row for \(channel.rawValue)") }
        // Cleared before reading, so a change made while this runs marks the feed dirty again.
        try db.execute("""
            UPDATE shopping_feeds SET status = 'running', dirty_since = NULL WHERE channel = \(channel.rawValue)
            """)
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        var feedStore = store
        feedStore.brandFallback = settings.brandFallback
        feedStore.googleProductCategory = settings.googleProductCategory
        var warnings: [FeedWarning] = []
        let limit = storedWarningLimit
        do {
            let summary = try FeedFile.writeAtomically(to: directory + "/" + FeedPublisher.fileName(token: token, channel: channel)) { out in
                try FeedGenerator(channel: channel, store: feedStore)
                    .generate(from: CatalogFeedSource(db: db, collectionIds: settings.collectionIds), to: out) { w in
                        if warnings.count < limit { warnings.append(w) }
                    }
            }
            try record(channel, summary: summary, warnings: warnings)
            return summary
        } catch {
            _ = try? db.execute("""
                UPDATE shopping_feeds SET status = 'failed', last_run_at = now(),
                       last_error = \("The feed could not be generated; the previous file is still served."),
                       dirty_since = coalesce(dirty_since, now())
                WHERE channel = \(channel.rawValue)
                """)
            throw error
        }
    }

    private func record(_ channel: FeedChannel, summary: FeedSummary, warnings: [FeedWarning]) throws {
        try db.transaction { db in
            let feedId: Int64 = try db.queryFirst("""
                UPDATE shopping_feeds SET status = 'ok', item_count = \(Int32(clamping: summary.itemCount)),
                       last_run_at = now(), last_success_at = now(), last_error = NULL,
                       last_duration_ms = \(Int32(clamping: Int(summary.seconds * 1000))),
                       warning_count = \(Int32(clamping: summary.warningCount)), file_bytes = \(summary.byteCount)
                WHERE channel = \(channel.rawValue) RETURNING id
                """)!.decode("id")
            try db.execute("DELETE FROM shopping_feed_warnings WHERE feed_id = \(feedId)")
            guard !warnings.isEmpty else { return }
            try db.execute("""
                INSERT INTO shopping_feed_warnings (feed_id, product_id, variant_id, code, message)
                SELECT \(feedId), w.product_id, nullif(w.variant_id, 0), w.code, w.message
                FROM unnest(\(warnings.map(\.productId))::bigint[], \(warnings.map { $0.variantId ?? 0 })::bigint[],
                            \(warnings.map(\.code.rawValue))::text[], \(warnings.map(\.message))::text[])
                     AS w (product_id, variant_id, code, message)
                WHERE EXISTS (SELECT 1 FROM products p WHERE p.id = w.product_id)
                  AND (w.variant_id = 0 OR EXISTS (SELECT 1 FROM variants v WHERE v.id = w.variant_id))
                """)
        }
    }

    /// Gives the channel's feed a new secret URL: the file moves to the new name at once and the
    /// old URL stops working (404). Returns the new token.
    @discardableResult
    public func rotateToken(_ channel: FeedChannel) throws -> String {
        try FeedSettings.ensureRows(on: db)
        let old = try FeedSettings.load(channel, on: db).urlToken
        let token: String = try db.queryFirst("""
            UPDATE shopping_feeds SET url_token = replace(gen_random_uuid()::text, '-', '')
            WHERE channel = \(channel.rawValue) RETURNING url_token
            """)!.decode("url_token")
        if let old {
            let from = directory + "/" + FeedPublisher.fileName(token: old, channel: channel)
            let to = directory + "/" + FeedPublisher.fileName(token: token, channel: channel)
            if rename(from, to) != 0 && errno != ENOENT {
                throw FeedError.file("cannot move the feed to its new name: \(String(cString: strerror(errno)))")
            }
        }
        return token
    }

    /// Removes a disabled channel's file, so its URL answers 404.
    public func unpublish(_ channel: FeedChannel) throws {
        guard let token = try FeedSettings.load(channel, on: db).urlToken else { return }
        unlink(directory + "/" + FeedPublisher.fileName(token: token, channel: channel))
    }
}

extension FeedSettings {
    /// One `shopping_feeds` row per channel (tenant migration 0008 creates them; this covers a
    /// database where they were deleted).
    public static func ensureRows(on db: Connection) throws {
        try db.execute("""
            INSERT INTO shopping_feeds (channel) SELECT unnest(\(FeedChannel.allCases.map(\.rawValue))::text[])
            ON CONFLICT (channel) DO NOTHING
            """)
    }

    /// Channels switched on, and whether each waits for its debounce: the seconds left before a
    /// catalog change is `debounce` old (0: generate now; nil: not dirty).
    public static func enabledChannels(on db: Connection, debounceSeconds: Double) throws
        -> [(channel: FeedChannel, waitSeconds: Double?)] {
        try db.query("""
            SELECT channel,
                   CASE WHEN dirty_since IS NULL THEN NULL
                        ELSE greatest(0, \(debounceSeconds)::float8 - extract(epoch FROM now() - dirty_since)::float8)
                   END AS wait
            FROM shopping_feeds WHERE enabled ORDER BY channel
            """).compactMap { row in
            guard let channel = FeedChannel(rawValue: try row.decode("channel")) else { return nil }
            return (channel, try row.decode("wait", as: Double?.self))
        }
    }

    /// Saves the merchant's settings for this channel (collections replaced).
    public func save(on db: Connection) throws {
        try FeedSettings.ensureRows(on: db)
        try db.transaction { db in
            let id: Int64 = try db.queryFirst("""
                UPDATE shopping_feeds SET enabled = \(enabled), brand_fallback = \(brandFallback),
                       google_product_category = \(googleProductCategory.flatMap { $0.isEmpty ? nil : $0 }),
                       dirty_since = coalesce(dirty_since, now())
                WHERE channel = \(channel.rawValue) RETURNING id
                """)!.decode("id")
            try db.execute("DELETE FROM shopping_feed_collections WHERE feed_id = \(id)")
            if !collectionIds.isEmpty {
                try db.execute("""
                    INSERT INTO shopping_feed_collections (feed_id, collection_id)
                    SELECT \(id), c.id FROM collections c WHERE c.id = ANY(\(collectionIds))
                    """)
            }
        }
    }
}
