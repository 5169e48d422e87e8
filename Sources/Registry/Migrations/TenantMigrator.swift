import Crypto
import Foundation
import Postgres

/// The outcome of migrating one store's database.
public struct TenantMigrationOutcome: Sendable {
    public let storeId: Int64
    public let slug: String
    /// Names applied in this run, in order.
    public let applied: [String]
    /// The version the database is at now (nil: no migration yet).
    public let version: String?
    /// Why the store stopped short, if it did.
    public let error: String?
    public let seconds: Double

    public var succeeded: Bool { error == nil }
}

/// Brings tenant databases up to the latest migration, one store at a time, connected to each
/// store's server as storefleet_admin; records every attempt in the registry's `tenant_migrations`.
/// Parallelism across stores is the caller's (the `migrate` command runs several processes).
public struct TenantMigrator {
    public let registry: Connection
    public let servers: DatabaseServers
    public let migrations: MigrationSet
    /// The template database name on each server (see `TemplateDatabase`).
    public let templateName: String

    public init(registry: Connection, keyring: Keyring, migrations: MigrationSet, templateName: String = "sf_template") {
        self.registry = registry
        self.servers = DatabaseServers(registry: registry, keyring: keyring)
        self.migrations = migrations
        self.templateName = templateName
    }

    /// Live stores that have a database, by slug; `slugs` empty means all of them.
    public func stores(slugs: [String] = []) throws -> [StoreRecord] {
        let all = try registry.query("""
            SELECT \(StoreRecord.columns) FROM stores s JOIN tenant_databases td ON td.store_id = s.id
            WHERE s.status IN ('active', 'suspended') AND td.status <> 'dropped'
            ORDER BY s.id
            """).map(StoreRecord.decode)
        if slugs.isEmpty { return all }
        let wanted = Set(slugs)
        let found = all.filter { wanted.contains($0.slug) }
        if let missing = slugs.first(where: { s in !found.contains { $0.slug == s } }) {
            throw RegistryError.storeNotFound("with the slug \(missing) (or it is not provisioned)")
        }
        return found
    }

    /// Updates every server's template; then clones get the new schema without replaying it.
    public func refreshTemplates(log: (String) -> Void = { _ in }) throws {
        for server in try servers.all() where server.status == "active" {
            let template = TemplateDatabase(name: templateName, server: server, servers: servers, migrations: migrations)
            try template.ensureCurrent()
            log("template \(templateName) on \(server.name): at \(migrations.latest ?? "-")")
        }
    }

    /// Migrates each store in turn; a failing store is reported and the others carry on.
    public func migrate(_ stores: [StoreRecord], log: (TenantMigrationOutcome) -> Void = { _ in }) -> [TenantMigrationOutcome] {
        stores.map { store in
            let outcome = migrate(store)
            log(outcome)
            return outcome
        }
    }

    /// Migrates one store's database; never throws, the outcome says what happened.
    public func migrate(_ store: StoreRecord) -> TenantMigrationOutcome {
        let started = Date()
        var applied: [String] = []
        var version: String? = nil
        do {
            guard let placement = try TenantPlacement.find(storeId: store.id, in: registry) else {
                throw RegistryError.storeNotFound("database for \(store.slug)")
            }
            version = placement.schemaVersion
            let server = try servers.server(id: placement.serverId)
            let database = try servers.adminConnection(server, database: placement.databaseName)
            let applier = TenantSchemaApplier(database: database, migrations: migrations,
                                              scope: "store \(store.slug) (\(placement.databaseName))")
            var ledgerError: Error? = nil
            let files = try applier.applyPending { attempt in
                do { try recordAttempt(storeId: store.id, attempt) } catch { ledgerError = error }
            }
            applied = files.map(\.name)
            version = try currentVersion(applier)
            try registry.execute("""
                UPDATE tenant_databases SET schema_version = \(version), status = 'ready' WHERE store_id = \(store.id)
                """)
            if let ledgerError { throw ledgerError }
            return TenantMigrationOutcome(storeId: store.id, slug: store.slug, applied: applied, version: version,
                                          error: nil, seconds: Date().timeIntervalSince(started))
        } catch {
            return TenantMigrationOutcome(storeId: store.id, slug: store.slug, applied: applied, version: version,
                                          error: "\(error)", seconds: Date().timeIntervalSince(started))
        }
    }

    func currentVersion(_ applier: TenantSchemaApplier) throws -> String? {
        try applier.applied().keys.max()
    }

    func recordAttempt(storeId: Int64, _ attempt: TenantSchemaApplier.Applied) throws {
        let ms = attempt.finished.timeIntervalSince(attempt.started) * 1000
        try registry.execute("""
            INSERT INTO tenant_migrations (store_id, migration, checksum, started_at, finished_at, duration_ms, error)
            VALUES (\(storeId), \(attempt.file.name), \(attempt.file.checksum), \(attempt.started),
                    \(attempt.finished), \(ms), \(attempt.error))
            """)
    }

    /// Each store's version against the latest file, for `storefleet migrate status`.
    public func status() throws -> [(slug: String, server: String, version: String?, lastError: String?)] {
        try registry.query("""
            SELECT s.slug, ds.name AS server, td.schema_version,
                   (SELECT tm.error FROM tenant_migrations tm WHERE tm.store_id = s.id
                    ORDER BY tm.id DESC LIMIT 1) AS last_error
            FROM stores s
            JOIN tenant_databases td ON td.store_id = s.id
            JOIN database_servers ds ON ds.id = td.server_id
            WHERE s.status <> 'deleted'
            ORDER BY s.slug
            """).map { row in
            (try row.decode("slug"), try row.decode("server"), try row.decode("schema_version"), try row.decode("last_error"))
        }
    }
}
