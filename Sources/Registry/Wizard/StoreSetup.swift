import Foundation
import Postgres

/// The wizard's side of the registry, for the application role in one organization's scope:
/// create a store (its `stores` row and a `store.provision` job, in one transaction), follow its
/// provisioning, and retry one that failed. `StoreSetupJob` is the job's handler.
public enum StoreSetup {
    /// The job kind `storefleet jobs` runs with `StoreSetupJob`.
    public static let jobKind = "store.provision"

    /// Writes the `stores` row (status `provisioning`, invisible to Host lookups) and queues its
    /// provisioning. The job runner, LISTENing on `storefleet_jobs`, starts it when this commits.
    /// Throws `slugTaken` when another store has the slug (the unique index decides a race),
    /// `invalidSlug`/`reservedSlug`, or `invalidConfiguration` for values the table refuses.
    /// `runAt` delays the job (tests that run the handler themselves).
    @discardableResult
    public static func start(_ plan: StoreSetupPlan, orgId: Int64, registry: Connection,
                             runAt: Date? = nil) throws -> Int64 {
        let slug = try Slug.validate(plan.slug)
        do {
            return try OrganizationScope.run(registry, orgId: orgId, userId: plan.userId) { db in
                guard let row = try db.queryFirst("""
                    INSERT INTO stores (org_id, slug, name, status, currency, country, timezone, locale)
                    VALUES (\(orgId), \(slug), \(plan.name), 'provisioning', \(plan.currency), \(plan.country),
                            \(plan.timezone), \(plan.locale))
                    RETURNING id
                    """) else { throw RegistryError.slugTaken(slug) }
                let storeId: Int64 = try row.decode("id")
                try JobQueue.enqueue(db, kind: jobKind, payload: try JSON(encoding: plan), storeId: storeId,
                                     runAt: runAt, maxAttempts: 1)
                try PlatformAudit.record(db, actor: plan.userId.map { "user:\($0)" } ?? "wizard", action: "store.create",
                                         orgId: orgId, storeId: storeId, details: ["slug": slug, "theme": plan.theme])
                return storeId
            }
        } catch {
            // The organization's store limit, enforced by a trigger on `stores` (migration 0003).
            if (error as? PostgresError)?.constraintName == "organization_store_limit" {
                throw StoreSetupError.storeLimitReached
            }
            switch DatabaseFailure.kind(error) {
            case .uniqueViolation?: throw RegistryError.slugTaken(slug)
            case .checkViolation?, .invalidInput?:
                throw RegistryError.invalidConfiguration("the store's name, currency or country is not valid")
            default: throw error
            }
        }
    }

    /// How far the organization's store `slug` got, or nil if it has none by that slug.
    public static func progress(slug: String, orgId: Int64, registry: Connection) throws -> SetupProgress? {
        try OrganizationScope.run(registry, orgId: orgId) { db in try progress(slug: slug, in: db) }
    }

    static func progress(slug: String, in db: Connection) throws -> SetupProgress? {
        guard let row = try db.queryFirst("""
            SELECT s.id, s.slug, s.name, s.status::text AS status, s.provision_step, s.provision_error,
                   j.status::text AS job_status, j.last_error AS job_error
            FROM stores s
            LEFT JOIN LATERAL (
                SELECT status, last_error FROM jobs
                WHERE store_id = s.id AND kind = \(jobKind) ORDER BY id DESC LIMIT 1
            ) j ON true
            WHERE s.slug = \(slug) AND s.status <> 'deleted'
            """) else { return nil }
        let status = StoreStatus(rawValue: try row.decode("status", as: String.self)) ?? .failed
        return SetupProgress(
            storeId: try row.decode("id"), slug: try row.decode("slug"), name: try row.decode("name"),
            storeStatus: status,
            completedStep: try row.decode("provision_step", as: String?.self).flatMap(ProvisionStep.init(rawValue:)),
            jobStatus: try row.decode("job_status"),
            error: try row.decode("provision_error", as: String?.self) ?? row.decode("job_error", as: String?.self))
    }

    /// Queues the provisioning of a failed store again, with the plan it was created with.
    /// Returns false (and changes nothing) when the store is not failed: a double-clicked Retry
    /// queues one job.
    @discardableResult
    public static func retry(slug: String, orgId: Int64, userId: Int64?, registry: Connection) throws -> Bool {
        try OrganizationScope.run(registry, orgId: orgId, userId: userId) { db in
            // The row lock makes two retries take turns; the second finds a queued job.
            guard try db.queryFirst("""
                SELECT id FROM stores WHERE slug = \(slug) AND status <> 'deleted' FOR UPDATE
                """) != nil,
                  let progress = try progress(slug: slug, in: db), progress.state == .failed,
                  let payload = try db.queryFirst("""
                    SELECT payload::text AS payload FROM jobs
                    WHERE store_id = \(progress.storeId) AND kind = \(jobKind) ORDER BY id DESC LIMIT 1
                    """)?.decode("payload", as: String.self) else { return false }
            try db.execute("""
                UPDATE stores SET status = 'provisioning', provision_error = NULL
                WHERE id = \(progress.storeId) AND status = 'failed'
                """)
            try JobQueue.enqueue(db, kind: jobKind, payload: JSON(rawText: payload), storeId: progress.storeId,
                                 maxAttempts: 1)
            try PlatformAudit.record(db, actor: userId.map { "user:\($0)" } ?? "wizard", action: "store.provision.retry",
                                     orgId: orgId, storeId: progress.storeId, details: ["slug": slug])
            return true
        }
    }
}

/// What the wizard may refuse beyond `RegistryError`.
public enum StoreSetupError: Error, Equatable {
    /// The organization has as many stores as it may have.
    case storeLimitReached
}

/// A store's way through provisioning, as the progress page shows it.
public struct SetupProgress: Sendable, Equatable {
    public enum State: String, Sendable {
        case provisioning, failed, active
    }

    /// One line of the progress list: a provisioning step, then the starter content.
    public enum Stage: Sendable, Equatable {
        case provision(ProvisionStep)
        case starterContent

        public var key: String {
            switch self {
            case .provision(let step): return step.rawValue
            case .starterContent: return "content"
            }
        }
    }

    public enum StageState: String, Sendable {
        case done, current, pending, failed
    }

    public let storeId: Int64
    public let slug: String
    public let name: String
    public let storeStatus: StoreStatus
    /// The last provisioning step that completed.
    public let completedStep: ProvisionStep?
    /// The latest `store.provision` job's status (`queued`, `running`, `done`, `dead`).
    public let jobStatus: String?
    /// The operator-facing reason of the last failure (logs; never shown to merchants as is).
    public let error: String?

    public static let stages: [Stage] = ProvisionStep.allCases.map(Stage.provision) + [.starterContent]

    /// Failed when the store or its job says so; active once the store is active and its job
    /// (the starter content comes after activation) is no longer queued or running.
    public var state: State {
        if storeStatus == .failed || jobStatus == "dead" { return .failed }
        if storeStatus == .active || storeStatus == .suspended {
            return jobStatus == "queued" || jobStatus == "running" ? .provisioning : .active
        }
        return .provisioning
    }

    /// Each stage with its state, in order.
    public var stageStates: [(stage: Stage, state: StageState)] {
        let active = storeStatus == .active || storeStatus == .suspended
        // How many stages are complete: every provisioning step once the store is active.
        var done: Int
        if active {
            done = ProvisionStep.allCases.count
            if state == .active { done += 1 }
        } else if let step = completedStep, let index = ProvisionStep.allCases.firstIndex(of: step) {
            done = index + 1
        } else {
            done = 0
        }
        done = min(done, SetupProgress.stages.count)
        return SetupProgress.stages.enumerated().map { index, stage in
            if index < done { return (stage, .done) }
            if index == done { return (stage, state == .failed ? .failed : .current) }
            return (stage, .pending)
        }
    }

    /// The stage that failed, when the setup failed.
    public var failedStage: Stage? {
        stageStates.first { $0.state == .failed }?.stage
    }
}
