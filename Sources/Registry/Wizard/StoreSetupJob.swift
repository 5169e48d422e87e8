import Crypto
import Foundation
import Postgres

/// The `store.provision` job: provisions the store the wizard created (resuming a failed run
/// where it stopped), then loads its starter content into the store's own database. Runs as
/// storefleet_owner in `storefleet jobs`.
///
/// The content comes after activation (the Provisioner activates as its last step), so a retry
/// after a content failure finds the store active and only loads the content again: loading
/// it must be idempotent.
public struct StoreSetupJob {
    /// Fills a new store's database: theme, sample data, first product.
    public typealias ContentLoader = (_ tenant: Connection, _ plan: StoreSetupPlan) throws -> Void

    public let registry: Connection
    public let keyring: Keyring
    public let options: ProvisioningOptions
    public let loadContent: ContentLoader

    public init(registry: Connection, keyring: Keyring, options: ProvisioningOptions,
                loadContent: @escaping ContentLoader) {
        self.registry = registry
        self.keyring = keyring
        self.options = options
        self.loadContent = loadContent
    }

    /// Runs one job. Throws (the job is then dead: it has one attempt, and the merchant's Retry
    /// queues another) after recording the failure on the store.
    public func run(_ job: Job) throws {
        guard let storeId = job.storeId else {
            throw RegistryError.invalidConfiguration("store.provision job \(job.id) names no store")
        }
        try run(storeId: storeId, plan: try job.payload.decode(StoreSetupPlan.self))
    }

    /// The job's work for one store (tests call it with a job they hold back from the queue).
    public func run(storeId: Int64, plan: StoreSetupPlan) throws {
        guard let store = try StoreRecord.find(id: storeId, in: registry) else {
            throw RegistryError.storeNotFound("with id \(storeId)")
        }
        switch store.status {
        case .provisioning, .failed:
            _ = try Provisioner(registry: registry, keyring: keyring, options: options).provision(ProvisionRequest(
                slug: store.slug, name: store.name, orgId: store.orgId, currency: store.currency,
                country: store.country, timezone: store.timezone, locale: store.locale))
        case .active, .suspended:
            break   // provisioned before; only the content is left
        case .deleted:
            return  // removed while it waited: nothing to do
        }
        do {
            let tenant = try TenantConnector.open(storeId: storeId, registry: registry, keyring: keyring)
            try loadContent(tenant, plan)
            try registry.execute("UPDATE stores SET provision_error = NULL WHERE id = \(storeId) AND provision_error IS NOT NULL")
        } catch {
            _ = try? registry.execute("""
                UPDATE stores SET provision_error = \("starter content: " + DatabaseFailure.reason(error)) WHERE id = \(storeId)
                """)
            throw error
        }
    }
}
