import Foundation
import Postgres

/// A row of `stores`, as the platform tools see it.
public struct StoreRecord: Sendable, Equatable {
    public let id: Int64
    public let orgId: Int64?
    public let slug: String
    public let name: String
    public let status: StoreStatus
    public let currency: String
    public let country: String
    public let timezone: String
    public let locale: String
    /// The last provisioning step that completed, and the last provisioning error.
    public let provisionStep: String?
    public let provisionError: String?

    static let columns: Query = """
        s.id, s.org_id, s.slug, s.name, s.status::text AS status, s.currency, s.country, s.timezone,
        s.locale, s.provision_step, s.provision_error
        """

    static func decode(_ row: Row) throws -> StoreRecord {
        let status: String = try row.decode("status")
        return StoreRecord(
            id: try row.decode("id"), orgId: try row.decode("org_id"), slug: try row.decode("slug"),
            name: try row.decode("name"), status: StoreStatus(rawValue: status) ?? .failed,
            currency: try row.decode("currency"), country: try row.decode("country"),
            timezone: try row.decode("timezone"), locale: try row.decode("locale"),
            provisionStep: try row.decode("provision_step"), provisionError: try row.decode("provision_error"))
    }

    /// The live (not deleted) store with this slug.
    static func find(slug: String, in registry: Connection) throws -> StoreRecord? {
        try registry.query("SELECT \(columns) FROM stores s WHERE s.slug = \(slug) AND s.status <> 'deleted'")
            .first.map(decode)
    }

    static func find(id: Int64, in registry: Connection) throws -> StoreRecord? {
        try registry.query("SELECT \(columns) FROM stores s WHERE s.id = \(id)").first.map(decode)
    }
}

/// Where a store's database is: a row of `tenant_databases` with its role.
public struct TenantPlacement: Sendable, Equatable {
    public let storeId: Int64
    public let serverId: Int64
    public let databaseName: String
    public let schemaVersion: String?
    public let status: String

    static func find(storeId: Int64, in registry: Connection) throws -> TenantPlacement? {
        try registry.query("""
            SELECT store_id, server_id, database_name, schema_version, status
            FROM tenant_databases WHERE store_id = \(storeId)
            """).first.map { row in
            TenantPlacement(storeId: try row.decode("store_id"), serverId: try row.decode("server_id"),
                            databaseName: try row.decode("database_name"),
                            schemaVersion: try row.decode("schema_version"), status: try row.decode("status"))
        }
    }
}
