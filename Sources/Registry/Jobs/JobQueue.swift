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
