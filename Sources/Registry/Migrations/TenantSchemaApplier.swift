import Foundation
import Postgres

/// Applies tenant migrations to one tenant-shaped database (a store's, or a server's template),
/// connected as `storefleet_admin`. The database keeps its own ledger, `sf_schema_migrations`,
/// written in the same transaction as each migration, so what it says is always true; the
/// registry's `tenant_migrations` is the platform-wide report of the same events.
struct TenantSchemaApplier {
    let database: Connection
    let migrations: MigrationSet
    /// Names the database in messages: `store shop-a (sf_store_12)`, `template on server-1`.
    let scope: String

    /// Role granted read/write on every tenant table; each store's role is a member of it.
    static let tenantGroupRole = "storefleet_tenant"
    /// Serialises two migrators on the same tenant database (advisory locks are per database).
    static let lockKey: Int64 = 0x5346_544E_4E54   // "SFTNNT"

    struct Applied {
        let file: MigrationFile
        let started: Date
        let finished: Date
        let error: String?
    }

    /// The migrations recorded in the database's own ledger, name → checksum.
    func applied() throws -> [String: String] {
        guard try database.query("SELECT to_regclass('sf_schema_migrations') IS NOT NULL AS present")
            .first?.decode("present", as: Bool.self) == true else { return [:] }
        var result: [String: String] = [:]
        for row in try database.query("SELECT name, checksum FROM sf_schema_migrations") {
            result[try row.decode("name", as: String.self)] = try row.decode("checksum", as: String.self)
        }
        return result
    }

    /// Applies the pending migrations in order, each in a transaction, stopping at the first
    /// failure. `report` sees every attempt (the failed one too); the error is rethrown.
    func applyPending(report: (Applied) -> Void) throws -> [MigrationFile] {
        try database.execute("SELECT pg_advisory_lock(\(TenantSchemaApplier.lockKey))")
        defer { _ = try? database.execute("SELECT pg_advisory_unlock(\(TenantSchemaApplier.lockKey))") }
        try bootstrap()
        let pending = try migrations.pending(applied: try applied(), scope: scope)
        var done: [MigrationFile] = []
        for file in pending {
            let started = Date()
            do {
                try database.transaction { db in
                    for statement in file.statements {
                        try db.execute(Query(unsafeSQL: statement))
                    }
                    try db.execute("INSERT INTO sf_schema_migrations (name, checksum) VALUES (\(file.name), \(file.checksum))")
                }
            } catch {
                let reason = DatabaseFailure.reason(error)
                report(Applied(file: file, started: started, finished: Date(), error: reason))
                throw RegistryError.migrationFailed(file: file.fileName, scope: scope, reason: reason)
            }
            report(Applied(file: file, started: started, finished: Date(), error: nil))
            done.append(file)
        }
        return done
    }

    /// The ledger table and the default privileges that let store roles use every table the
    /// migrations create (they run as storefleet_admin, which owns the objects).
    func bootstrap() throws {
        if try database.query("SELECT to_regclass('sf_schema_migrations') IS NOT NULL AS present")
            .first?.decode("present", as: Bool.self) == true { return }
        let group = TenantSchemaApplier.tenantGroupRole
        try database.transaction { db in
            try db.execute("""
                CREATE TABLE sf_schema_migrations (
                    name        text PRIMARY KEY,
                    checksum    text NOT NULL,
                    applied_at  timestamptz NOT NULL DEFAULT now()
                )
                """)
            try db.execute("ALTER DEFAULT PRIVILEGES GRANT SELECT, INSERT, UPDATE, DELETE ON TABLES TO \(unsafeIdentifier: group)")
            try db.execute("ALTER DEFAULT PRIVILEGES GRANT USAGE, SELECT, UPDATE ON SEQUENCES TO \(unsafeIdentifier: group)")
            try db.execute("ALTER DEFAULT PRIVILEGES GRANT USAGE ON SCHEMAS TO \(unsafeIdentifier: group)")
            try db.execute("GRANT SELECT ON sf_schema_migrations TO \(unsafeIdentifier: group)")
            try db.execute("GRANT USAGE ON SCHEMA public TO \(unsafeIdentifier: group)")
        }
    }

    /// Creates the group role on a server if it is missing (roles are per cluster).
    static func ensureGroupRole(admin: Connection) throws {
        if try admin.query("SELECT 1 FROM pg_roles WHERE rolname = \(tenantGroupRole)").isEmpty {
            do {
                try admin.execute("CREATE ROLE \(unsafeIdentifier: tenantGroupRole) NOLOGIN")
            } catch {
                // Created concurrently by another provisioning: fine.
                let kind = DatabaseFailure.kind(error)
                guard kind == .duplicateObject || kind == .uniqueViolation else { throw error }
            }
        }
    }
}
