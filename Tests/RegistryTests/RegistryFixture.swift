import Crypto
import Foundation
import Postgres
import Registry
import Testing
import TestSupport

/// The registry and servers of the local stack, migrated and registered, for one test.
struct RegistryFixture {
    let stack: StackEnvironment
    let ownerURL: String
    let appURL: String
    let keyring: Keyring
    let keyFile: String
    let platformDomain: String
    let tenantMigrations: MigrationSet
    let registryMigrations: MigrationSet
    /// server1 and server2.
    let serverNames: [String]

    static let root = StackEnvironment.packageRoot()

    /// Runs `body` against the stack; without one, fails under CI=true and records a known issue
    /// otherwise (never a silent pass).
    static func run(_ body: (RegistryFixture) throws -> Void) throws {
        guard let stack = StackEnvironment.load() else {
            if ProcessInfo.processInfo.environment["CI"] == "true" { _ = try StackEnvironment.require() }
            withKnownIssue("no local stack: run `make test` (scripts/stack.sh up test)") { _ = try StackEnvironment.require() }
            return
        }
        try body(try RegistryFixture(stack: stack))
    }

    init(stack: StackEnvironment) throws {
        self.stack = stack
        ownerURL = try stack.value("STOREFLEET_REGISTRY_OWNER_URL")
        appURL = try stack.value("STOREFLEET_REGISTRY_URL")
        keyFile = try stack.value("STOREFLEET_MASTER_KEY_FILE")
        keyring = try Keyring.load(file: keyFile, environment: [:])
        platformDomain = stack["STOREFLEET_PLATFORM_DOMAIN"] ?? "storefleet.localhost"
        tenantMigrations = try MigrationSet(directory: RegistryFixture.root + "/migrations/tenant")
        registryMigrations = try MigrationSet(directory: RegistryFixture.root + "/migrations/registry")
        let owner = try Connection(url: ownerURL)
        try RegistryMigrator(connection: owner, migrations: registryMigrations).migrate()
        let servers = DatabaseServers(registry: owner, keyring: keyring)
        let known = Set(try servers.all().map(\.name))
        var names: [String] = []
        for n in 1...2 {
            let name = "server\(n)"
            names.append(name)
            if known.contains(name) { continue }
            let url = try stack.value("STOREFLEET_SERVER\(n)_ADMIN_URL")
            let info = try ConnInfo(parsing: url)
            try servers.add(name: name, adminURL: url, tenantHost: info["host"] ?? "127.0.0.1",
                            tenantPort: Int(info["port"] ?? "5432") ?? 5432)
        }
        serverNames = names
    }

    func owner() throws -> Connection { try Connection(url: ownerURL) }
    func app() throws -> Connection { try Connection(url: appURL) }

    func provisioner(_ owner: Connection, migrations: MigrationSet? = nil, template: String = "sf_template",
                     failAt: ProvisionStep? = nil) -> Provisioner {
        Provisioner(registry: owner, keyring: keyring,
                    options: ProvisioningOptions(migrations: migrations ?? tenantMigrations, templateName: template,
                                                 failAt: failAt))
    }

    func directory() throws -> StoreDirectory {
        StoreDirectory(registry: try app(), keyring: keyring, platformDomain: platformDomain)
    }

    /// A slug no other test uses.
    static func uniqueSlug(_ prefix: String = "t") -> String {
        prefix + "-" + SecureRandom.bytes(5).map { String(format: "%02x", $0) }.joined()
    }

    /// A copy of the tenant migrations in a fresh directory, plus `extra` files (name → SQL).
    func tenantMigrationsCopy(extra: [String: String] = [:], replacing: [String: String] = [:]) throws -> MigrationSet {
        let dir = NSTemporaryDirectory() + "sf-migrations-" + RegistryFixture.uniqueSlug("m")
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        for file in tenantMigrations.files {
            try (replacing[file.name] ?? file.sql).write(toFile: dir + "/" + file.fileName, atomically: true, encoding: .utf8)
        }
        for (name, sql) in extra {
            try sql.write(toFile: dir + "/" + name + ".sql", atomically: true, encoding: .utf8)
        }
        return try MigrationSet(directory: dir)
    }

    /// Drops a test's own template database on every server.
    func dropTemplate(_ name: String, owner: Connection) throws {
        let servers = DatabaseServers(registry: owner, keyring: keyring)
        for server in try servers.all() {
            let admin = try servers.adminConnection(server)
            try admin.execute("DROP DATABASE IF EXISTS \(unsafeIdentifier: name)")
            try owner.execute("DELETE FROM tenant_templates WHERE database_name = \(name)")
        }
    }
}

/// A registry of its own in a fresh schema of the registry database, for tests that must not
/// disturb others (key rotation re-seals everything; a job runner drains its whole queue).
struct ScratchRegistry {
    let schema: String
    let ownerInfo: ConnInfo
    let appInfo: ConnInfo

    init(_ fixture: RegistryFixture) throws {
        schema = "scratch_" + SecureRandom.bytes(6).map { String(format: "%02x", $0) }.joined()
        let owner = try fixture.owner()
        try owner.execute("CREATE SCHEMA \(unsafeIdentifier: schema)")
        var o = try ConnInfo(parsing: fixture.ownerURL)
        o["options"] = "-c search_path=\(schema)"
        ownerInfo = o
        var a = try ConnInfo(parsing: fixture.appURL)
        a["options"] = "-c search_path=\(schema)"
        appInfo = a
        try RegistryMigrator(connection: try self.owner(), migrations: fixture.registryMigrations).migrate()
    }

    func owner() throws -> Connection { try Connection(url: ownerInfo.keywordString) }
    func app() throws -> Connection { try Connection(url: appInfo.keywordString) }

    func drop(_ fixture: RegistryFixture) throws {
        try fixture.owner().execute("DROP SCHEMA \(unsafeIdentifier: schema) CASCADE")
    }
}
