import Foundation
import Postgres

/// A merchant's account as the account pages see it (never the password hash).
public struct UserAccount: Sendable, Equatable {
    public let id: Int64
    public let email: String
    public let name: String
    public let emailVerifiedAt: Date?
    /// An address the user asked to change to, not yet confirmed from its mailbox.
    public let pendingEmail: String?
    public let totpEnabled: Bool
    public let createdAt: Date

    public var isEmailVerified: Bool { emailVerifiedAt != nil }

    /// The columns `init(_:)` reads, for `SELECT \(UserAccount.columns) FROM users`.
    static let columns = Query(unsafeSQL:
        "users.id, users.email, users.name, users.email_verified_at, users.pending_email, users.totp_enabled, users.created_at")

    init(_ row: Row) throws {
        id = try row.decode("id")
        email = try row.decode("email")
        name = try row.decode("name")
        emailVerifiedAt = try row.decode("email_verified_at")
        pendingEmail = try row.decode("pending_email")
        totpEnabled = try row.decode("totp_enabled")
        createdAt = try row.decode("created_at")
    }
}

/// Looking accounts up. Emails compare case-insensitively (the unique index is on `lower(email)`).
public enum Users {
    public static func find(_ registry: Connection, id: Int64) throws -> UserAccount? {
        try registry.queryFirst("SELECT \(UserAccount.columns) FROM users WHERE id = \(id)").map(UserAccount.init)
    }

    public static func find(_ registry: Connection, email: String) throws -> UserAccount? {
        try registry.queryFirst("SELECT \(UserAccount.columns) FROM users WHERE lower(email) = lower(\(email))")
            .map(UserAccount.init)
    }

    /// The organizations a user belongs to, oldest first: (id, name, role).
    public static func organizations(_ registry: Connection, userId: Int64) throws -> [(id: Int64, name: String, role: String)] {
        try OrganizationScope.run(registry, orgId: nil, userId: userId) { db in
            try db.query("""
                SELECT o.id, o.name, m.role::text AS role
                FROM memberships m JOIN organizations o ON o.id = m.org_id
                WHERE m.user_id = \(userId) ORDER BY m.created_at, o.id
                """).map { (try $0.decode("id"), try $0.decode("name"), try $0.decode("role")) }
        }
    }

    /// The stored hash, for checks that need the current password.
    static func passwordHash(_ registry: Connection, id: Int64) throws -> String? {
        try registry.queryFirst("SELECT password_hash FROM users WHERE id = \(id)")?.decode("password_hash")
    }
}
