import Crypto
import Foundation
import Postgres

/// The result of checking an email and password.
public enum AuthenticationOutcome: Sendable, Equatable {
    /// Right password, no second factor: sign in.
    case authenticated(UserAccount)
    /// Right password; a TOTP code (or recovery code) is still owed.
    case secondFactorRequired(UserAccount)
    /// Unknown email or wrong password — deliberately the same case.
    case invalid
    /// Too many recent failures for this email or address; the password was not checked.
    case throttled
}

extension Users {
    /// A hash no password matches, verified when the email has no account so that an unknown
    /// address costs the same scrypt time as a known one.
    static let absentUserHash = PasswordHasher.hash(SecureRandom.token(bytes: 32))

    /// Checks `email` and `password`, with throttling per account and per `address`. Failures
    /// are recorded; success clears the account's failures and upgrades an old-cost hash.
    public static func authenticate(_ registry: Connection, email: String, password: String, address: String,
                                    throttle: LoginThrottle = .standard) throws -> AuthenticationOutcome {
        if try throttle.isThrottled(registry, email: email, address: address) { return .throttled }
        let row = try registry.queryFirst("""
            SELECT \(UserAccount.columns), users.password_hash FROM users WHERE lower(email) = lower(\(email))
            """)
        let stored: String = try row?.decode("password_hash") ?? absentUserHash
        let matches = PasswordHasher.verify(password, against: stored)
        guard let row, matches else {
            try throttle.recordFailure(registry, email: email, address: address)
            return .invalid
        }
        let user = try UserAccount(row)
        try throttle.clearAccount(registry, email: email)
        if PasswordHasher.needsRehash(stored) {
            try registry.execute("UPDATE users SET password_hash = \(PasswordHasher.hash(password)) WHERE id = \(user.id)")
        }
        return user.totpEnabled ? .secondFactorRequired(user) : .authenticated(user)
    }

    /// True when `password` is the user's current password (for changes that ask for it).
    public static func checkPassword(_ registry: Connection, userId: Int64, password: String) throws -> Bool {
        PasswordHasher.verify(password, against: try passwordHash(registry, id: userId) ?? absentUserHash)
    }
}
