import Crypto
import Foundation
import Postgres
import Registry
import Testing
import TestSupport

@Suite("Jobs and outbox")
struct JobsTests {
    /// A handler that fails its first `failures` calls, then succeeds; counts calls in a table so
    /// the test reads what happened from the database, as an operator would.
    @Test func aFailingJobIsRetriedWithBackoffThenSucceeds() throws {
        try RegistryFixture.run { f in
            let scratch = try ScratchRegistry(f)
            defer { try? scratch.drop(f) }
            let owner = try scratch.owner()
            let id = try JobQueue.enqueue(owner, kind: "test.flaky", payload: JSON(rawText: #"{"n": 1}"#), maxAttempts: 5)
            var calls = 0
            let handlers: [String: JobHandler] = ["test.flaky": { job in
                calls += 1
                if job.attempt < 3 { throw RegistryError.invalidConfiguration("flaky attempt \(job.attempt)") }
            }]
            // Zero back-off: retries are due at once, so one round runs all three attempts.
            let round = try JobRunner(registry: owner, handlers: handlers, backoff: Backoff(baseSeconds: 0)).runOnce()
            #expect(round == JobRunner.Round(succeeded: 1, retried: 2, dead: 0, relayed: 0))
            #expect(calls == 3)
            let row = try owner.queryFirst("SELECT status::text AS s, attempts, last_error FROM jobs WHERE id = \(id)")!
            #expect(try row.decode("s", as: String.self) == "done")
            #expect(try row.decode("attempts", as: Int.self) == 3)
            #expect(try row.decode("last_error", as: String?.self) == nil)

            // With back-off, a failed job waits: it is queued for later and not run again now.
            let later = try JobQueue.enqueue(owner, kind: "test.flaky", maxAttempts: 5)
            calls = 0
            let slow = JobRunner(registry: owner, handlers: handlers, backoff: Backoff(baseSeconds: 60))
            #expect(try slow.runOnce().retried == 1)
            #expect(calls == 1)
            let waiting = try owner.queryFirst("""
                SELECT status::text AS s, extract(epoch FROM run_at - now()) AS wait FROM jobs WHERE id = \(later)
                """)!
            #expect(try waiting.decode("s", as: String.self) == "queued")
            #expect(try waiting.decode("wait", as: Double.self) > 50)
            #expect(Backoff(baseSeconds: 5).delay(afterAttempt: 3) == 20)
            #expect(Backoff(baseSeconds: 5, maximumSeconds: 60).delay(afterAttempt: 10) == 60)
        }
    }

    /// Done jobs go once finished longer ago than the runner keeps them; dead and queued ones,
    /// and recently done ones, stay.
    @Test func doneJobsAreDeletedAfterTheirRetention() throws {
        try RegistryFixture.run { f in
            let scratch = try ScratchRegistry(f)
            defer { try? scratch.drop(f) }
            let owner = try scratch.owner()
            func job(_ status: String, finishedDaysAgo days: Int?) throws -> Int64 {
                let id = try JobQueue.enqueue(owner, kind: "test.kept", runAt: Date().addingTimeInterval(3_600))
                let finished = days.map { Date().addingTimeInterval(-Double($0) * 86_400) }
                try owner.execute("UPDATE jobs SET status = \(status)::job_status, finished_at = \(finished) WHERE id = \(id)")
                return id
            }
            let old = try job("done", finishedDaysAgo: 8)
            let recent = try job("done", finishedDaysAgo: 6)
            let dead = try job("dead", finishedDaysAgo: 30)
            let waiting = try job("queued", finishedDaysAgo: nil)
            let runner = JobRunner(registry: owner, handlers: ["test.kept": { _ in }], keepDoneSeconds: 7 * 86_400)
            _ = try runner.runOnce()
            let left = try owner.query("SELECT id FROM jobs ORDER BY id").map { try $0.decode("id", as: Int64.self) }
            #expect(left == [recent, dead, waiting])
            #expect(!left.contains(old))
        }
    }

    /// The runner's registry connection is cut while it works (as a PostgreSQL restart does):
    /// the runner says so in its log, reconnects and runs the job queued meanwhile, and the job
    /// it had just finished is recorded as done, not left to run a second time.
    @Test func theRunnerOutlivesALostRegistryConnection() throws {
        try RegistryFixture.run { f in
            let scratch = try ScratchRegistry(f)
            defer { try? scratch.drop(f) }
            let owner = try scratch.owner()
            let other = try scratch.owner()
            let cut = try JobQueue.enqueue(owner, kind: "test.cut")
            var after: Int64 = 0
            var afterRan = false
            let handlers: [String: JobHandler] = [
                "test.cut": { _ in
                    let pid = owner.backendPID
                    _ = try other.execute("SELECT pg_terminate_backend(\(pid))")
                    // Waits (a condition, not a timed sleep) until the server has ended it.
                    for _ in 0..<500 where try other.queryFirst("SELECT 1 FROM pg_stat_activity WHERE pid = \(pid)") != nil {
                        usleep(10_000)
                    }
                    after = try JobQueue.enqueue(other, kind: "test.after")
                },
                "test.after": { _ in afterRan = true },
            ]
            let runner = JobRunner(registry: owner, handlers: handlers, backoff: Backoff(baseSeconds: 0))
            var lines: [String] = []
            let deadline = Date().addingTimeInterval(20)
            try runner.run(pollMilliseconds: 100, reconnectCapSeconds: 0.1,
                           shouldStop: { (afterRan && !lines.isEmpty) || Date() > deadline }) { lines.append($0) }
            #expect(afterRan)
            #expect(lines.contains { $0.hasPrefix("registry connection lost") })
            for id in [cut, after] {
                #expect(try other.queryFirst("SELECT status::text AS s FROM jobs WHERE id = \(id)")?.decode("s", as: String.self) == "done")
            }
        }
    }

    @Test func aJobThatKeepsFailingIsDeadLetteredWithItsLastError() throws {
        try RegistryFixture.run { f in
            let scratch = try ScratchRegistry(f)
            defer { try? scratch.drop(f) }
            let owner = try scratch.owner()
            let id = try JobQueue.enqueue(owner, kind: "test.broken", maxAttempts: 3)
            let other = try JobQueue.enqueue(owner, kind: "test.unknown-kind")
            let runner = JobRunner(registry: owner, handlers: ["test.broken": { _ in
                throw RegistryError.invalidConfiguration("supplier said no")
            }], backoff: Backoff(baseSeconds: 0))
            let round = try runner.runOnce()
            #expect(round.dead == 1)
            #expect(round.retried == 2)
            let row = try owner.queryFirst("SELECT status::text AS s, attempts, last_error FROM jobs WHERE id = \(id)")!
            #expect(try row.decode("s", as: String.self) == "dead")
            #expect(try row.decode("attempts", as: Int.self) == 3)
            #expect(try row.decode("last_error", as: String.self) == "supplier said no")
            // A kind this runner has no handler for is left for a runner that has one.
            #expect(try owner.queryFirst("SELECT status::text AS s FROM jobs WHERE id = \(other)")?.decode("s", as: String.self) == "queued")
            // Another round finds nothing to do.
            #expect(try runner.runOnce().ran == 0)
            // The dead letter is listed, and an operator can queue it again.
            #expect(try JobQueue.list(owner).map(\.id) == [id])
            #expect(try JobQueue.retry(owner, id: id))
            #expect(try JobQueue.retry(owner, id: id) == false)
            #expect(try runner.runOnce().ran == 3)
        }
    }

    @Test func anOutboxRowCommittedWithItsChangeBecomesAJobAndARolledBackOneNever() throws {
        try RegistryFixture.run { f in
            let owner = try f.owner()
            let slug = RegistryFixture.uniqueSlug("outbox")
            let store = try f.provisioner(owner).provision(ProvisionRequest(slug: slug, name: "Outbox"))
            defer { _ = try? f.provisioner(owner).deprovision(slug: slug) }
            let kind = "test.outbox." + slug
            let tenant = try TenantConnector.open(storeId: store.storeId, registry: owner, keyring: f.keyring)
            // A change and its outbox row in one transaction: committed.
            try tenant.transaction { db in
                try db.execute("INSERT INTO audit_log (actor_kind, action) VALUES ('system', 'test.commit')")
                try db.execute("INSERT INTO outbox (topic, payload) VALUES (\(kind), '{\"committed\": true}')")
            }
            // And one rolled back.
            #expect(throws: RegistryError.self) {
                try tenant.transaction { db in
                    try db.execute("INSERT INTO audit_log (actor_kind, action) VALUES ('system', 'test.rollback')")
                    try db.execute("INSERT INTO outbox (topic, payload) VALUES (\(kind), '{\"committed\": false}')")
                    throw RegistryError.invalidConfiguration("the change failed")
                }
            }
            let relay = OutboxRelay(registry: owner, keyring: f.keyring)
            #expect(try relay.relay(storeId: store.storeId) == 1)
            #expect(try relay.relay(storeId: store.storeId) == 0)   // moved once only

            var payloads: [String] = []
            let runner = JobRunner(registry: owner, handlers: [kind: { job in
                #expect(job.storeId == store.storeId)
                payloads.append(job.payload.rawText)
            }], backoff: Backoff(baseSeconds: 0))
            #expect(try runner.runOnce().succeeded == 1)
            #expect(payloads.count == 1)
            #expect(payloads.first?.contains("true") == true)
            #expect(try tenant.queryFirst("SELECT count(*) AS n FROM outbox WHERE dispatched_at IS NULL")?.decode("n", as: Int.self) == 0)
        }
    }
}
