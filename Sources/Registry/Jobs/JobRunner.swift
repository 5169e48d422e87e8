import Foundation
import Postgres

/// Runs one kind of job. Throwing means "failed, retry later" (until the job's attempts run
/// out, then it is dead: kept, with its last error, for an operator or the admin to see).
public typealias JobHandler = (Job) throws -> Void

/// Drains the registry's job queue in one process: claims a ready job with
/// `FOR UPDATE SKIP LOCKED` (so several runners never take the same job), runs it, records the
/// outcome. Waits for work with LISTEN `storefleet_jobs` and a poll timeout, never a busy loop.
/// Only kinds it has a handler for are claimed. Connect `registry` as storefleet_owner.
public final class JobRunner {
    public let registry: Connection
    public let handlers: [String: JobHandler]
    public let backoff: Backoff
    /// Moves stores' outbox rows to the queue before each round, when set.
    public let outbox: OutboxRelay?
    /// A job `running` for longer than this is taken to belong to a runner that died.
    public let staleAfterSeconds: Int
    /// How often the outbox of every store is swept (besides the hints on `storefleet_outbox`).
    /// A sweep visits every live store, opening a connection for each one beyond the relay's
    /// kept ones: every 30 s, a test registry's 400 stores cost the runner ~9% of a core (and
    /// PostgreSQL as much again) with nothing to move, so the default is 5 minutes.
    public let outboxSweepSeconds: Double
    private var lastSweep = Date.distantPast
    /// Stale `running` jobs are looked for at most this often by `run` (every `runOnce` looks).
    let staleCheckSeconds: Double = 10
    private var lastStaleCheck = Date.distantPast
    /// Done jobs are deleted once finished this long ago (dead ones are kept for an operator).
    /// A done mail job still holds its sealed message, order details and reset links included,
    /// so nothing keeps them forever; and a queue that only grows costs every vacuum.
    public let keepDoneSeconds: Double
    /// How often `run` deletes done jobs past `keepDoneSeconds`, at most `purgeBatch` a time.
    let purgeCheckSeconds: Double = 600
    let purgeBatch = 5_000
    private var lastPurge = Date.distantPast
    private var hintedStores: Set<Int64> = []
    /// The stores the current outbox sweep has still to visit. A sweep over many stores is
    /// done a slice at a time between jobs, so queued jobs never wait for a whole sweep.
    private var sweepQueue: ArraySlice<Int64> = []

    public init(registry: Connection, handlers: [String: JobHandler], backoff: Backoff = Backoff(),
                outbox: OutboxRelay? = nil, staleAfterSeconds: Int = 900, outboxSweepSeconds: Double = 300,
                keepDoneSeconds: Double = 7 * 86_400) {
        self.registry = registry
        self.handlers = handlers
        self.backoff = backoff
        self.outbox = outbox
        self.staleAfterSeconds = staleAfterSeconds
        self.outboxSweepSeconds = outboxSweepSeconds
        self.keepDoneSeconds = keepDoneSeconds
    }

    /// What one round did.
    public struct Round: Sendable, Equatable {
        public var succeeded = 0
        public var retried = 0
        public var dead = 0
        public var relayed = 0
        public var ran: Int { succeeded + retried + dead }

        public init(succeeded: Int = 0, retried: Int = 0, dead: Int = 0, relayed: Int = 0) {
            self.succeeded = succeeded
            self.retried = retried
            self.dead = dead
            self.relayed = relayed
        }
    }

    /// Relays outboxes, then runs ready jobs until none is left. Returns what it did.
    @discardableResult
    public func runOnce(log: (String) -> Void = { _ in }) throws -> Round {
        try runRound(sweepSlice: nil, log: log)
    }

    /// One round: hinted outboxes, then (a slice of) the periodic sweep, then every ready job.
    /// `sweepSlice` bounds the seconds spent sweeping; nil sweeps every store.
    func runRound(sweepSlice: Double?, log: (String) -> Void) throws -> Round {
        var round = Round()
        if let outbox {
            round.relayed = try relayOutboxes(outbox, slice: sweepSlice, log: log)
        }
        if sweepSlice == nil || Date().timeIntervalSince(lastStaleCheck) >= staleCheckSeconds {
            lastStaleCheck = Date()
            try requeueStale()
        }
        if sweepSlice == nil || Date().timeIntervalSince(lastPurge) >= purgeCheckSeconds {
            lastPurge = Date()
            try purgeDone()
        }
        // A finished job is marked done by the statement that claims the next one: one
        // statement (and one commit) per job instead of two.
        var finished: Int64? = nil
        while true {
            let next: Job?
            do {
                next = try claim(finishing: finished)
            } catch {
                // Try once more to record the job that ran, so a lost connection does not make
                // it stale (and run it again); the connection reconnects on this statement.
                if let finished { try? markDone(finished) }
                throw error
            }
            guard let job = next else { break }
            finished = nil
            switch run(job) {
            case .done:
                round.succeeded += 1
                finished = job.id
            case .retry(let error):
                round.retried += 1
                log("job \(job.id) \(job.kind): attempt \(job.attempt) failed, will retry: \(error)")
            case .dead(let error):
                round.dead += 1
                log("job \(job.id) \(job.kind): dead after \(job.attempt) attempts: \(error)")
            }
        }
        return round
    }

    /// Runs rounds until `shouldStop` says so, sleeping on LISTEN between them. A lost registry
    /// connection (a restart, `pg_terminate_backend`, a network break) does not end the runner:
    /// it says so through `log`, waits with back-off (up to `reconnectCapSeconds`) and goes on;
    /// the connection reconnects on its next statement and re-issues its LISTENs. Hints that
    /// arrived while it was down are lost, so the next round sweeps every store's outbox.
    public func run(pollMilliseconds: Int32 = 5000, reconnectCapSeconds: Double = 5, shouldStop: () -> Bool,
                    log: (String) -> Void = { _ in }) throws {
        var failures = 0
        while !shouldStop() {
            do {
                if !registry.isListening(JobQueue.channel) { try registry.listen(JobQueue.channel) }
                if !registry.isListening(OutboxRelay.channel) { try registry.listen(OutboxRelay.channel) }
                try runUntilIdle(pollMilliseconds: pollMilliseconds, log: log)
                failures = 0
            } catch let error as PostgresError where error.kind == .connection {
                failures += 1
                let wait = min(reconnectCapSeconds, 0.1 * Double(1 << min(failures - 1, 10)))
                if failures == 1 || failures % 10 == 0 {
                    log("registry connection lost (\(error)); retrying in \(wait) s")
                }
                lastSweep = .distantPast   // outbox hints sent meanwhile are lost
                sleepUnlessStopped(seconds: wait, shouldStop: shouldStop)
            }
        }
    }

    /// One round, then (when it found nothing to do) one wait for a notification or the poll
    /// timeout.
    private func runUntilIdle(pollMilliseconds: Int32, log: (String) -> Void) throws {
        let round = try runRound(sweepSlice: 0.1, log: log)
        if round.ran > 0 || round.relayed > 0 || !sweepQueue.isEmpty {
            takeHints(try registry.pollNotifications())   // those that arrived meanwhile, without waiting
            return
        }
        let wait = try nextWaitMilliseconds(cap: pollMilliseconds)
        takeHints(try registry.waitForNotifications(timeoutMilliseconds: wait))
    }

    /// Remembers the stores whose outboxes were hinted on `storefleet_outbox`.
    private func takeHints(_ notes: [PostgresNotification]) {
        for note in notes where note.channel == OutboxRelay.channel {
            if let id = Int64(note.payload) { hintedStores.insert(id) }
        }
    }

    private func sleepUnlessStopped(seconds: Double, shouldStop: () -> Bool) {
        let until = Date().addingTimeInterval(seconds)
        while !shouldStop(), Date() < until { usleep(20_000) }
    }

    enum Outcome { case done, retry(String), dead(String) }

    /// Claims the next ready job, marking `finishing` (the job just run) done in the same
    /// statement.
    func claim(finishing: Int64? = nil) throws -> Job? {
        let kinds = Array(handlers.keys)
        let finished = finishing.map { [$0] } ?? []
        guard !kinds.isEmpty else {
            if let finishing { try markDone(finishing) }
            return nil
        }
        guard let row = try registry.queryFirst("""
            WITH finished AS (
                UPDATE jobs SET \(JobRunner.done) WHERE id = ANY(\(finished)) AND status = 'running'
            )
            UPDATE jobs SET status = 'running', locked_at = now(), attempts = attempts + 1
            WHERE id = (SELECT id FROM jobs
                        WHERE status = 'queued' AND run_at <= now() AND kind = ANY(\(kinds))
                        ORDER BY run_at, id
                        FOR UPDATE SKIP LOCKED
                        LIMIT 1)
            RETURNING id, kind, payload::text AS payload, attempts, max_attempts, store_id
            """) else { return nil }
        return Job(id: try row.decode("id"), kind: try row.decode("kind"),
                   payload: JSON(rawText: try row.decode("payload", as: String.self)),
                   attempt: try row.decode("attempts"), maxAttempts: try row.decode("max_attempts"),
                   storeId: try row.decode("store_id"))
    }

    func markDone(_ id: Int64) throws {
        try registry.execute("UPDATE jobs SET \(JobRunner.done) WHERE id = \(id)")
    }

    /// What a finished job's row becomes.
    static let done: Query = "status = 'done', finished_at = now(), locked_at = NULL, last_error = NULL"

    func run(_ job: Job) -> Outcome {
        do {
            guard let handler = handlers[job.kind] else { throw RegistryError.invalidConfiguration("no handler for \(job.kind)") }
            try handler(job)
        } catch {
            let message = "\(error)"
            let dead = job.attempt >= job.maxAttempts
            let delay = backoff.delay(afterAttempt: job.attempt)
            do {
                try registry.execute("""
                    UPDATE jobs SET status = \(dead ? "dead" : "queued")::job_status, last_error = \(message),
                        locked_at = NULL, run_at = now() + make_interval(secs => \(delay)),
                        finished_at = CASE WHEN \(dead) THEN now() END
                    WHERE id = \(job.id)
                    """)
            } catch {
                // The row stays `running` and is requeued as stale later.
            }
            return dead ? .dead(message) : .retry(message)
        }
        return .done   // marked done by the next claim
    }

    /// Jobs left `running` by a runner that died go back to the queue.
    func requeueStale() throws {
        try registry.execute("""
            UPDATE jobs SET status = 'queued', locked_at = NULL, last_error = 'runner stopped during the job'
            WHERE status = 'running' AND locked_at < now() - make_interval(secs => \(Double(staleAfterSeconds)))
            """)
    }

    /// Deletes up to `purgeBatch` done jobs finished more than `keepDoneSeconds` ago, oldest
    /// first (along the primary key, so a pass reads little more than it deletes). Returns how many.
    @discardableResult
    func purgeDone() throws -> Int {
        try registry.execute("""
            DELETE FROM jobs WHERE id IN (
                SELECT id FROM jobs
                WHERE status = 'done' AND finished_at < now() - make_interval(secs => \(keepDoneSeconds))
                ORDER BY id LIMIT \(purgeBatch))
            """)
    }

    func relayOutboxes(_ outbox: OutboxRelay, slice: Double?, log: (String) -> Void) throws -> Int {
        var moved = 0
        let stores = hintedStores
        hintedStores.removeAll()
        for id in stores.sorted() {
            do { moved += try outbox.relay(storeId: id) } catch { log("outbox of store \(id): \(error)") }
        }
        if sweepQueue.isEmpty, Date().timeIntervalSince(lastSweep) >= outboxSweepSeconds {
            lastSweep = Date()
            sweepQueue = try outbox.liveStoreIds()[...]
        }
        let started = Date()
        while let id = sweepQueue.first {
            if let slice, Date().timeIntervalSince(started) >= slice { break }
            sweepQueue = sweepQueue.dropFirst()
            do { moved += try outbox.relay(storeId: id) } catch { log("outbox of store \(id): \(error)") }
        }
        return moved
    }

    /// Until the next delayed job is due, at most `cap`.
    func nextWaitMilliseconds(cap: Int32) throws -> Int32 {
        let kinds = Array(handlers.keys)
        guard let row = try registry.queryFirst("""
            SELECT extract(epoch FROM (min(run_at) - now())) * 1000 AS ms FROM jobs
            WHERE status = 'queued' AND kind = ANY(\(kinds))
            """), let ms = try row.decode("ms", as: Double?.self) else { return cap }
        return Int32(max(10, min(Double(cap), ms.rounded(.up))))
    }
}
