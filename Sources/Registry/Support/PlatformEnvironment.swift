import Crypto
import Foundation
import Postgres

/// What the platform tools (`storefleet migrate`, `provision`, `jobs`...) read from their
/// environment: the keys of `stack.env` (docs/CONTRACTS.md). Flags override them.
public struct PlatformEnvironment {
    public let values: [String: String]

    public init(_ values: [String: String] = ProcessInfo.processInfo.environment) {
        self.values = values
    }

    public subscript(key: String) -> String? {
        guard let v = values[key], !v.isEmpty else { return nil }
        return v
    }

    /// The registry as storefleet_owner (platform tools see every row); falls back to
    /// STOREFLEET_REGISTRY_URL when no owner URL is set.
    public func ownerConnection(url: String? = nil) throws -> Connection {
        guard let url = url ?? self["STOREFLEET_REGISTRY_OWNER_URL"] ?? self["STOREFLEET_REGISTRY_URL"] else {
            throw RegistryError.invalidConfiguration(
                "set STOREFLEET_REGISTRY_OWNER_URL (the registry as storefleet_owner), or pass --registry-url")
        }
        return try Connection(url: url)
    }

    /// The master keys: STOREFLEET_MASTER_KEY_FILE or STOREFLEET_MASTER_KEY.
    public func keyring(file: String? = nil) throws -> Keyring {
        try Keyring.load(file: file, environment: values)
    }

    public var keyFile: String? { self["STOREFLEET_MASTER_KEY_FILE"] }

    /// STOREFLEET_TEMPLATE_DB: the template database on each server (default `sf_template`).
    /// A benchmark or experiment with its own migration set uses its own template.
    public var templateName: String { self["STOREFLEET_TEMPLATE_DB"] ?? "sf_template" }

    public var platformDomain: String { self["STOREFLEET_PLATFORM_DOMAIN"] ?? "storefleet.localhost" }

    /// STOREFLEET_FAIL_PROVISION_AT=<step>: make provisioning fail right after that step (tests).
    public func failProvisionAt() throws -> ProvisionStep? {
        guard let name = self["STOREFLEET_FAIL_PROVISION_AT"] else { return nil }
        guard let step = ProvisionStep(rawValue: name) else {
            throw RegistryError.invalidConfiguration(
                "STOREFLEET_FAIL_PROVISION_AT=\(name) is not a step (one of: \(ProvisionStep.allCases.map(\.rawValue).joined(separator: ", ")))")
        }
        return step
    }

    /// `migrations/<kind>`: STOREFLEET_MIGRATIONS_DIR, else `./migrations`, else the nearest
    /// `migrations` folder above the executable (a build inside the checkout).
    public func migrations(_ kind: String) throws -> MigrationSet {
        try MigrationSet(directory: migrationsRoot() + "/" + kind)
    }

    func migrationsRoot() -> String {
        if let dir = self["STOREFLEET_MIGRATIONS_DIR"] { return dir }
        let fm = FileManager.default
        let local = fm.currentDirectoryPath + "/migrations"
        if fm.fileExists(atPath: local + "/registry") { return local }
        var url = URL(fileURLWithPath: CommandLine.arguments.first ?? ".").resolvingSymlinksInPath().deletingLastPathComponent()
        while url.path != "/" {
            let candidate = url.appendingPathComponent("migrations")
            if fm.fileExists(atPath: candidate.appendingPathComponent("registry").path) { return candidate.path }
            url = url.deletingLastPathComponent()
        }
        return local
    }
}
