import Foundation
import Postgres

/// A job claimed from the registry's queue.
public struct Job: Sendable {
    public let id: Int64
    public let kind: String
    public let payload: JSON
    /// This attempt's number, from 1.
    public let attempt: Int
    public let maxAttempts: Int
    public let storeId: Int64?
}

/// The registry's job queue (`jobs`). Enqueue from any connection allowed to insert jobs.
public enum JobQueue {
    public static let channel = "storefleet_jobs"

    @discardableResult
    public static func enqueue(_ registry: Connection, kind: String, payload: JSON = JSON(rawText: "{}"),
                               storeId: Int64? = nil, runAt: Date? = nil, maxAttempts: Int = 5) throws -> Int64 {
        let row = try registry.queryFirst("""
            INSERT INTO jobs (kind, payload, store_id, run_at, max_attempts)
            VALUES (\(kind), \(payload)::jsonb, \(storeId), coalesce(\(runAt), now()), \(maxAttempts))
            RETURNING id
            """)
        return try row!.decode("id")
    }
}

/// Delay before attempt n+1 after attempt n failed: base × 2^(n-1), capped.
public struct Backoff: Sendable {
    public var baseSeconds: Double
    public var maximumSeconds: Double

    public init(baseSeconds: Double = 5, maximumSeconds: Double = 3600) {
        self.baseSeconds = baseSeconds
        self.maximumSeconds = maximumSeconds
    }

    public func delay(afterAttempt attempt: Int) -> Double {
        min(maximumSeconds, baseSeconds * pow(2, Double(max(0, attempt - 1))))
    }
}

/// A job as an operator or the admin sees it.
public struct JobRecord: Sendable {
    public let id: Int64
    public let kind: String
    public let status: String
    public let attempts: Int
    public let maxAttempts: Int
    public let runAt: Date
    public let lastError: String?
    public let storeId: Int64?
}

extension JobQueue {
    /// Jobs in a state (`dead` by default), newest first; one store's when `storeId` is given.
    public static func list(_ registry: Connection, status: String = "dead", storeId: Int64? = nil,
                            limit: Int = 100) throws -> [JobRecord] {
        try registry.query("""
            SELECT id, kind, status::text AS status, attempts, max_attempts, run_at, last_error, store_id
            FROM jobs
            WHERE status = \(status)::job_status AND (\(storeId)::bigint IS NULL OR store_id = \(storeId))
            ORDER BY id DESC LIMIT \(limit)
            """).map { row in
            JobRecord(id: try row.decode("id"), kind: try row.decode("kind"), status: try row.decode("status"),
                      attempts: try row.decode("attempts"), maxAttempts: try row.decode("max_attempts"),
                      runAt: try row.decode("run_at"), lastError: try row.decode("last_error"),
                      storeId: try row.decode("store_id"))
        }
    }

    /// Puts a dead job back in the queue with a fresh set of attempts. Returns false if it was not dead.
    @discardableResult
    public static func retry(_ registry: Connection, id: Int64) throws -> Bool {
        try registry.execute("""
            UPDATE jobs SET status = 'queued', attempts = 0, run_at = now(), finished_at = NULL
            WHERE id = \(id) AND status = 'dead'
            """) == 1
    }
}
