import Postgres
import Registry

extension StorefleetApp {
    /// Runs `body` on the store's own database connection (kept open in the directory's LRU).
    ///
    /// A cached connection the server closed (a restart, a failover) is dropped and opened
    /// again once; when the database still cannot be reached the store is unavailable.
    func withTenant<T>(_ route: StoreRoute, _ body: (Connection) throws -> T) throws -> T {
        let directory = try registry()
        var reopened = false
        while true {
            let connection: Connection
            do {
                connection = try directory.tenantConnection(storeId: route.storeId)
            } catch {
                directory.dropTenantConnection(storeId: route.storeId)
                throw StoreUnavailable(route: route, underlying: error)
            }
            do {
                return try body(connection)
            } catch let error as PostgresError {
                directory.dropTenantConnection(storeId: route.storeId)
                guard StorefleetApp.meansUnreachable(error) else { throw error }
                if reopened { throw StoreUnavailable(route: route, underlying: error) }
                reopened = true
            }
        }
    }

    /// Errors that say the database is not there, as opposed to a bug in a query.
    static func meansUnreachable(_ error: PostgresError) -> Bool {
        switch error.kind {
        case .connection, .authenticationFailed, .misuse: return true
        case .undefinedObject: return error.sqlState == "3D000"  // the database itself is gone
        default: return false
        }
    }
}
