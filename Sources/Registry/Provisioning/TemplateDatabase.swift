import Foundation
import Postgres

/// The template database on each server, kept at the latest tenant migration, which new tenant
/// databases are cloned from (`CREATE DATABASE ... TEMPLATE`), so provisioning does not replay
/// every migration.
///
/// `CREATE DATABASE ... TEMPLATE t` fails while anyone is connected to `t`. So everyone who
/// touches the template takes an advisory lock in the server's `postgres` database first:
/// cloning takes it shared (clones run side by side), updating the template takes it exclusive
/// (clones wait, then proceed; none fails). Health probes never connect to the template.
struct TemplateDatabase {
    let name: String
    let server: DatabaseServer
    let servers: DatabaseServers
    let migrations: MigrationSet

    static let lockKey: Int64 = 0x5346_5445_4D50   // "SFTEMP"

    /// Brings the template up to date if the registry says it is behind. Cheap when it is not.
    func ensureCurrent() throws {
        if try isRecordedCurrent() { return }
        try update(unlessCurrent: true)
    }

    func isRecordedCurrent() throws -> Bool {
        let recorded = try servers.registry.query("""
            SELECT version FROM tenant_templates WHERE server_id = \(server.id) AND database_name = \(name)
            """).first.map { try $0.decode("version", as: String?.self) } ?? nil
        return recorded != nil && recorded == migrations.latest
    }

    /// Creates the template if missing and applies pending migrations, under the exclusive lock.
    func update(unlessCurrent: Bool = false) throws {
        let admin = try servers.adminConnection(server)
        try admin.execute("SELECT pg_advisory_lock(\(TemplateDatabase.lockKey))")
        defer { _ = try? admin.execute("SELECT pg_advisory_unlock(\(TemplateDatabase.lockKey))") }
        // Whoever held the lock before us may just have brought it up to date.
        if unlessCurrent, try isRecordedCurrent() { return }
        try TenantSchemaApplier.ensureGroupRole(admin: admin)
        if try admin.query("SELECT 1 FROM pg_database WHERE datname = \(name)").isEmpty {
            try admin.execute("CREATE DATABASE \(unsafeIdentifier: name) TEMPLATE template0")
            try admin.execute("REVOKE ALL ON DATABASE \(unsafeIdentifier: name) FROM PUBLIC")
        }
        do {
            let template = try servers.adminConnection(server, database: name)
            let applier = TenantSchemaApplier(database: template, migrations: migrations,
                                              scope: "template \(name) on \(server.name)")
            _ = try applier.applyPending { _ in }
            // `template` closes here, before the lock is released.
        }
        try servers.registry.execute("""
            INSERT INTO tenant_templates (server_id, database_name, version, updated_at)
            VALUES (\(server.id), \(name), \(migrations.latest), now())
            ON CONFLICT (server_id, database_name) DO UPDATE SET version = EXCLUDED.version, updated_at = now()
            """)
    }

    /// Clones the template into `database` unless it exists. Waits (never fails) while the
    /// template is being updated.
    func clone(into database: String, admin: Connection) throws {
        try admin.execute("SELECT pg_advisory_lock_shared(\(TemplateDatabase.lockKey))")
        defer { _ = try? admin.execute("SELECT pg_advisory_unlock_shared(\(TemplateDatabase.lockKey))") }
        if try !admin.query("SELECT 1 FROM pg_database WHERE datname = \(database)").isEmpty { return }
        try admin.execute("CREATE DATABASE \(unsafeIdentifier: database) TEMPLATE \(unsafeIdentifier: name)")
    }

    /// Drops the template (tests that used their own migration set).
    func drop() throws {
        let admin = try servers.adminConnection(server)
        try admin.execute("SELECT pg_advisory_lock(\(TemplateDatabase.lockKey))")
        defer { _ = try? admin.execute("SELECT pg_advisory_unlock(\(TemplateDatabase.lockKey))") }
        try admin.execute("DROP DATABASE IF EXISTS \(unsafeIdentifier: name)")
        try servers.registry.execute("DELETE FROM tenant_templates WHERE server_id = \(server.id) AND database_name = \(name)")
    }
}
