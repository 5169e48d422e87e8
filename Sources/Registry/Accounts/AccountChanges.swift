import Crypto
import Foundation
import Postgres

/// What following a verification link did.
public enum EmailVerificationOutcome: Sendable, Equatable {
    /// The account's address is confirmed.
    case verified(UserAccount)
    /// The account's address changed to the one the link was sent to (`previous` was the old one).
    case changed(UserAccount, previous: String)
    /// Unknown, used or expired link, or an address the account no longer has.
    case invalid
    /// The new address belongs to another account by now.
    case addressTaken
}

extension Users {
    /// Follows a verification link: confirms the address, or completes a change of address.
    public static func verifyEmail(_ registry: Connection, token: String) throws -> EmailVerificationOutcome {
        try registry.transaction { db in
            guard let record = try AccountTokens.consume(db, token: token, purpose: .verifyEmail),
                  let user = try find(db, id: record.userId) else { return .invalid }
            if user.email.lowercased() == record.email.lowercased() {
                let row = try db.queryFirst("""
                    UPDATE users SET email_verified_at = coalesce(email_verified_at, now()), updated_at = now()
                    WHERE id = \(user.id) RETURNING \(UserAccount.columns)
                    """)!
                return .verified(try UserAccount(row))
            }
            guard let pending = user.pendingEmail, pending.lowercased() == record.email.lowercased() else { return .invalid }
            if try db.queryFirst("SELECT 1 FROM users WHERE lower(email) = lower(\(pending)) AND id <> \(user.id)") != nil {
                return .addressTaken
            }
            let row = try db.queryFirst("""
                UPDATE users SET email = \(pending), pending_email = NULL, email_verified_at = now(), updated_at = now()
                WHERE id = \(user.id) RETURNING \(UserAccount.columns)
                """)!
            return .changed(try UserAccount(row), previous: user.email)
        }
    }

    /// Renames the account.
    public static func changeName(_ registry: Connection, userId: Int64, name: String) throws {
        try registry.execute("UPDATE users SET name = \(name), updated_at = now() WHERE id = \(userId)")
    }

    /// Records `newEmail` as pending and returns a verification token for it; the address
    /// changes only when the link mailed there is followed. Nil when the password is wrong.
    public static func requestEmailChange(_ registry: Connection, userId: Int64, newEmail: String,
                                          currentPassword: String) throws -> String? {
        guard try checkPassword(registry, userId: userId, password: currentPassword) else { return nil }
        return try startEmailChange(registry, userId: userId, newEmail: newEmail)
    }

    /// `requestEmailChange` for a caller that has checked the password itself.
    public static func startEmailChange(_ registry: Connection, userId: Int64, newEmail: String) throws -> String {
        try registry.transaction { db in
            try db.execute("UPDATE users SET pending_email = \(newEmail), updated_at = now() WHERE id = \(userId)")
            return try AccountTokens.issue(db, userId: userId, purpose: .verifyEmail, email: newEmail)
        }
    }

    /// Drops a pending change of address (its links stop working).
    public static func cancelEmailChange(_ registry: Connection, userId: Int64) throws {
        try registry.execute("UPDATE users SET pending_email = NULL, updated_at = now() WHERE id = \(userId)")
    }

    /// Sets a new password after checking the current one, and signs out every other session.
    /// False when `currentPassword` is wrong (nothing changes).
    public static func changePassword(_ registry: Connection, userId: Int64, currentPassword: String,
                                      newPassword: String, keepingSession sessionId: Int64?) throws -> Bool {
        guard try checkPassword(registry, userId: userId, password: currentPassword) else { return false }
        try setPassword(registry, userId: userId, newPassword: newPassword, keepingSession: sessionId)
        return true
    }

    /// Follows a reset link: a new password, every session signed out, the account's log-in
    /// failures forgotten, and the address confirmed (the link proved the mailbox). Nil for an
    /// unknown, used or expired link.
    public static func resetPassword(_ registry: Connection, token: String, newPassword: String) throws -> UserAccount? {
        let hash = PasswordHasher.hash(newPassword)
        return try registry.transaction { db in
            guard let record = try AccountTokens.consume(db, token: token, purpose: .resetPassword),
                  let user = try find(db, id: record.userId) else { return nil }
            try db.execute("""
                UPDATE users SET password_hash = \(hash), password_changed_at = now(), updated_at = now(),
                       email_verified_at = CASE WHEN lower(email) = lower(\(record.email))
                                                THEN coalesce(email_verified_at, now()) ELSE email_verified_at END
                WHERE id = \(user.id)
                """)
            try db.execute("DELETE FROM sessions WHERE user_id = \(user.id)")
            try LoginThrottle.standard.clearAccount(db, email: user.email)
            return try find(db, id: user.id)
        }
    }

    /// `changePassword` for a caller that has checked the current password itself.
    public static func setPassword(_ registry: Connection, userId: Int64, newPassword: String, keepingSession sessionId: Int64?) throws {
        let hash = PasswordHasher.hash(newPassword)
        try registry.transaction { db in
            try db.execute("""
                UPDATE users SET password_hash = \(hash), password_changed_at = now(), updated_at = now()
                WHERE id = \(userId)
                """)
            try db.execute("DELETE FROM sessions WHERE user_id = \(userId) AND id IS DISTINCT FROM \(sessionId)")
        }
    }
}
