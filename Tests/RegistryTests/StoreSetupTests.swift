import Crypto
import Foundation
import Postgres
import Testing
import TestSupport
@testable import Registry

/// The wizard's side of the registry: subdomain rules in words, the store row and its job
/// written together in the organization's scope, races, the store limit, progress and retry.
/// Queue-touching tests use a scratch registry, so the stack's job runner never sees their jobs.
@Suite("Store setup (wizard)")
struct StoreSetupTests {
    @Test func subdomainRulesSayWhatIsWrong() {
        let cases: [(String, SubdomainVerdict.Outcome, String)] = [
            ("", .invalid, "Choose an address"),
            ("ab", .invalid, "at least 3"),
            (String(repeating: "a", count: 64), .invalid, "at most 63"),
            ("my shop", .invalid, "letters a–z"),
            ("café", .invalid, "letters a–z"),
            ("-shop-", .invalid, "start or end with a hyphen"),
            ("my--shop", .invalid, "two hyphens"),
            ("admin", .reserved, "Storefleet’s own services"),
            ("mail", .reserved, "email"),
            ("checkout", .reserved, "shoppers could be misled"),
            ("support", .reserved, "help, status"),
            ("shop", .reserved, "too general"),
            ("sf-anything", .reserved, "“sf-”"),
            ("xn--caf-dma", .invalid, "two hyphens"),
        ]
        for (typed, outcome, words) in cases {
            let verdict = SubdomainCheck.ruleViolation(SubdomainCheck.normalize(typed))
            #expect(verdict?.outcome == outcome, "\(typed)")
            #expect(verdict?.reason.contains(words) == true, "\(typed): \(verdict?.reason ?? "allowed")")
        }
        #expect(SubdomainCheck.ruleViolation("acme-shop") == nil)
        #expect(SubdomainCheck.normalize("  Acme-Shop ") == "acme-shop")
        // Every reserved name has a reason of its own group, never only the catch-all.
        for name in Slug.reserved {
            #expect(SubdomainCheck.reservedReason(name) != "“\(name)” is reserved for the platform.", "\(name)")
        }
    }

    /// An organization and its owner in `registry` (as the owner role).
    static func organization(_ owner: Connection) throws -> (orgId: Int64, userId: Int64) {
        let email = "setup-\(SecureRandom.token(bytes: 6).lowercased())@example.com"
        let user = try owner.queryFirst("INSERT INTO users (email, password_hash) VALUES (\(email), 'x') RETURNING id")!
        let userId: Int64 = try user.decode("id")
        let org = try owner.queryFirst("SELECT storefleet_create_organization('Setup org', \(userId)) AS id")!
        return (try org.decode("id"), userId)
    }

    static func plan(_ slug: String, userId: Int64) -> StoreSetupPlan {
        StoreSetupPlan(name: "Setup Shop", slug: slug, theme: "atelier", sampleData: true, country: "NL", currency: "EUR",
                       timezone: "Europe/Amsterdam", locale: "nl",
                       firstProduct: .init(title: "Tulip vase", priceMinor: 1995), userId: userId)
    }

    @Test func startWritesTheStoreAndItsJobForTheOrganizationOnly() throws {
        try RegistryFixture.run { f in
            let scratch = try ScratchRegistry(f)
            defer { try? scratch.drop(f) }
            let owner = try scratch.owner()
            let app = try scratch.app()
            let (orgId, userId) = try StoreSetupTests.organization(owner)
            let (otherOrg, _) = try StoreSetupTests.organization(owner)
            let slug = RegistryFixture.uniqueSlug("setup")

            #expect(try SubdomainCheck.check(slug, registry: app).outcome == .available)
            let storeId = try StoreSetup.start(StoreSetupTests.plan(slug, userId: userId), orgId: orgId, registry: app)

            let store = try owner.queryFirst("SELECT org_id, status::text AS s, currency, locale FROM stores WHERE id = \(storeId)")!
            #expect(try store.decode("org_id", as: Int64.self) == orgId)
            #expect(try store.decode("s", as: String.self) == "provisioning")
            #expect(try store.decode("locale", as: String.self) == "nl")
            let job = try owner.queryFirst("SELECT kind, payload::text AS p, max_attempts FROM jobs WHERE store_id = \(storeId)")!
            #expect(try job.decode("kind", as: String.self) == StoreSetup.jobKind)
            #expect(try job.decode("max_attempts", as: Int.self) == 1)
            let payload = try JSON(rawText: try job.decode("p", as: String.self)).decode(StoreSetupPlan.self)
            #expect(payload == StoreSetupTests.plan(slug, userId: userId))

            // Taken for everyone, though another organization cannot see the store itself.
            let taken = try SubdomainCheck.check(slug.uppercased(), registry: app)
            #expect(taken.outcome == .taken)
            #expect(try StoreSetup.progress(slug: slug, orgId: otherOrg, registry: app) == nil)
            #expect(throws: RegistryError.slugTaken(slug)) {
                try StoreSetup.start(StoreSetupTests.plan(slug, userId: userId), orgId: otherOrg, registry: app)
            }
            #expect(try owner.queryFirst("SELECT count(*)::bigint AS n FROM jobs")?.decode("n", as: Int.self) == 1,
                    "the losing start left no job behind")

            let progress = try #require(try StoreSetup.progress(slug: slug, orgId: orgId, registry: app))
            #expect(progress.state == .provisioning)
            #expect(progress.stageStates.first?.state == .current)
            #expect(progress.stageStates.dropFirst().allSatisfy { $0.state == .pending })
            // Not failed: nothing to retry.
            #expect(try StoreSetup.retry(slug: slug, orgId: orgId, userId: userId, registry: app) == false)
        }
    }

    @Test func theOrganizationsStoreLimitStopsANewStore() throws {
        try RegistryFixture.run { f in
            let scratch = try ScratchRegistry(f)
            defer { try? scratch.drop(f) }
            let owner = try scratch.owner()
            let (orgId, userId) = try StoreSetupTests.organization(owner)
            try owner.execute("UPDATE organizations SET store_limit = 1 WHERE id = \(orgId)")
            try StoreSetup.start(StoreSetupTests.plan(RegistryFixture.uniqueSlug("one"), userId: userId), orgId: orgId,
                                 registry: try scratch.app())
            #expect(throws: StoreSetupError.storeLimitReached) {
                try StoreSetup.start(StoreSetupTests.plan(RegistryFixture.uniqueSlug("two"), userId: userId), orgId: orgId,
                                     registry: try scratch.app())
            }
        }
    }

    @Test func aFailedStoreIsRetriedOnceWithItsPlan() throws {
        try RegistryFixture.run { f in
            let scratch = try ScratchRegistry(f)
            defer { try? scratch.drop(f) }
            let owner = try scratch.owner()
            let app = try scratch.app()
            let (orgId, userId) = try StoreSetupTests.organization(owner)
            let slug = RegistryFixture.uniqueSlug("again")
            let storeId = try StoreSetup.start(StoreSetupTests.plan(slug, userId: userId), orgId: orgId, registry: app)
            // What a provisioning that stopped after `role` leaves behind.
            try owner.execute("""
                UPDATE stores SET status = 'failed', provision_step = 'role', provision_error = 'server said no' WHERE id = \(storeId)
                """)
            try owner.execute("UPDATE jobs SET status = 'dead' WHERE store_id = \(storeId)")

            let failed = try #require(try StoreSetup.progress(slug: slug, orgId: orgId, registry: app))
            #expect(failed.state == .failed)
            #expect(failed.failedStage == .provision(.template))
            #expect(failed.stageStates.prefix(4).allSatisfy { $0.state == .done })

            #expect(try StoreSetup.retry(slug: slug, orgId: orgId, userId: userId, registry: app))
            #expect(try StoreSetup.retry(slug: slug, orgId: orgId, userId: userId, registry: app) == false,
                    "a second click queues nothing more")
            let jobs = try owner.query("SELECT status::text AS s, payload::text AS p FROM jobs WHERE store_id = \(storeId) ORDER BY id")
            #expect(jobs.count == 2)
            #expect(try jobs.last?.decode("s", as: String.self) == "queued")
            #expect(try JSON(rawText: try jobs.last!.decode("p", as: String.self)).decode(StoreSetupPlan.self).firstProduct?.priceMinor == 1995)
            let again = try #require(try StoreSetup.progress(slug: slug, orgId: orgId, registry: app))
            #expect(again.state == .provisioning)
            #expect(again.error == nil)
        }
    }

    @Test func anActiveStoreIsDoneOnceItsContentJobFinished() {
        func progress(_ status: StoreStatus, _ step: ProvisionStep?, job: String?) -> SetupProgress {
            SetupProgress(storeId: 1, slug: "s", name: "S", storeStatus: status, completedStep: step, jobStatus: job, error: nil)
        }
        let loading = progress(.active, .activate, job: "running")
        #expect(loading.state == .provisioning)
        #expect(loading.stageStates.last?.state == .current)
        #expect(loading.stageStates.dropLast().allSatisfy { $0.state == .done })
        let done = progress(.active, .activate, job: "done")
        #expect(done.state == .active)
        #expect(done.stageStates.allSatisfy { $0.state == .done })
        let contentFailed = progress(.active, .activate, job: "dead")
        #expect(contentFailed.state == .failed)
        #expect(contentFailed.failedStage == .starterContent)
        #expect(progress(.active, .activate, job: nil).state == .active, "a store made without the wizard")
        #expect(progress(.provisioning, .ledger, job: "running").stageStates[8].state == .current)
    }
}
