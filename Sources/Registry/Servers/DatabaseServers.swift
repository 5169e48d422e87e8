import Crypto
import Foundation
import Postgres

/// A PostgreSQL server tenant databases can be placed on.
public struct DatabaseServer: Sendable, Equatable {
    public let id: Int64
    public let name: String
    /// Where the application reaches the tenant databases (PgBouncer when it fronts the server).
    public let tenantHost: String
    public let tenantPort: Int
    public let capacity: Int
    /// `active`, `draining` (keeps its stores, takes no new ones) or `offline`.
    public let status: String
    let adminConninfoSealed: String
}

/// How full a server is, for placement.
public struct ServerLoad: Sendable, Equatable {
    public let serverId: Int64
    public let stores: Int
    public let capacity: Int

    public init(serverId: Int64, stores: Int, capacity: Int) {
        self.serverId = serverId
        self.stores = stores
        self.capacity = capacity
    }
}

public enum Placement {
    /// The least-loaded server (fewest stores relative to capacity) that still has room;
    /// ties go to the lowest id, so placement is deterministic.
    public static func choose(_ servers: [ServerLoad]) -> Int64? {
        servers.filter { $0.stores < $0.capacity }
            .min { a, b in
                let la = Double(a.stores) / Double(max(a.capacity, 1))
                let lb = Double(b.stores) / Double(max(b.capacity, 1))
                return la != lb ? la < lb : a.serverId < b.serverId
            }?.serverId
    }
}

/// The `database_servers` table. Admin conninfo is sealed with the keyring before it is stored.
public struct DatabaseServers {
    public let registry: Connection
    public let keyring: Keyring

    public init(registry: Connection, keyring: Keyring) {
        self.registry = registry
        self.keyring = keyring
    }

    static let columns: Query = "id, name, tenant_host, tenant_port, capacity, status, admin_conninfo_sealed"

    /// Registers a server, or updates the one with this name: running it twice changes nothing.
    @discardableResult
    public func add(name: String, adminURL: String, tenantHost: String, tenantPort: Int,
                    capacity: Int = 1000) throws -> DatabaseServer {
        guard !name.isEmpty else { throw RegistryError.invalidConfiguration("a server needs a name") }
        _ = try ConnInfo(parsing: adminURL)
        let sealed = try keyring.seal(Array(adminURL.utf8))
        let rows = try registry.query("""
            INSERT INTO database_servers (name, admin_conninfo_sealed, tenant_host, tenant_port, capacity)
            VALUES (\(name), \(sealed), \(tenantHost), \(tenantPort), \(capacity))
            ON CONFLICT (name) DO UPDATE SET admin_conninfo_sealed = EXCLUDED.admin_conninfo_sealed,
                tenant_host = EXCLUDED.tenant_host, tenant_port = EXCLUDED.tenant_port,
                capacity = EXCLUDED.capacity
            RETURNING \(DatabaseServers.columns)
            """)
        guard let row = rows.first else { throw RegistryError.serverNotFound(name) }
        let server = try DatabaseServers.decode(row)
        try PlatformAudit.record(registry, actor: "cli", action: "server.add", details: ["server": name])
        return server
    }

    public func all() throws -> [DatabaseServer] {
        try registry.query("SELECT \(DatabaseServers.columns) FROM database_servers ORDER BY id").map(DatabaseServers.decode)
    }

    public func server(id: Int64) throws -> DatabaseServer {
        guard let row = try registry.query("SELECT \(DatabaseServers.columns) FROM database_servers WHERE id = \(id)").first else {
            throw RegistryError.serverNotFound("with id \(id)")
        }
        return try DatabaseServers.decode(row)
    }

    /// `--server` on the command line: an id or a name.
    public func server(named nameOrId: String) throws -> DatabaseServer {
        if let id = Int64(nameOrId) { return try server(id: id) }
        guard let row = try registry.query("SELECT \(DatabaseServers.columns) FROM database_servers WHERE name = \(nameOrId)").first else {
            throw RegistryError.serverNotFound("named \(nameOrId)")
        }
        return try DatabaseServers.decode(row)
    }

    /// Stores per active server, for placement.
    public func loads() throws -> [ServerLoad] {
        try registry.query("""
            SELECT ds.id, ds.capacity, count(td.store_id) AS stores
            FROM database_servers ds
            LEFT JOIN tenant_databases td ON td.server_id = ds.id AND td.status <> 'dropped'
            WHERE ds.status = 'active'
            GROUP BY ds.id, ds.capacity
            """).map { row in
            ServerLoad(serverId: try row.decode("id"), stores: try row.decode("stores"), capacity: try row.decode("capacity"))
        }
    }

    /// storefleet_admin's connection parameters on the server, database `postgres`.
    public func adminConnInfo(_ server: DatabaseServer) throws -> ConnInfo {
        try ConnInfo(parsing: String(decoding: try keyring.open(server.adminConninfoSealed), as: UTF8.self))
    }

    /// A new connection as storefleet_admin to `database` (default: the one in the admin URL).
    public func adminConnection(_ server: DatabaseServer, database: String? = nil) throws -> Connection {
        var info = try adminConnInfo(server)
        if let database { info = info.database(database) }
        return try Connection(url: info.keywordString)
    }

    static func decode(_ row: Row) throws -> DatabaseServer {
        DatabaseServer(id: try row.decode("id"), name: try row.decode("name"),
                       tenantHost: try row.decode("tenant_host"), tenantPort: try row.decode("tenant_port"),
                       capacity: try row.decode("capacity"), status: try row.decode("status"),
                       adminConninfoSealed: try row.decode("admin_conninfo_sealed"))
    }
}
