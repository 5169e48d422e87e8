import Foundation
import Postgres

/// Applies `migrations/registry/*.sql` to the registry database, in order, each in its own
/// transaction, recording name, SHA-256 checksum and duration in `registry_migrations`. An applied
/// file that was edited since is refused before anything runs. Connect as `storefleet_owner`.
public struct RegistryMigrator {
    public let connection: Connection
    public let migrations: MigrationSet

    public init(connection: Connection, migrations: MigrationSet) {
        self.connection = connection
        self.migrations = migrations
    }

    /// Serialises concurrent `storefleet migrate` runs against one registry.
    static let lockKey: Int64 = 0x5346_5245_4749   // "SFREGI"

    /// The applied migrations, name → checksum.
    public func applied() throws -> [String: String] {
        try ensureLedger()
        var result: [String: String] = [:]
        for row in try connection.query("SELECT name, checksum FROM registry_migrations") {
            result[try row.decode("name", as: String.self)] = try row.decode("checksum", as: String.self)
        }
        return result
    }

    /// Applies every pending migration; returns the names applied, in order.
    @discardableResult
    public func migrate(log: (String) -> Void = { _ in }) throws -> [String] {
        let pending = try migrations.pending(applied: try applied(), scope: "the registry")
        var done: [String] = []
        for file in pending {
            let started = Date()
            let ran: Bool = try connection.transaction { db in
                try db.execute("SELECT pg_advisory_xact_lock(\(RegistryMigrator.lockKey))")
                // Another migrator may have applied it while we waited for the lock.
                if try !db.query("SELECT 1 FROM registry_migrations WHERE name = \(file.name)").isEmpty { return false }
                // Functions created with `SET search_path FROM CURRENT` capture this: the registry's
                // schema, then pg_temp last, so a temporary table cannot shadow a registry table.
                try db.execute("SELECT set_config('search_path', quote_ident(current_schema()) || ', pg_temp', true)")
                for statement in file.statements {
                    do {
                        try db.execute(Query(unsafeSQL: statement))
                    } catch {
                        throw RegistryError.migrationFailed(file: file.fileName, scope: "the registry",
                                                            reason: DatabaseFailure.reason(error))
                    }
                }
                let ms = Date().timeIntervalSince(started) * 1000
                try db.execute("INSERT INTO registry_migrations (name, checksum, duration_ms) VALUES (\(file.name), \(file.checksum), \(ms))")
                return true
            }
            if ran {
                done.append(file.name)
                log("registry: applied \(file.fileName) in \(String(format: "%.0f", Date().timeIntervalSince(started) * 1000)) ms")
            }
        }
        return done
    }

    func ensureLedger() throws {
        try connection.transaction { db in
            // Two first runs at once would race on CREATE TABLE IF NOT EXISTS.
            try db.execute("SELECT pg_advisory_xact_lock(\(RegistryMigrator.lockKey))")
            try db.execute("""
                CREATE TABLE IF NOT EXISTS registry_migrations (
                    name         text PRIMARY KEY,
                    checksum     text NOT NULL,
                    applied_at   timestamptz NOT NULL DEFAULT now(),
                    duration_ms  double precision NOT NULL
                )
                """)
        }
    }
}
