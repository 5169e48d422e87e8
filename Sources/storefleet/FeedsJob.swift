import Commerce
import Crypto
import Feeds
import Foundation
import Postgres
import Registry

/// The `feeds.generate` job: regenerates a store's enabled feeds. Queued by tenant migration
/// 0008's triggers (through the outbox) when the catalog changes, by `storefleet feeds enable` and
/// by itself on a schedule (payload `{"reason":"schedule"}` re-queues the next run).
///
/// - Debounce: a channel whose catalog change is younger than STOREFLEET_FEEDS_DEBOUNCE_SECONDS
///   (default 60) is left for a job queued at the moment it is old enough.
/// - Schedule: every STOREFLEET_FEEDS_INTERVAL_HOURS (default 24), one chain per store.
/// - Files: `$STOREFLEET_DATA_DIR/feeds/<token>.<xml|csv>`, served by nginx at `/feeds/...`.
enum FeedsJob {
    static let kind = "feeds.generate"

    static func handler(env: PlatformEnvironment) -> JobHandler {
        { job in
            guard let storeId = job.storeId else { return }
            let payload = (try? job.payload.decode([String: String].self)) ?? [:]
            let registry = try env.ownerConnection()
            let keyring = try env.keyring()
            guard let context = try FeedsJob.context(storeId: storeId, registry: registry, keyring: keyring, env: env) else {
                return   // the store is gone or suspended: nothing to publish
            }
            let debounce = Double(env["STOREFLEET_FEEDS_DEBOUNCE_SECONDS"] ?? "") ?? 60
            let only = payload["channel"].flatMap(FeedChannel.init(rawValue:))
            let scheduled = payload["reason"] == "schedule"
            // Catalog changes wait for the debounce; the schedule and a merchant's request do not.
            let debounced = payload["reason"] == nil || payload["reason"] == "catalog" || payload["reason"] == "debounce"
            var failures: [String] = []
            var later: Double? = nil
            for (channel, wait) in try FeedSettings.enabledChannels(on: context.db, debounceSeconds: debounce) {
                if let only, only != channel { continue }
                if let wait, wait > 0, debounced {
                    later = min(later ?? wait, wait)
                    continue
                }
                do {
                    try context.publisher.publish(channel)
                } catch {
                    failures.append("\(channel.rawValue): \(error)")
                }
            }
            if let later {
                try JobQueue.enqueue(registry, kind: kind, payload: JSON(rawText: #"{"reason":"debounce"}"#),
                                     storeId: storeId, runAt: Date().addingTimeInterval(later + 1))
            }
            if scheduled {
                let hours = Double(env["STOREFLEET_FEEDS_INTERVAL_HOURS"] ?? "") ?? 24
                try scheduleNext(storeId: storeId, registry: registry, after: hours * 3600)
            }
            if !failures.isEmpty { throw FeedError.file(failures.joined(separator: "; ")) }
        }
    }

    /// Queues the store's next scheduled run unless one is already waiting.
    static func scheduleNext(storeId: Int64, registry: Connection, after seconds: Double) throws {
        let waiting = try registry.queryFirst("""
            SELECT 1 FROM jobs WHERE kind = \(kind) AND store_id = \(storeId) AND status = 'queued'
              AND payload->>'reason' = 'schedule' AND run_at > now()
            """)
        if waiting == nil {
            try JobQueue.enqueue(registry, kind: kind, payload: JSON(rawText: #"{"reason":"schedule"}"#),
                                 storeId: storeId, runAt: Date().addingTimeInterval(seconds))
        }
    }

    struct Context {
        let route: StoreRoute
        let db: Connection
        let publisher: FeedPublisher
    }

    /// The store's database and how its feeds are published, or nil when it is not live.
    static func context(storeId: Int64, registry: Connection, keyring: Keyring, env: PlatformEnvironment,
                        baseURL: String? = nil) throws -> Context? {
        guard let slug = try registry.queryFirst("SELECT slug FROM stores WHERE id = \(storeId)")?.decode("slug", as: String.self)
        else { return nil }
        return try context(slug: slug, registry: registry, keyring: keyring, env: env, baseURL: baseURL)
    }

    static func context(slug: String, registry: Connection, keyring: Keyring, env: PlatformEnvironment,
                        baseURL: String? = nil) throws -> Context? {
        let directory = StoreDirectory(registry: registry, keyring: keyring, platformDomain: env.platformDomain)
        guard let route = try directory.resolve(slug: slug), route.status == .active else { return nil }
        let db = try TenantConnector.open(storeId: route.storeId, registry: registry, keyring: keyring)
        let shop = try StoreSettings.load(on: db)
        let host = route.primaryHost ?? route.slug + "." + env.platformDomain
        let store = FeedStore(name: shop.name.isEmpty ? route.name : shop.name,
                              baseURL: baseURL ?? env["STOREFLEET_FEEDS_BASE_SCHEME"].map { $0 + "://" + host } ?? "https://" + host,
                              mediaPrefix: "/media/sf_store_\(route.storeId)", currency: shop.currency)
        return Context(route: route, db: db, publisher: FeedPublisher(db: db, store: store, directory: feedsDirectory(env)))
    }

    /// `$STOREFLEET_DATA_DIR/feeds` (nginx serves it at `/feeds/`).
    static func feedsDirectory(_ env: PlatformEnvironment) -> String {
        (env["STOREFLEET_FEEDS_DIR"] ?? (env["STOREFLEET_DATA_DIR"].map { $0 + "/feeds" })) ?? ".data/run/feeds"
    }
}
