import Crypto
import Foundation
import Postgres

/// Storefront log-ins: the `sf_customer` cookie holds a random token, `customer_sessions` only
/// its SHA-256, so a leaked table logs nobody in. A session lives 30 days from its last use.
public enum CustomerSessions {
    public static let lifetimeSeconds = 30 * 24 * 3600
    /// How often a session in use has its expiry pushed ahead (one small write, not one per request).
    static let touchIntervalSeconds = 300

    /// Opens a session for `customerId` and returns the cookie's token.
    public static func create(_ db: Connection, customerId: Int64) throws -> String {
        let token = SecureRandom.token(bytes: 32)
        try db.execute("""
            INSERT INTO customer_sessions (token_hash, customer_id, expires_at)
            VALUES (\(SHA256Digest.hash(token)), \(customerId), now() + make_interval(secs => \(lifetimeSeconds)))
            """)
        try db.execute("UPDATE customers SET last_login_at = now() WHERE id = \(customerId)")
        return token
    }

    /// The customer whose live session `token` is, or nil (unknown, expired, or the account lost
    /// its password meanwhile). Sliding expiry: a session seen after a few minutes is touched.
    public static func find(_ db: Connection, token: String) throws -> CustomerAccount? {
        guard !token.isEmpty, token.utf8.count <= 128 else { return nil }
        let hash = SHA256Digest.hash(token)
        guard let row = try db.queryFirst("""
            SELECT \(CustomerAccount.columns),
                   s.last_seen_at < now() - make_interval(secs => \(touchIntervalSeconds)) AS stale
            FROM customer_sessions s JOIN customers ON customers.id = s.customer_id
            WHERE s.token_hash = \(hash) AND s.expires_at > now() AND customers.password_hash IS NOT NULL
            """) else { return nil }
        if try row.decode("stale", as: Bool.self) {
            try db.execute("""
                UPDATE customer_sessions
                SET last_seen_at = now(), expires_at = now() + make_interval(secs => \(lifetimeSeconds))
                WHERE token_hash = \(hash)
                """)
        }
        return try CustomerAccount(row)
    }

    /// Log-out: ends the session behind `token`; unknown tokens are ignored.
    public static func revoke(_ db: Connection, token: String) throws {
        try db.execute("DELETE FROM customer_sessions WHERE token_hash = \(SHA256Digest.hash(token))")
    }

    /// Ends every session of a customer (after a password reset), and this customer's expired
    /// ones are swept as a side effect.
    public static func revokeAll(_ db: Connection, customerId: Int64) throws {
        try db.execute("DELETE FROM customer_sessions WHERE customer_id = \(customerId)")
    }
}
