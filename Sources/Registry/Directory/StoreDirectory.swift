import Crypto
import Foundation
import Postgres

/// Host → store resolution and tenant connections for one worker process.
///
/// Lookups go through the registry's narrow functions (`storefleet_route_by_slug`,
/// `storefleet_route_by_host`, `storefleet_tenant_connection`), so the application role never
/// reads the registry's tables. Answers are cached per process; the registry's triggers send
/// `NOTIFY storefleet_routes` on every store or domain change and `pollInvalidations()` (called
/// before each request) drops the cache, so a suspension or a new domain applies at once.
/// Signed-in admins' sessions are cached here too (`sessionWithStores(token:)`), dropped on
/// `storefleet_sessions` (registry migration 0007) or `storefleet_routes`.
public final class StoreDirectory {
    public let platformDomain: String
    let registry: Connection
    let keyring: Keyring
    let connections: ConnectionLRU
    private var routes: [String: HostResolution] = [:]
    private var listening = false
    /// The registry connection's reconnect count when the cache was last known good: after a
    /// reconnect, notifications may have been missed, so the cache starts over.
    private var seenResets = 0
    /// Bounds the cache against a flood of made-up hosts.
    let maximumCachedHosts: Int
    /// Named prepared statements per tenant connection (0: none; see `init`).
    let tenantPreparedStatements: Int

    public static let channel = "storefleet_routes"
    /// Sessions, users, memberships and organizations changed (registry migration 0007).
    public static let sessionsChannel = "storefleet_sessions"
    /// Admin sessions with their stores, valid while no notification says otherwise.
    public let sessions = SessionCache()

    /// `tenantConnectionCapacity` bounds the tenant connections this process keeps open. Traffic
    /// spread over more stores than that reconnects on almost every request (an LRU under a
    /// cyclic pattern larger than itself never hits), so it should cover the stores a worker
    /// serves; workers × capacity must then fit the servers' `max_connections`, or the servers'
    /// tenant endpoint should be PgBouncer (per-database pools, transaction mode).
    ///
    /// `tenantPreparedStatements` > 0 keeps that many named prepared statements on each tenant
    /// connection (`Connection.preparedStatementCapacity`): only for direct connections, never
    /// behind PgBouncer in transaction mode.
    public init(registry: Connection, keyring: Keyring, platformDomain: String, tenantConnectionCapacity: Int = 256,
                tenantPreparedStatements: Int = 0) {
        self.registry = registry
        self.tenantPreparedStatements = tenantPreparedStatements
        self.keyring = keyring
        self.platformDomain = platformDomain.lowercased()
        self.connections = ConnectionLRU(capacity: max(1, tenantConnectionCapacity))
        self.maximumCachedHosts = 10_000
    }

    /// The registry connection this directory reads through (as the application role): the
    /// platform pages use it for accounts, organizations and stores, inside `OrganizationScope`.
    public var registryConnection: Connection { registry }

    /// What `host` (already normalised: lower-case, no port, no trailing dot) names.
    public func resolve(host: String) throws -> HostResolution {
        try startListening()
        forgetIfReconnected()
        if let cached = routes[host] { return cached }
        let resolution = try lookup(host: host)
        if routes.count >= maximumCachedHosts { routes.removeAll(keepingCapacity: true) }
        routes[host] = resolution
        return resolution
    }

    /// The store with this slug, if it is active or suspended (the admin at `/store/<slug>/admin`).
    public func resolve(slug: String) throws -> StoreRoute? {
        if case .store(let route) = try resolve(host: slug + "." + platformDomain) { return route }
        return nil
    }

    /// An open connection to the store's database, as the store's own role (cached per process).
    public func tenantConnection(storeId: Int64) throws -> Connection {
        try connections.connection(key: String(storeId)) {
            let db = try TenantConnector.open(storeId: storeId, registry: registry, keyring: keyring)
            db.preparedStatementCapacity = tenantPreparedStatements
            return db
        }
    }

    /// Closes the cached connection after it broke, so the next request opens a fresh one.
    public func dropTenantConnection(storeId: Int64) {
        connections.evict(key: String(storeId))
    }

    /// Applies route invalidations that arrived (non-blocking). If the registry connection broke,
    /// everything cached is dropped: notifications may have been missed.
    public func pollInvalidations() {
        do {
            try startListening()
            apply(try registry.pollNotifications())
            forgetIfReconnected()
        } catch {
            routes.removeAll(keepingCapacity: true)
            sessions.removeAll()
            listening = false
        }
    }

    /// The live session behind an admin's cookie `token` with every store its user reaches
    /// (`Sessions.findWithStores`), from this worker's cache while the registry has announced no
    /// change. First one empty round trip (`Connection.sync`): every change committed before this
    /// request — a sign-out in another worker, a removed membership — has then notified this
    /// connection, so a cached session is never honoured after it was revoked.
    public func sessionWithStores(token: String) throws -> (SessionRecord, [StoreAccess])? {
        guard !token.isEmpty, token.utf8.count <= 128 else { return nil }
        var trusted = false
        do {
            try startListening()
            try registry.sync()
            apply(try registry.pollNotifications())
            forgetIfReconnected()
            trusted = registry.isListening(StoreDirectory.sessionsChannel)
        } catch {
            routes.removeAll(keepingCapacity: true)
            sessions.removeAll()
            listening = false
        }
        if trusted, let hit = sessions.lookup(token: token) { return hit }
        guard let found = try Sessions.findWithStores(registry, token: token) else { return nil }
        if trusted { sessions.store(token: token, record: found.0, stores: found.1) }
        return found
    }

    private func apply(_ notes: [PostgresNotification]) {
        if notes.contains(where: { $0.channel == StoreDirectory.channel }) {
            routes.removeAll(keepingCapacity: true)
            sessions.removeAll()
        } else if notes.contains(where: { $0.channel == StoreDirectory.sessionsChannel }) {
            sessions.removeAll()
        }
    }

    /// Blocks until a route invalidation arrives (then applies it) or the timeout passes.
    /// Returns whether one arrived. For tools and tests that wait for a change to propagate.
    /// Session notifications arriving meanwhile are applied and waited past.
    @discardableResult
    public func waitForInvalidation(timeoutMilliseconds: Int32) -> Bool {
        let deadline = SessionCache.monotonicSeconds() + Double(timeoutMilliseconds) / 1000
        do {
            try startListening()
            while true {
                let left = Int32(max(0, (deadline - SessionCache.monotonicSeconds()) * 1000))
                let notes = try registry.waitForNotifications(timeoutMilliseconds: left)
                apply(notes)
                if notes.contains(where: { $0.channel == StoreDirectory.channel }) { return true }
                if left == 0 { return false }
            }
        } catch {
            routes.removeAll(keepingCapacity: true)
            sessions.removeAll()
            listening = false
            return false
        }
    }

    /// How many hosts are cached (tests, metrics).
    public var cachedHostCount: Int { routes.count }

    private func forgetIfReconnected() {
        if registry.resetCount != seenResets {
            seenResets = registry.resetCount
            routes.removeAll(keepingCapacity: true)
            sessions.removeAll()
        }
    }

    private func startListening() throws {
        if listening { return }
        try registry.listen(StoreDirectory.channel)
        try registry.listen(StoreDirectory.sessionsChannel)
        listening = true
        seenResets = registry.resetCount
        // Anything cached before we listened may be stale.
        routes.removeAll(keepingCapacity: true)
        sessions.removeAll()
    }

    private func lookup(host: String) throws -> HostResolution {
        if host == platformDomain || host == "localhost" || host == "127.0.0.1" || host == "www." + platformDomain {
            return .platform
        }
        let rows: [Row]
        let suffix = "." + platformDomain
        if host.hasSuffix(suffix) {
            let slug = String(host.dropLast(suffix.count))
            // One label only: `a.b.storefleet.localhost` is no store.
            guard !slug.isEmpty, !slug.contains(".") else { return .unknown }
            rows = try registry.query("SELECT * FROM storefleet_route_by_slug(\(slug))")
        } else {
            rows = try registry.query("SELECT * FROM storefleet_route_by_host(\(host))")
        }
        guard let row = rows.first else { return .unknown }
        return .store(try StoreDirectory.decodeRoute(row))
    }

    static func decodeRoute(_ row: Row) throws -> StoreRoute {
        let status: String = try row.decode("status")
        return StoreRoute(storeId: try row.decode("store_id"), slug: try row.decode("slug"), name: try row.decode("name"),
                          status: StoreStatus(rawValue: status) ?? .suspended, currency: try row.decode("currency"),
                          locale: try row.decode("locale"), timezone: try row.decode("timezone"),
                          primaryHost: try row.decode("primary_host"))
    }
}
