import Foundation
import Postgres
import Registry
import Testing
import TestSupport

/// A throwaway database with every tenant migration applied, on the stack's server 1, made
/// and dropped by `storefleet_admin` (CREATEDB). Each test gets its own, so they run in parallel.
enum TenantScratchDatabase {
    /// Runs `body` on a fresh, fully migrated tenant database, then drops it. Without a local
    /// stack the test fails under CI=true and is recorded as a known issue otherwise.
    static func with(_ body: (Connection) throws -> Void) throws {
        guard let adminURL = try adminURL() else { return }
        let admin = try Connection(url: adminURL)
        let name = "sf_schema_test_" + String(UInt64.random(in: 0...UInt64.max), radix: 36)
        try admin.execute("CREATE DATABASE \(unsafeIdentifier: name)")
        defer {
            _ = try? admin.execute("DROP DATABASE IF EXISTS \(unsafeIdentifier: name) WITH (FORCE)")
        }
        let db = try Connection(url: url(adminURL, database: name))
        defer { db.close() }
        try applyTenantMigrations(on: db)
        try body(db)
    }

    /// Every file of migrations/tenant in order, each in its own transaction, as the migrator does.
    static func applyTenantMigrations(on db: Connection) throws {
        let set = try MigrationSet(directory: StackEnvironment.packageRoot() + "/migrations/tenant")
        #expect(!set.files.isEmpty)
        for file in set.files {
            try db.transaction { db in
                for statement in file.statements {
                    try db.execute(Query(unsafeSQL: statement))
                }
            }
        }
    }

    static func adminURL() throws -> String? {
        guard let stack = StackEnvironment.load() else {
            if ProcessInfo.processInfo.environment["CI"] == "true" { _ = try StackEnvironment.require() }
            withKnownIssue("needs the local stack: run `make test`") { _ = try StackEnvironment.require() }
            return nil
        }
        return try stack.value("STOREFLEET_SERVER1_ADMIN_URL")
    }

    /// The same server and credentials, another database: `postgresql://u:p@h:5432/db?x=y`.
    static func url(_ url: String, database: String) -> String {
        let query = url.firstIndex(of: "?").map { String(url[$0...]) } ?? ""
        let base = url.firstIndex(of: "?").map { String(url[..<$0]) } ?? url
        guard let schemeEnd = base.range(of: "://"),
              let slash = base[schemeEnd.upperBound...].firstIndex(of: "/") else {
            return base + "/" + database + query
        }
        return String(base[..<slash]) + "/" + database + query
    }
}

/// The PostgreSQL error `body` fails with, or nil when it succeeds.
func schemaRefusal(_ body: () throws -> Void) -> PostgresError? {
    do {
        try body()
        return nil
    } catch let error as PostgresError {
        return error
    } catch {
        Issue.record("expected a PostgresError, got \(error)")
        return nil
    }
}
