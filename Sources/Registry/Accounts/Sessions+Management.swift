import Crypto
import Foundation
import Postgres

/// A session as the "your sessions" page lists it.
public struct SessionSummary: Sendable {
    public let id: Int64
    public let createdAt: Date
    public let lastSeenAt: Date
    public let expiresAt: Date
    public let address: String?
    public let userAgent: String?
}

/// A log-in whose password was right and whose second factor is still owed.
public struct PendingSecondFactor: Sendable {
    public let id: Int64
    public let userId: Int64
    public let failures: Int
}

extension Sessions {
    /// How long the two-factor step may take after the password.
    public static let secondFactorLifetimeSeconds = 10 * 60
    /// Wrong codes allowed in one two-factor step before it must start again from the password.
    public static let secondFactorAttempts = 5
    /// `last_seen_at` is written at most this often per session.
    static let touchIntervalSeconds = 300

    /// Records where a session was opened from (shown in the sessions list).
    public static func recordClient(_ registry: Connection, sessionId: Int64, address: String, userAgent: String?) throws {
        try registry.execute("""
            UPDATE sessions SET ip = \(String(address.prefix(64))), user_agent = \(userAgent.map { String($0.prefix(512)) })
            WHERE id = \(sessionId)
            """)
    }

    /// Marks the session as used now and pushes its expiry a full lifetime ahead.
    public static func touch(_ registry: Connection, sessionId: Int64) throws {
        try registry.execute("""
            UPDATE sessions SET last_seen_at = now(), expires_at = now() + make_interval(secs => \(lifetimeSeconds))
            WHERE id = \(sessionId) AND NOT second_factor_pending
            """)
    }

    /// The user's live sessions, most recently used first.
    public static func list(_ registry: Connection, userId: Int64) throws -> [SessionSummary] {
        try registry.query("""
            SELECT id, created_at, last_seen_at, expires_at, ip, user_agent FROM sessions
            WHERE user_id = \(userId) AND NOT second_factor_pending AND expires_at > now()
            ORDER BY last_seen_at DESC, id DESC
            """).map { row in
            SessionSummary(id: try row.decode("id"), createdAt: try row.decode("created_at"),
                           lastSeenAt: try row.decode("last_seen_at"), expiresAt: try row.decode("expires_at"),
                           address: try row.decode("ip"), userAgent: try row.decode("user_agent"))
        }
    }

    /// Signs out one of the user's sessions. False when it is not theirs (or already gone).
    @discardableResult
    public static func revoke(_ registry: Connection, sessionId: Int64, userId: Int64) throws -> Bool {
        try registry.execute("DELETE FROM sessions WHERE id = \(sessionId) AND user_id = \(userId)") == 1
    }

    /// Signs out every session of the user but `keep`; returns how many ended.
    @discardableResult
    public static func revokeAll(_ registry: Connection, userId: Int64, except keep: Int64?) throws -> Int {
        try registry.execute("DELETE FROM sessions WHERE user_id = \(userId) AND id IS DISTINCT FROM \(keep)")
    }

    // MARK: - The two-factor step

    /// Starts the two-factor step: a short-lived row that signs nobody in, whose token goes in
    /// its own cookie. Returns the token.
    public static func beginSecondFactor(_ registry: Connection, userId: Int64, address: String,
                                         userAgent: String?) throws -> String {
        let token = SecureRandom.token(bytes: 32)
        try registry.execute("""
            INSERT INTO sessions (token_hash, user_id, csrf_token, expires_at, ip, user_agent, second_factor_pending)
            VALUES (\(SHA256Digest.hash(token)), \(userId), \(SecureRandom.token(bytes: 24)),
                    now() + make_interval(secs => \(secondFactorLifetimeSeconds)),
                    \(String(address.prefix(64))), \(userAgent.map { String($0.prefix(512)) }), true)
            """)
        // Abandoned steps of this user go as new ones start.
        try registry.execute("""
            DELETE FROM sessions WHERE user_id = \(userId) AND second_factor_pending AND expires_at < now()
            """)
        return token
    }

    /// The pending two-factor step behind `token`, if it is still open.
    public static func findSecondFactor(_ registry: Connection, token: String) throws -> PendingSecondFactor? {
        guard !token.isEmpty, token.utf8.count <= 128 else { return nil }
        return try registry.queryFirst("""
            SELECT id, user_id, second_factor_failures FROM sessions
            WHERE token_hash = \(SHA256Digest.hash(token)) AND second_factor_pending AND expires_at > now()
            """).map { row in
            PendingSecondFactor(id: try row.decode("id"), userId: try row.decode("user_id"),
                                failures: Int(try row.decode("second_factor_failures", as: Int32.self)))
        }
    }

    /// Counts a wrong code; after `secondFactorAttempts` the step is closed (false).
    public static func recordSecondFactorFailure(_ registry: Connection, pendingId: Int64) throws -> Bool {
        let row = try registry.queryFirst("""
            UPDATE sessions SET second_factor_failures = second_factor_failures + 1
            WHERE id = \(pendingId) AND second_factor_pending RETURNING second_factor_failures
            """)
        guard let row, try row.decode("second_factor_failures", as: Int32.self) < Int32(secondFactorAttempts) else {
            try endSecondFactor(registry, pendingId: pendingId)
            return false
        }
        return true
    }

    /// Closes the two-factor step (done or abandoned); the real session is created apart.
    public static func endSecondFactor(_ registry: Connection, pendingId: Int64) throws {
        try registry.execute("DELETE FROM sessions WHERE id = \(pendingId) AND second_factor_pending")
    }
}
