#if canImport(Glibc)
import Glibc
#endif
import Postgres
import Registry

extension StorefleetApp {
    /// Runs `body` on the store's own database connection (kept open in the directory's LRU).
    ///
    /// A cached connection the server closed (a restart, a failover) is dropped and opened
    /// again once; when the database still cannot be reached the store is unavailable, and for a
    /// short, growing while (`TenantBackoff`) its requests get the 503 page without trying: a
    /// worker is single-threaded, and one store's dead database must not hold it for others.
    func withTenant<T>(_ route: StoreRoute, _ body: (Connection) throws -> T) throws -> T {
        if let error = tenantBackoff.refusal(storeId: route.storeId) {
            throw StoreUnavailable(route: route, underlying: error)
        }
        let directory = try registry()
        var reopened = false
        while true {
            let connection: Connection
            do {
                connection = try directory.tenantConnection(storeId: route.storeId)
            } catch {
                directory.dropTenantConnection(storeId: route.storeId)
                tenantBackoff.failed(storeId: route.storeId, error: error)
                throw StoreUnavailable(route: route, underlying: error)
            }
            do {
                let result = try body(connection)
                tenantBackoff.succeeded(storeId: route.storeId)
                return result
            } catch let error as PostgresError {
                directory.dropTenantConnection(storeId: route.storeId)
                guard StorefleetApp.meansUnreachable(error) else { throw error }
                if reopened {
                    tenantBackoff.failed(storeId: route.storeId, error: error)
                    throw StoreUnavailable(route: route, underlying: error)
                }
                reopened = true
            }
        }
    }

    /// Errors that say the database is not there, as opposed to a bug in a query.
    static func meansUnreachable(_ error: PostgresError) -> Bool {
        switch error.kind {
        case .connection, .authenticationFailed, .misuse, .queryCanceled: return true
        case .undefinedObject: return error.sqlState == "3D000"  // the database itself is gone
        default: return error.sqlState?.hasPrefix("08") == true  // PgBouncer's pooler errors
        }
    }
}

/// Stores whose database was unreachable a moment ago, and when to try them again: the first
/// retry after `initialDelay`, doubling on each failure up to `maximumDelay`.
final class TenantBackoff {
    private struct Entry { var failures: Int; var retryAt: UInt64; var error: any Error }
    private var entries: [Int64: Entry] = [:]
    let initialDelay: Double
    let maximumDelay: Double

    init(initialDelay: Double, maximumDelay: Double = 10) {
        self.initialDelay = initialDelay
        self.maximumDelay = maximumDelay
    }

    /// The last error, while the store is still waiting out its delay; nil to go ahead.
    func refusal(storeId: Int64) -> (any Error)? {
        guard let entry = entries[storeId] else { return nil }
        return TenantBackoff.monotonicNanoseconds() < entry.retryAt ? entry.error : nil
    }

    func failed(storeId: Int64, error: any Error) {
        let failures = (entries[storeId]?.failures ?? 0) + 1
        guard initialDelay > 0 else { return }
        let delay = min(maximumDelay, initialDelay * Double(1 << min(failures - 1, 16)))
        entries[storeId] = Entry(failures: failures,
                                 retryAt: TenantBackoff.monotonicNanoseconds() + UInt64(delay * 1_000_000_000),
                                 error: error)
    }

    func succeeded(storeId: Int64) {
        if !entries.isEmpty { entries[storeId] = nil }
    }

    static func monotonicNanoseconds() -> UInt64 {
        var ts = timespec()
        clock_gettime(CLOCK_MONOTONIC, &ts)
        return UInt64(ts.tv_sec) * 1_000_000_000 + UInt64(ts.tv_nsec)
    }
}
