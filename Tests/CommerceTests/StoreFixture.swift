import Crypto
import Foundation
import Postgres
import Registry
import Testing
import TestSupport
@testable import Commerce

/// A freshly provisioned store of the local stack (`make test`), its database reached with the
/// store's own role, for tests of one store's catalog.
struct StoreFixture {
    let storeId: Int64
    let slug: String
    let db: Connection
    /// libpq keywords for more connections to the store's database.
    let url: String
    let actor = CatalogActor(kind: "user", id: "1", label: "owner@example.com")

    /// Runs `body` with a new store; without a stack, fails under CI=true and records a known
    /// issue otherwise (never a silent pass).
    static func run(_ prefix: String, _ body: (StoreFixture) throws -> Void) throws {
        guard let stack = StackEnvironment.load() else {
            if ProcessInfo.processInfo.environment["CI"] == "true" { _ = try StackEnvironment.require() }
            withKnownIssue("no local stack: run `make test` (scripts/stack.sh up test)") { _ = try StackEnvironment.require() }
            return
        }
        try body(try StoreFixture(stack: stack, prefix: prefix))
    }

    init(stack: StackEnvironment, prefix: String) throws {
        let owner = try Connection(url: try stack.value("STOREFLEET_REGISTRY_OWNER_URL"))
        let keyring = try Keyring.load(file: try stack.value("STOREFLEET_MASTER_KEY_FILE"), environment: [:])
        let migrations = try MigrationSet(directory: StackEnvironment.packageRoot() + "/migrations/tenant")
        slug = "\(prefix)-\(SecureRandom.token(bytes: 6).lowercased().filter { $0.isLetter || $0.isNumber }.prefix(8))"
        let store = try Provisioner(registry: owner, keyring: keyring, options: ProvisioningOptions(migrations: migrations))
            .provision(ProvisionRequest(slug: slug, name: "Test \(prefix)", server: nil, currency: "USD",
                                        country: "US", timezone: "UTC", locale: "en"))
        storeId = store.storeId
        url = try TenantConnector.connInfo(storeId: storeId, registry: owner, keyring: keyring).keywordString
        db = try Connection(url: url)
    }

    func storefrontVersion() throws -> Int64 {
        try db.queryFirst("SELECT version FROM storefront_version")!.decode("version")
    }

    func count(_ sql: String) throws -> Int {
        try db.queryFirst(Query(unsafeSQL: sql))!.decode(0, as: Int.self)
    }
}

/// The error a throwing call threw, as a `CatalogValidation`, or nil.
func validationErrors(_ body: () throws -> Void) -> CatalogValidation? {
    do { try body(); return nil } catch let e as CatalogValidation { return e } catch { return nil }
}
