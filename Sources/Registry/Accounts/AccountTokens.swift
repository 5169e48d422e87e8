import Crypto
import Foundation
import Postgres

/// One-time links sent by mail: the token is in the link, its SHA-256 in `account_tokens`.
/// A token works once, before it expires; a newer reset link replaces older ones.
public enum AccountTokens {
    public enum Purpose: String, Sendable {
        case verifyEmail = "verify_email"
        case resetPassword = "reset_password"

        /// Verification links last two days; reset links an hour (they sign a password in).
        public var lifetimeSeconds: Int {
            switch self {
            case .verifyEmail: return 48 * 3600
            case .resetPassword: return 3600
            }
        }
    }

    /// A token's row: whose it is, and the address its link was sent to.
    public struct Record: Sendable {
        public let id: Int64
        public let userId: Int64
        public let email: String
        public let expiresAt: Date
    }

    /// A new token for `userId`, mailed to `email`. For resets, earlier unused links stop working.
    public static func issue(_ registry: Connection, userId: Int64, purpose: Purpose, email: String) throws -> String {
        let token = SecureRandom.token(bytes: 32)
        try registry.transaction { db in
            if purpose == .resetPassword {
                // Superseded, not deleted: `recentlyIssued` still counts them.
                try db.execute("""
                    UPDATE account_tokens SET used_at = now()
                    WHERE user_id = \(userId) AND purpose = 'reset_password' AND used_at IS NULL
                    """)
            }
            // This user's tokens spent or expired over a day ago go as new ones arrive.
            try db.execute("""
                DELETE FROM account_tokens
                WHERE user_id = \(userId) AND (used_at < now() - interval '1 day' OR expires_at < now() - interval '1 day')
                """)
            try db.execute("""
                INSERT INTO account_tokens (token_hash, user_id, purpose, email, expires_at)
                VALUES (\(SHA256Digest.hash(token)), \(userId), \(purpose.rawValue)::account_token_purpose, \(email),
                        now() + make_interval(secs => \(purpose.lifetimeSeconds)))
                """)
        }
        return token
    }

    /// The live (unused, unexpired) token, without using it — to show the form it opens.
    public static func peek(_ registry: Connection, token: String, purpose: Purpose) throws -> Record? {
        guard isWellFormed(token) else { return nil }
        return try registry.queryFirst("""
            SELECT id, user_id, email, expires_at FROM account_tokens
            WHERE token_hash = \(SHA256Digest.hash(token)) AND purpose = \(purpose.rawValue)::account_token_purpose
              AND used_at IS NULL AND expires_at > now()
            """).map(record)
    }

    /// Uses the token: marks it used and returns it, or nil if it was unknown, spent or expired.
    /// Two requests racing for one token: exactly one gets it (the UPDATE's row lock decides).
    public static func consume(_ registry: Connection, token: String, purpose: Purpose) throws -> Record? {
        guard isWellFormed(token) else { return nil }
        return try registry.queryFirst("""
            UPDATE account_tokens SET used_at = now()
            WHERE token_hash = \(SHA256Digest.hash(token)) AND purpose = \(purpose.rawValue)::account_token_purpose
              AND used_at IS NULL AND expires_at > now()
            RETURNING id, user_id, email, expires_at
            """).map(record)
    }

    static func isWellFormed(_ token: String) -> Bool {
        !token.isEmpty && token.utf8.count <= 128
    }

    private static func record(_ row: Row) throws -> Record {
        Record(id: try row.decode("id"), userId: try row.decode("user_id"), email: try row.decode("email"),
               expiresAt: try row.decode("expires_at"))
    }
}

extension AccountTokens {
    /// How many tokens of `purpose` the user was sent in the last `withinSeconds` (to limit resends).
    public static func recentlyIssued(_ registry: Connection, userId: Int64, purpose: Purpose, withinSeconds: Int) throws -> Int {
        let row = try registry.queryFirst("""
            SELECT count(*) AS n FROM account_tokens
            WHERE user_id = \(userId) AND purpose = \(purpose.rawValue)::account_token_purpose
              AND created_at > now() - make_interval(secs => \(withinSeconds))
            """)!
        return Int(try row.decode("n", as: Int64.self))
    }
}
