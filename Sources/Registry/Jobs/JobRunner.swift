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
    public let outboxSweepSeconds: Double
    private var lastSweep = Date.distantPast
    /// Stale `running` jobs are looked for at most this often by `run` (every `runOnce` looks).
    let staleCheckSeconds: Double = 10
    private var lastStaleCheck = Date.distantPast
    private var hintedStores: Set<Int64> = []
    /// The stores the current outbox sweep has still to visit. A sweep over many stores is
    /// done a slice at a time between jobs, so queued jobs never wait for a whole sweep.
    private var sweepQueue: ArraySlice<Int64> = []

    public init(registry: Connection, handlers: [String: JobHandler], backoff: Backoff = Backoff(),
                outbox: OutboxRelay? = nil, staleAfterSeconds: Int = 900, outboxSweepSeconds: Double = 30) {
        self.registry = registry
        self.handlers = handlers
        self.backoff = backoff
        self.outbox = outbox
        self.staleAfterSeconds = staleAfterSeconds
        self.outboxSweepSeconds = outboxSweepSeconds
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
        while let job = try claim() {
            switch run(job) {
            case .done: round.succeeded += 1
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

    /// Runs rounds until `shouldStop` says so, sleeping on LISTEN between them.
    public func run(pollMilliseconds: Int32 = 5000, shouldStop: () -> Bool, log: (String) -> Void = { _ in }) throws {
        try registry.listen(JobQueue.channel)
        try registry.listen(OutboxRelay.channel)
        while !shouldStop() {
            let round = try runRound(sweepSlice: 0.1, log: log)
            if round.ran > 0 || round.relayed > 0 || !sweepQueue.isEmpty {
                // Take hints that arrived meanwhile without waiting.
                for note in try registry.pollNotifications() where note.channel == OutboxRelay.channel {
                    if let id = Int64(note.payload) { hintedStores.insert(id) }
                }
                continue
            }
            let wait = try nextWaitMilliseconds(cap: pollMilliseconds)
            let notes = try registry.waitForNotifications(timeoutMilliseconds: wait)
            for note in notes where note.channel == OutboxRelay.channel {
                if let id = Int64(note.payload) { hintedStores.insert(id) }
            }
        }
    }

    enum Outcome { case done, retry(String), dead(String) }

    func claim() throws -> Job? {
        let kinds = Array(handlers.keys)
        guard !kinds.isEmpty, let row = try registry.queryFirst("""
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
        _ = try? registry.execute("""
            UPDATE jobs SET status = 'done', finished_at = now(), locked_at = NULL, last_error = NULL WHERE id = \(job.id)
            """)
        return .done
    }

    /// Jobs left `running` by a runner that died go back to the queue.
    func requeueStale() throws {
        try registry.execute("""
            UPDATE jobs SET status = 'queued', locked_at = NULL, last_error = 'runner stopped during the job'
            WHERE status = 'running' AND locked_at < now() - make_interval(secs => \(Double(staleAfterSeconds)))
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
