import Crypto
import Foundation
import Postgres

/// A signed-in browser: the row behind an `sf_session` cookie, with the user it belongs to.
public struct SessionRecord: Sendable {
    public let id: Int64
    public let userId: Int64
    /// The token every form of this session carries (`_csrf`); never the cookie's token.
    public let csrfToken: String
    public let userName: String
    public let userEmail: String
    public let isPlatformAdmin: Bool
    /// The user's current address is confirmed (unverified accounts see a reminder).
    public let emailVerified: Bool
    public let expiresAt: Date

    /// `nameColumn`: where the user's name is (a query that also returns stores names it apart).
    init(_ row: Row, nameColumn: String = "name") throws {
        id = try row.decode("id")
        userId = try row.decode("user_id")
        csrfToken = try row.decode("csrf_token")
        userName = try row.decode(nameColumn)
        userEmail = try row.decode("email")
        isPlatformAdmin = try row.decode("is_platform_admin")
        emailVerified = try row.decode("email_verified")
        expiresAt = try row.decode("expires_at")
    }
}

/// Server-side sessions. The cookie holds a random token; the registry keeps only its SHA-256,
/// so a leaked `sessions` table signs nobody in.
public enum Sessions {
    /// How long a session lives without being used.
    public static let lifetimeSeconds = 30 * 24 * 3600

    /// Opens a session for `userId` and returns the cookie's token with the new row. `address`
    /// and `userAgent` are shown in the user's list of sessions.
    public static func create(_ registry: Connection, userId: Int64, address: String? = nil,
                              userAgent: String? = nil) throws -> (token: String, record: SessionRecord) {
        let token = SecureRandom.token(bytes: 32)
        let csrf = SecureRandom.token(bytes: 24)
        let hash = SHA256Digest.hash(token)
        let row = try registry.queryFirst("""
            WITH s AS (
                INSERT INTO sessions (token_hash, user_id, csrf_token, expires_at, ip, user_agent)
                VALUES (\(hash), \(userId), \(csrf), now() + make_interval(secs => \(lifetimeSeconds)),
                        \(address.map { String($0.prefix(64)) }), \(userAgent.map { String($0.prefix(512)) }))
                RETURNING id, user_id, csrf_token, expires_at)
            SELECT s.id, s.user_id, s.csrf_token, s.expires_at, u.name, u.email, u.is_platform_admin,
                   u.email_verified_at IS NOT NULL AS email_verified
            FROM s JOIN users u ON u.id = s.user_id
            """)
        guard let row else { throw RegistryError.storeNotFound("user \(userId)") }
        let record = try SessionRecord(row)
        return (token, record)
    }

    /// The live session whose cookie token is `token`, or nil (unknown, expired or revoked).
    /// A log-in still owing its second factor is no session, whichever cookie carries its token.
    /// A session in use is kept alive: every few minutes its `last_seen_at` moves and its
    /// expiry is pushed `lifetimeSeconds` ahead (one small write, not one per request).
    public static func find(_ registry: Connection, token: String) throws -> SessionRecord? {
        guard !token.isEmpty, token.utf8.count <= 128 else { return nil }
        let hash = SHA256Digest.hash(token)
        guard let row = try registry.queryFirst("""
            SELECT s.id, s.user_id, s.csrf_token, s.expires_at, u.name, u.email, u.is_platform_admin,
                   u.email_verified_at IS NOT NULL AS email_verified,
                   s.last_seen_at < now() - make_interval(secs => \(touchIntervalSeconds)) AS stale
            FROM sessions s JOIN users u ON u.id = s.user_id
            WHERE s.token_hash = \(hash) AND s.expires_at > now() AND NOT s.second_factor_pending
            """) else { return nil }
        let record = try SessionRecord(row)
        if try row.decode("stale", as: Bool.self) { try touch(registry, sessionId: record.id) }
        return record
    }

    /// Ends the session behind `token` (log-out). Unknown tokens are ignored.
    public static func revoke(_ registry: Connection, token: String) throws {
        try registry.execute("DELETE FROM sessions WHERE token_hash = \(SHA256Digest.hash(token))")
    }
}
