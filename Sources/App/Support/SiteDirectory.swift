import Crypto
import Postgres
import Registry

/// The worker's view of the registry: a `StoreDirectory` over one registry connection, opened
/// on first use and re-opened after the registry was unreachable, so a worker started while
/// PostgreSQL is down serves `/healthz` and 503 pages until it comes back, then recovers alone.
final class SiteDirectory {
    private let config: AppConfiguration
    let keyring: Keyring
    private var directory: StoreDirectory?

    init(config: AppConfiguration) throws {
        self.config = config
        keyring = try Keyring.load(file: config.masterKeyFile, environment: config.environment)
    }

    /// The directory, connecting to the registry if there is no live connection.
    func current() throws -> StoreDirectory {
        if let directory { return directory }
        let registry = try Connection(url: config.registryURL)
        // The registry connection LISTENs, so it is a direct (or session-pooled) one, where
        // statements may stay prepared: its job inserts and session reads skip parse and plan.
        registry.preparedStatementCapacity = 64
        let made = StoreDirectory(registry: registry, keyring: keyring, platformDomain: config.platformDomain,
                                  tenantConnectionCapacity: config.tenantConnectionCapacity,
                                  // Direct tenant connections keep their statements prepared;
                                  // PgBouncer's transaction mode cannot.
                                  tenantPreparedStatements: config.tenantNotifications ? 200 : 0)
        directory = made
        return made
    }

    /// Applies the registry's NOTIFYs to the caches: cheap, called before each request.
    func pollInvalidations() {
        directory?.pollInvalidations()
    }

    /// Forgets the registry connection after it failed; the next request reconnects.
    func dropRegistry() {
        directory = nil
    }
}
