import Crypto
import Foundation

/// One worker's recent answers of `Sessions.findWithStores`, by the SHA-256 of the cookie token,
/// so a signed-in admin's next view costs no registry statement.
///
/// Safe only together with `StoreDirectory.sessionWithStores(token:)`, which drops everything
/// here when the registry says something changed (`storefleet_sessions`, registry migration
/// 0007, or `storefleet_routes`) or its connection broke, after a round trip that makes every
/// change committed before the request visible. Besides that, an entry serves at most
/// `refreshSeconds`, so the session's sliding expiry is still pushed along by the database
/// (`Sessions.findWithStores` touches a stale session), and never past the session's expiry.
public final class SessionCache {
    struct Entry {
        let record: SessionRecord
        let stores: [StoreAccess]
        /// When the database answered (monotonic seconds).
        let fetchedAt: Double
    }

    private var entries: [[UInt8]: Entry] = [:]
    /// How long an answer is reused before the database is asked again.
    public let refreshSeconds: Double
    /// Sessions one worker keeps; past it the cache starts over.
    public let capacity: Int

    public init(refreshSeconds: Double = 60, capacity: Int = 10_000) {
        self.refreshSeconds = refreshSeconds
        self.capacity = capacity
    }

    /// The cached answer for `token`, if it is recent and the session has not expired.
    func lookup(token: String, now: Date = Date()) -> (SessionRecord, [StoreAccess])? {
        guard !entries.isEmpty else { return nil }
        let key = SHA256Digest.hash(token)
        guard let entry = entries[key] else { return nil }
        guard entry.record.expiresAt > now, SessionCache.monotonicSeconds() - entry.fetchedAt < refreshSeconds else {
            entries[key] = nil
            return nil
        }
        hits += 1
        return (entry.record, entry.stores)
    }

    func store(token: String, record: SessionRecord, stores: [StoreAccess]) {
        if entries.count >= capacity { entries.removeAll(keepingCapacity: true) }
        entries[SHA256Digest.hash(token)] = Entry(record: record, stores: stores, fetchedAt: SessionCache.monotonicSeconds())
    }

    /// Forgets every session (a registry change or a lost connection).
    func removeAll() {
        if !entries.isEmpty { entries.removeAll(keepingCapacity: true) }
        resets += 1
    }

    /// How many sessions are cached (tests).
    public var count: Int { entries.count }
    /// How many lookups the cache answered (tests, metrics).
    public private(set) var hits = 0
    /// How many times a registry change (or a lost connection) emptied the cache (tests).
    public private(set) var resets = 0

    static func monotonicSeconds() -> Double {
        var ts = timespec()
        clock_gettime(CLOCK_MONOTONIC, &ts)
        return Double(ts.tv_sec) + Double(ts.tv_nsec) / 1e9
    }
}
