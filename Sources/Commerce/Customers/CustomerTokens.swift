import Crypto
import Foundation
import Postgres

/// One-time links mailed to shoppers: the token is in the link, its SHA-256 in
/// `customer_tokens`. A token works once, before it expires; a newer link of the same purpose
/// replaces older ones.
public enum CustomerTokens {
    public enum Purpose: String, Sendable {
        case passwordReset = "password_reset"
        case emailConfirmation = "email_confirmation"

        /// Sign-up links last two days; reset links an hour (they sign a password in).
        public var lifetimeSeconds: Int {
            switch self {
            case .passwordReset: return 3600
            case .emailConfirmation: return 48 * 3600
            }
        }
    }

    /// What a sign-up link sets when used.
    public struct Pending: Sendable {
        public let passwordHash: String
        public let firstName: String
        public let lastName: String
    }

    public struct Record: Sendable {
        public let customerId: Int64
        public let email: String
        public let pending: Pending?
    }

    public static func issue(_ db: Connection, customerId: Int64, purpose: Purpose, pending: Pending? = nil) throws -> String {
        let token = SecureRandom.token(bytes: 32)
        try db.transaction { db in
            // Superseded, not deleted: `recentlyIssued` still counts them.
            try db.execute("""
                UPDATE customer_tokens SET used_at = now()
                WHERE customer_id = \(customerId) AND purpose = \(purpose.rawValue) AND used_at IS NULL
                """)
            try db.execute("""
                DELETE FROM customer_tokens
                WHERE customer_id = \(customerId) AND (used_at < now() - interval '1 day' OR expires_at < now() - interval '1 day')
                """)
            try db.execute("""
                INSERT INTO customer_tokens (token_hash, customer_id, purpose, expires_at, password_hash, first_name, last_name)
                VALUES (\(SHA256Digest.hash(token)), \(customerId), \(purpose.rawValue),
                        now() + make_interval(secs => \(purpose.lifetimeSeconds)),
                        \(pending?.passwordHash), \(pending?.firstName), \(pending?.lastName))
                """)
        }
        return token
    }

    /// The live token without using it (to show the form it opens).
    public static func peek(_ db: Connection, token: String, purpose: Purpose) throws -> Record? {
        guard isWellFormed(token) else { return nil }
        return try db.queryFirst("""
            SELECT t.customer_id, c.email, t.password_hash, t.first_name, t.last_name
            FROM customer_tokens t JOIN customers c ON c.id = t.customer_id
            WHERE t.token_hash = \(SHA256Digest.hash(token)) AND t.purpose = \(purpose.rawValue)
              AND t.used_at IS NULL AND t.expires_at > now()
            """).map(record)
    }

    /// Uses the token; nil if it was unknown, spent or expired. Of two racing requests exactly
    /// one gets it (the UPDATE's row lock decides).
    public static func consume(_ db: Connection, token: String, purpose: Purpose) throws -> Record? {
        guard isWellFormed(token) else { return nil }
        return try db.queryFirst("""
            WITH t AS (
                UPDATE customer_tokens SET used_at = now()
                WHERE token_hash = \(SHA256Digest.hash(token)) AND purpose = \(purpose.rawValue)
                  AND used_at IS NULL AND expires_at > now()
                RETURNING customer_id, password_hash, first_name, last_name)
            SELECT t.customer_id, c.email, t.password_hash, t.first_name, t.last_name
            FROM t JOIN customers c ON c.id = t.customer_id
            """).map(record)
    }

    /// How many links of `purpose` the customer was sent in the last `withinSeconds`.
    public static func recentlyIssued(_ db: Connection, customerId: Int64, purpose: Purpose, withinSeconds: Int) throws -> Int {
        let row = try db.queryFirst("""
            SELECT count(*) AS n FROM customer_tokens
            WHERE customer_id = \(customerId) AND purpose = \(purpose.rawValue)
              AND created_at > now() - make_interval(secs => \(withinSeconds))
            """)!
        return Int(try row.decode("n", as: Int64.self))
    }

    static func isWellFormed(_ token: String) -> Bool { !token.isEmpty && token.utf8.count <= 128 }

    private static func record(_ row: Row) throws -> Record {
        let hash: String? = try row.decode("password_hash")
        return Record(customerId: try row.decode("customer_id"), email: try row.decode("email"),
                      pending: try hash.map { Pending(passwordHash: $0, firstName: try row.decode("first_name", as: String?.self) ?? "",
                                                      lastName: try row.decode("last_name", as: String?.self) ?? "") })
    }
}
