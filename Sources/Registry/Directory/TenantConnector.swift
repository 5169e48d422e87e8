import Crypto
import Foundation
import Postgres

/// Opening a store's database as its own role, outside any per-process cache.
public enum TenantConnector {
    public static func connInfo(storeId: Int64, registry: Connection, keyring: Keyring, connectTimeout: Int = 5) throws -> ConnInfo {
        guard let row = try registry.queryFirst("""
            SELECT host, port, database_name, role_name, password_sealed FROM storefleet_tenant_connection(\(storeId))
            """) else { throw RegistryError.storeNotFound("with id \(storeId) (or it is not active)") }
        let password = String(decoding: try keyring.open(try row.decode("password_sealed", as: String.self)), as: UTF8.self)
        return ConnInfo([
            ("host", try row.decode("host", as: String.self)),
            ("port", String(try row.decode("port", as: Int.self))),
            ("dbname", try row.decode("database_name", as: String.self)),
            ("user", try row.decode("role_name", as: String.self)),
            ("password", password),
            ("connect_timeout", String(connectTimeout)),
            ("application_name", "storefleet"),
        ])
    }

    public static func open(storeId: Int64, registry: Connection, keyring: Keyring, connectTimeout: Int = 5) throws -> Connection {
        try Connection(url: connInfo(storeId: storeId, registry: registry, keyring: keyring, connectTimeout: connectTimeout).keywordString)
    }
}
