import Crypto
import Foundation
import Postgres

/// The steps of provisioning, in order. Each is idempotent and recorded in
/// `stores.provision_step` when it completes, so a retry redoes nothing that is done.
public enum ProvisionStep: String, CaseIterable, Sendable {
    /// The `stores` row, status `provisioning` (invisible to Host lookups).
    case reserve
    /// A server chosen and the `tenant_databases` row written.
    case place
    /// The role's password generated, sealed and stored.
    case credentials
    /// The store's role created on the server (or its password reset to the stored one).
    case role
    /// The server's template database brought up to date.
    case template
    /// The database cloned from the template.
    case database
    /// CONNECT for the store's role only; table privileges through the tenant group role.
    case grants
    /// Any migration newer than the template applied, and the ledger recorded.
    case ledger
    /// The store's own settings row: name, currency, country, time zone, locale.
    case settings
    /// Status `active`: from now on the store resolves.
    case activate
}

/// What to provision.
public struct ProvisionRequest: Sendable {
    public var slug: String
    public var name: String
    public var orgId: Int64?
    /// A server id or name; nil picks the least-loaded active server.
    public var server: String?
    public var currency: String
    public var country: String
    public var timezone: String
    public var locale: String

    public init(slug: String, name: String, orgId: Int64? = nil, server: String? = nil, currency: String = "EUR",
                country: String = "DE", timezone: String = "UTC", locale: String = "en") {
        self.slug = slug
        self.name = name
        self.orgId = orgId
        self.server = server
        self.currency = currency
        self.country = country
        self.timezone = timezone
        self.locale = locale
    }
}

/// Settings of a `Provisioner`; the defaults are the platform's.
public struct ProvisioningOptions: Sendable {
    public var migrations: MigrationSet
    /// The template database on each server.
    public var templateName: String = "sf_template"
    /// Database and role names are `<prefix><store id>`.
    public var namePrefix: String = "sf_store_"
    /// Fail right after this step completes (tests; `STOREFLEET_FAIL_PROVISION_AT`).
    public var failAt: ProvisionStep? = nil

    public init(migrations: MigrationSet, templateName: String = "sf_template", namePrefix: String = "sf_store_",
                failAt: ProvisionStep? = nil) {
        self.migrations = migrations
        self.templateName = templateName
        self.namePrefix = namePrefix
        self.failAt = failAt
    }
}

/// A store that is now active.
public struct ProvisionedStore: Sendable {
    public let storeId: Int64
    public let slug: String
    public let serverName: String
    public let databaseName: String
    public let version: String?
    public let seconds: Double
    /// Seconds spent in each step, in order (for `--timing` and the benchmark).
    public let stepSeconds: [(step: ProvisionStep, seconds: Double)]
}

/// Creates and removes stores' databases. Connect `registry` as storefleet_owner.
public struct Provisioner {
    public let registry: Connection
    public let keyring: Keyring
    public let options: ProvisioningOptions
    let servers: DatabaseServers

    public init(registry: Connection, keyring: Keyring, options: ProvisioningOptions) {
        self.registry = registry
        self.keyring = keyring
        self.options = options
        self.servers = DatabaseServers(registry: registry, keyring: keyring)
    }

    /// Serialises two provisionings (or a provisioning and a deprovisioning) of the same store.
    static let storeLockClass: Int32 = 0x5346_5053   // "SFPS"

    /// Provisions a store, or resumes one that failed half-way. Throws `provisioningFailed` (the
    /// store stays invisible and is marked `failed`) or a validation error (nothing changed).
    public func provision(_ request: ProvisionRequest) throws -> ProvisionedStore {
        let started = Date()
        var timings = StepTimer()
        _ = try Slug.validate(request.slug)
        let store = try reserve(request)
        try registry.execute("SELECT pg_advisory_lock(\(Provisioner.storeLockClass), \(Int32(truncatingIfNeeded: store.id)))")
        defer { _ = try? registry.execute("SELECT pg_advisory_unlock(\(Provisioner.storeLockClass), \(Int32(truncatingIfNeeded: store.id)))") }
        var step = ProvisionStep.reserve
        do {
            try checkpoint(store.id, .reserve)
            timings.lap(.reserve)
            step = .place
            let placement = try place(store, request: request)
            let server = try servers.server(id: placement.serverId)
            try checkpoint(store.id, .place)
            timings.lap(.place)
            step = .credentials
            let password = try credentials(store)
            try checkpoint(store.id, .credentials)
            timings.lap(.credentials)
            let admin = try servers.adminConnection(server)
            let role = placement.databaseName
            step = .role
            try createRole(role, password: password, admin: admin)
            try checkpoint(store.id, .role)
            timings.lap(.role)
            step = .template
            let template = TemplateDatabase(name: options.templateName, server: server, servers: servers,
                                            migrations: options.migrations)
            try template.ensureCurrent()
            try checkpoint(store.id, .template)
            timings.lap(.template)
            step = .database
            do {
                try template.clone(into: placement.databaseName, admin: admin)
            } catch {
                // The registry said the template was current but it is gone (dropped by hand):
                // rebuild it and clone again.
                guard DatabaseFailure.kind(error) == .undefinedObject else { throw error }
                try template.update()
                try template.clone(into: placement.databaseName, admin: admin)
            }
            try checkpoint(store.id, .database)
            timings.lap(.database)
            step = .grants
            try grant(database: placement.databaseName, to: role, admin: admin)
            try checkpoint(store.id, .grants)
            timings.lap(.grants)
            step = .ledger
            let version = try ledger(store, placement: placement, server: server)
            try checkpoint(store.id, .ledger)
            timings.lap(.ledger)
            step = .settings
            try writeSettings(request, database: placement.databaseName, server: server)
            try checkpoint(store.id, .settings)
            timings.lap(.settings)
            step = .activate
            try registry.transaction { db in
                try db.execute("""
                    UPDATE stores SET status = 'active', activated_at = now(), provision_step = 'activate',
                        provision_error = NULL
                    WHERE id = \(store.id)
                    """)
                try PlatformAudit.record(db, actor: "provisioner", action: "store.provision", orgId: store.orgId,
                                         storeId: store.id, details: ["slug": store.slug, "server": server.name])
                // Injected inside the transaction: the activation rolls back, the store stays invisible.
                try inject(.activate)
            }
            return ProvisionedStore(storeId: store.id, slug: store.slug, serverName: server.name,
                                    databaseName: placement.databaseName, version: version,
                                    seconds: Date().timeIntervalSince(started), stepSeconds: timings.lap(.activate))
        } catch {
            let reason = DatabaseFailure.reason(error)
            _ = try? registry.execute("""
                UPDATE stores SET status = 'failed', provision_error = \(reason)
                WHERE id = \(store.id) AND status IN ('provisioning', 'failed')
                """)
            throw RegistryError.provisioningFailed(slug: store.slug, step: step.rawValue, reason: reason)
        }
    }

    /// Records a completed step. Without waiting for the WAL flush: a checkpoint lost in a crash
    /// only makes a retry redo an idempotent step, and it saves a disk flush per step.
    func checkpoint(_ storeId: Int64, _ step: ProvisionStep) throws {
        try registry.transaction { db in
            try db.execute("SET LOCAL synchronous_commit = off")
            try db.execute("UPDATE stores SET provision_step = \(step.rawValue) WHERE id = \(storeId)")
        }
        try inject(step)
    }

    func inject(_ step: ProvisionStep) throws {
        if options.failAt == step { throw RegistryError.injectedFailure(step: step.rawValue) }
    }

    /// The store's row: a new one, or the one a failed provisioning left.
    func reserve(_ request: ProvisionRequest) throws -> StoreRecord {
        if let existing = try StoreRecord.find(slug: request.slug, in: registry) {
            guard existing.status == .provisioning || existing.status == .failed else {
                throw RegistryError.slugTaken(request.slug)
            }
            try registry.execute("UPDATE stores SET status = 'provisioning' WHERE id = \(existing.id)")
            return existing
        }
        do {
            let rows = try registry.query("""
                INSERT INTO stores (org_id, slug, name, status, currency, country, timezone, locale, provision_step)
                VALUES (\(request.orgId), \(request.slug), \(request.name), 'provisioning', \(request.currency),
                        \(request.country), \(request.timezone), \(request.locale), NULL)
                RETURNING id
                """)
            guard let id = try rows.first?.decode("id", as: Int64.self),
                  let store = try StoreRecord.find(id: id, in: registry) else { throw RegistryError.slugTaken(request.slug) }
            return store
        } catch {
            switch DatabaseFailure.kind(error) {
            case .uniqueViolation?: throw RegistryError.slugTaken(request.slug)
            case .checkViolation?, .invalidInput?:
                throw RegistryError.invalidConfiguration(
                    "the store's currency (3 capital letters), country (2 capital letters) or name is not valid")
            default: throw error
            }
        }
    }

    func place(_ store: StoreRecord, request: ProvisionRequest) throws -> TenantPlacement {
        if let existing = try TenantPlacement.find(storeId: store.id, in: registry) { return existing }
        let serverId: Int64
        if let wanted = request.server {
            let server = try servers.server(named: wanted)
            guard server.status == "active" else {
                throw RegistryError.invalidConfiguration("server \(server.name) is \(server.status), not active")
            }
            serverId = server.id
        } else {
            guard let chosen = Placement.choose(try servers.loads()) else { throw RegistryError.noServerAvailable }
            serverId = chosen
        }
        let name = options.namePrefix + String(store.id)
        try registry.execute("""
            INSERT INTO tenant_databases (store_id, server_id, database_name, status)
            VALUES (\(store.id), \(serverId), \(name), 'creating')
            """)
        return TenantPlacement(storeId: store.id, serverId: serverId, databaseName: name, schemaVersion: nil, status: "creating")
    }

    /// The stored password, or a new one sealed and stored before the role exists.
    func credentials(_ store: StoreRecord) throws -> String {
        if let sealed = try registry.query("SELECT password_sealed FROM tenant_connections WHERE store_id = \(store.id)")
            .first?.decode("password_sealed", as: String.self) {
            return String(decoding: try keyring.open(sealed), as: UTF8.self)
        }
        let password = SecureRandom.token(bytes: 24)
        let sealed = try keyring.seal(Array(password.utf8))
        try registry.execute("""
            INSERT INTO tenant_connections (store_id, role_name, password_sealed)
            VALUES (\(store.id), \(options.namePrefix + String(store.id)), \(sealed))
            """)
        return password
    }

    func createRole(_ role: String, password: String, admin: Connection) throws {
        try TenantSchemaApplier.ensureGroupRole(admin: admin)
        if try admin.query("SELECT 1 FROM pg_roles WHERE rolname = \(role)").isEmpty {
            try admin.execute("CREATE ROLE \(unsafeIdentifier: role) LOGIN PASSWORD \(unsafeLiteral: password) IN ROLE \(unsafeIdentifier: TenantSchemaApplier.tenantGroupRole)")
        } else {
            try admin.execute("ALTER ROLE \(unsafeIdentifier: role) LOGIN PASSWORD \(unsafeLiteral: password)")
            try admin.execute("GRANT \(unsafeIdentifier: TenantSchemaApplier.tenantGroupRole) TO \(unsafeIdentifier: role)")
        }
    }

    /// Only the store's role (and the admin, which owns it) may connect to the database.
    func grant(database: String, to role: String, admin: Connection) throws {
        try admin.transaction { db in
            try db.execute("REVOKE ALL ON DATABASE \(unsafeIdentifier: database) FROM PUBLIC")
            try db.execute("GRANT CONNECT, TEMPORARY ON DATABASE \(unsafeIdentifier: database) TO \(unsafeIdentifier: role)")
        }
    }

    /// The tenant schema's one-row `store_settings`, from the request, and the store's first audit
    /// entry, in one transaction (each skipped if the schema has no such table).
    func writeSettings(_ request: ProvisionRequest, database: String, server: DatabaseServer) throws {
        let db = try servers.adminConnection(server, database: database)
        guard try db.queryFirst("SELECT to_regclass('store_settings') IS NOT NULL AS present")?
            .decode("present", as: Bool.self) == true else { return }
        let hasAudit = try db.queryFirst("SELECT to_regclass('audit_log') IS NOT NULL AS present")?
            .decode("present", as: Bool.self) == true
        try db.transaction { db in
            try db.execute("""
                UPDATE store_settings SET name = \(request.name), currency = \(request.currency),
                    country_code = \(request.country), timezone = \(request.timezone), locale = \(request.locale)
                """)
            // The store's own history starts with its creation (once, even after a retry).
            if hasAudit {
                try db.execute("""
                    INSERT INTO audit_log (actor_kind, actor_id, action, details)
                    SELECT 'system', 'provisioner', 'store.provision',
                           jsonb_build_object('slug', \(request.slug)::text, 'currency', \(request.currency)::text)
                    WHERE NOT EXISTS (SELECT 1 FROM audit_log WHERE action = 'store.provision')
                    """)
            }
        }
    }

    /// Applies what the template lacked, and records in the registry ledger every migration the
    /// database has that the ledger does not (those that came with the template).
    func ledger(_ store: StoreRecord, placement: TenantPlacement, server: DatabaseServer) throws -> String? {
        let migrator = TenantMigrator(registry: registry, keyring: keyring, migrations: options.migrations,
                                      templateName: options.templateName)
        let database = try servers.adminConnection(server, database: placement.databaseName)
        let applier = TenantSchemaApplier(database: database, migrations: options.migrations,
                                          scope: "store \(store.slug) (\(placement.databaseName))")
        _ = try applier.applyPending { attempt in try? migrator.recordAttempt(storeId: store.id, attempt) }
        let inDatabase = try database.query("SELECT name, checksum, applied_at FROM sf_schema_migrations ORDER BY name")
        let recorded = Set(try registry.query("""
            SELECT migration FROM tenant_migrations WHERE store_id = \(store.id) AND error IS NULL
            """).map { try $0.decode("migration", as: String.self) })
        let now = Date()
        try registry.transaction { db in
            for row in inDatabase {
                let name: String = try row.decode("name")
                if recorded.contains(name) { continue }
                let checksum: String = try row.decode("checksum")
                try db.execute("""
                    INSERT INTO tenant_migrations (store_id, migration, checksum, started_at, finished_at, duration_ms, via_template)
                    VALUES (\(store.id), \(name), \(checksum), \(now), \(now), 0, true)
                    """)
            }
            let version = try inDatabase.last?.decode("name", as: String.self)
            try db.execute("""
                UPDATE tenant_databases SET schema_version = \(version), status = 'ready' WHERE store_id = \(store.id)
                """)
        }
        return try inDatabase.last?.decode("name", as: String.self)
    }
}

/// Time per provisioning step.
struct StepTimer {
    private var last = Date()
    private(set) var laps: [(step: ProvisionStep, seconds: Double)] = []

    @discardableResult
    mutating func lap(_ step: ProvisionStep) -> [(step: ProvisionStep, seconds: Double)] {
        let now = Date()
        laps.append((step, now.timeIntervalSince(last)))
        last = now
        return laps
    }
}
