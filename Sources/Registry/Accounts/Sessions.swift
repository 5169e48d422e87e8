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
    public let expiresAt: Date

    init(_ row: Row) throws {
        id = try row.decode("id")
        userId = try row.decode("user_id")
        csrfToken = try row.decode("csrf_token")
        userName = try row.decode("name")
        userEmail = try row.decode("email")
        isPlatformAdmin = try row.decode("is_platform_admin")
        expiresAt = try row.decode("expires_at")
    }
}

/// Server-side sessions. The cookie holds a random token; the registry keeps only its SHA-256,
/// so a leaked `sessions` table signs nobody in.
public enum Sessions {
    /// How long a session lives without being used.
    public static let lifetimeSeconds = 30 * 24 * 3600

    /// Opens a session for `userId` and returns the cookie's token with the new row.
    public static func create(_ registry: Connection, userId: Int64) throws -> (token: String, record: SessionRecord) {
        let token = SecureRandom.token(bytes: 32)
        let csrf = SecureRandom.token(bytes: 24)
        let hash = SHA256Digest.hash(token)
        let row = try registry.queryFirst("""
            WITH s AS (
                INSERT INTO sessions (token_hash, user_id, csrf_token, expires_at)
                VALUES (\(hash), \(userId), \(csrf), now() + make_interval(secs => \(lifetimeSeconds)))
                RETURNING id, user_id, csrf_token, expires_at)
            SELECT s.id, s.user_id, s.csrf_token, s.expires_at, u.name, u.email, u.is_platform_admin
            FROM s JOIN users u ON u.id = s.user_id
            """)
        guard let row else { throw RegistryError.storeNotFound("user \(userId)") }
        let record = try SessionRecord(row)
        return (token, record)
    }

    /// The live session whose cookie token is `token`, or nil (unknown, expired or revoked).
    public static func find(_ registry: Connection, token: String) throws -> SessionRecord? {
        guard !token.isEmpty, token.utf8.count <= 128 else { return nil }
        let hash = SHA256Digest.hash(token)
        guard let row = try registry.queryFirst("""
            SELECT s.id, s.user_id, s.csrf_token, s.expires_at, u.name, u.email, u.is_platform_admin
            FROM sessions s JOIN users u ON u.id = s.user_id
            WHERE s.token_hash = \(hash) AND s.expires_at > now()
            """) else { return nil }
        return try SessionRecord(row)
    }

    /// Ends the session behind `token` (log-out). Unknown tokens are ignored.
    public static func revoke(_ registry: Connection, token: String) throws {
        try registry.execute("DELETE FROM sessions WHERE token_hash = \(SHA256Digest.hash(token))")
    }
}
