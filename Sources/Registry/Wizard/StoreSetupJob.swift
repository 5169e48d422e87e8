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
    /// Tests through the whole stack: make a store's first set-up fail (see `FirstAttemptFailure`).
    public let firstAttemptFailure: FirstAttemptFailure?

    public init(registry: Connection, keyring: Keyring, options: ProvisioningOptions,
                firstAttemptFailure: FirstAttemptFailure? = nil, loadContent: @escaping ContentLoader) {
        self.registry = registry
        self.keyring = keyring
        self.options = options
        self.firstAttemptFailure = firstAttemptFailure
        self.loadContent = loadContent
    }

    /// `STOREFLEET_FAIL_FIRST_PROVISION=<slug prefix>:<step>` (set by `scripts/stack.sh` for the
    /// test profile only): the first `store.provision` job of a store whose slug starts with the
    /// prefix fails right after `step`; its Retry then succeeds. Lets a test through nginx, with
    /// the stack's own job runner, see a failure and a retry without touching other stores.
    public struct FirstAttemptFailure: Sendable, Equatable {
        public let slugPrefix: String
        public let step: ProvisionStep

        /// nil for no setting; throws for one that cannot be used.
        public init?(setting: String?) throws {
            guard let setting, !setting.isEmpty else { return nil }
            guard let colon = setting.lastIndex(of: ":"), colon != setting.startIndex,
                  let step = ProvisionStep(rawValue: String(setting[setting.index(after: colon)...])) else {
                throw RegistryError.invalidConfiguration(
                    "STOREFLEET_FAIL_FIRST_PROVISION=\(setting) is not <slug prefix>:<step> (steps: \(ProvisionStep.allCases.map(\.rawValue).joined(separator: ", ")))")
            }
            slugPrefix = String(setting[..<colon])
            self.step = step
        }
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
        var options = self.options
        if let failure = firstAttemptFailure, store.slug.hasPrefix(failure.slugPrefix),
           try registry.queryFirst("""
               SELECT count(*)::bigint AS n FROM jobs WHERE store_id = \(storeId) AND kind = \(StoreSetup.jobKind)
               """)?.decode("n", as: Int.self) == 1 {
            options.failAt = failure.step
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
