import Crypto
import Foundation
import Postgres

/// Two-factor sign-in with TOTP (RFC 6238) and single-use recovery codes.
///
/// Enrolment is two steps: `beginEnrolment` stores a new secret (sealed with the keyring,
/// not yet enabled) for the page to show; `confirmEnrolment` enables it once the user types a
/// code from their app, and returns the recovery codes, shown once and stored only hashed.
public enum TwoFactor {
    public static let recoveryCodeCount = 10

    /// How a second factor was accepted.
    public enum Verification: Sendable, Equatable {
        case totp
        /// A recovery code, now spent; `remaining` are left.
        case recoveryCode(remaining: Int)
        case invalid
    }

    /// The secret's associated data: a sealed secret copied to another user's row will not open.
    static func associatedData(userId: Int64) -> [UInt8] { Array("totp-secret:user:\(userId)".utf8) }

    /// A secret for enrolment: the one stored but not yet confirmed, or a new one. Throws if
    /// two-factor sign-in is already enabled.
    public static func beginEnrolment(_ registry: Connection, keyring: Keyring, userId: Int64) throws -> TOTP {
        let row = try registry.queryFirst("SELECT totp_enabled, totp_secret_sealed FROM users WHERE id = \(userId)")
        guard let row else { throw AccountError.concurrentChange }
        if try row.decode("totp_enabled", as: Bool.self) { throw AccountError.twoFactorAlreadyEnabled }
        if let sealed: String = try row.decode("totp_secret_sealed"),
           let secret = try? keyring.open(sealed, associatedData: associatedData(userId: userId)) {
            return TOTP(secret: secret)
        }
        let secret = TOTP.generateSecret()
        let sealed = try keyring.seal(secret, associatedData: associatedData(userId: userId))
        try registry.execute("""
            UPDATE users SET totp_secret_sealed = \(sealed), totp_last_step = NULL, updated_at = now()
            WHERE id = \(userId) AND NOT totp_enabled
            """)
        return TOTP(secret: secret)
    }

    /// Enables two-factor sign-in if `code` is the current code of the pending secret. Returns
    /// the new recovery codes (to show once), or nil for a wrong code.
    public static func confirmEnrolment(_ registry: Connection, keyring: Keyring, userId: Int64, code: String,
                                        now: Date = Date()) throws -> [String]? {
        try registry.transaction { db in
            guard let row = try db.queryFirst("""
                SELECT totp_secret_sealed FROM users WHERE id = \(userId) AND NOT totp_enabled FOR UPDATE
                """), let sealed: String = try row.decode("totp_secret_sealed") else { return nil }
            let totp = TOTP(secret: try keyring.open(sealed, associatedData: associatedData(userId: userId)))
            guard let step = totp.matchingCounter(code, at: now) else { return nil }
            try db.execute("""
                UPDATE users SET totp_enabled = true, totp_last_step = \(Int64(step)), updated_at = now()
                WHERE id = \(userId)
                """)
            return try replaceRecoveryCodes(db, userId: userId)
        }
    }

    /// Turns two-factor sign-in off: the secret and the recovery codes are deleted.
    public static func disable(_ registry: Connection, userId: Int64) throws {
        try registry.transaction { db in
            try db.execute("""
                UPDATE users SET totp_enabled = false, totp_secret_sealed = NULL, totp_last_step = NULL, updated_at = now()
                WHERE id = \(userId)
                """)
            try db.execute("DELETE FROM recovery_codes WHERE user_id = \(userId)")
        }
    }

    /// New recovery codes, replacing all earlier ones.
    public static func regenerateRecoveryCodes(_ registry: Connection, userId: Int64) throws -> [String] {
        try registry.transaction { db in try replaceRecoveryCodes(db, userId: userId) }
    }

    /// Unused recovery codes left.
    public static func remainingRecoveryCodes(_ registry: Connection, userId: Int64) throws -> Int {
        let row = try registry.queryFirst("""
            SELECT count(*) AS n FROM recovery_codes WHERE user_id = \(userId) AND used_at IS NULL
            """)!
        return Int(try row.decode("n", as: Int64.self))
    }

    /// Checks a second factor at log-in: six digits are a TOTP code (a step already used is
    /// refused, so a code cannot be replayed), anything else is tried as a recovery code.
    public static func verify(_ registry: Connection, keyring: Keyring, userId: Int64, code: String,
                              now: Date = Date()) throws -> Verification {
        let typed = code.filter { !$0.isWhitespace }
        guard !typed.isEmpty, typed.utf8.count <= 64 else { return .invalid }
        return try registry.transaction { db in
            guard let row = try db.queryFirst("""
                SELECT totp_secret_sealed, totp_last_step FROM users
                WHERE id = \(userId) AND totp_enabled FOR UPDATE
                """), let sealed: String = try row.decode("totp_secret_sealed") else { return .invalid }
            if typed.utf8.count == 6, typed.utf8.allSatisfy({ (48...57).contains($0) }) {
                let totp = TOTP(secret: try keyring.open(sealed, associatedData: associatedData(userId: userId)))
                let last: Int64? = try row.decode("totp_last_step")
                guard let step = totp.matchingCounter(typed, at: now), last.map({ Int64(step) > $0 }) ?? true else {
                    return .invalid
                }
                try db.execute("UPDATE users SET totp_last_step = \(Int64(step)) WHERE id = \(userId)")
                return .totp
            }
            guard try db.queryFirst("""
                UPDATE recovery_codes SET used_at = now()
                WHERE user_id = \(userId) AND code_hash = \(recoveryHash(typed)) AND used_at IS NULL
                RETURNING id
                """) != nil else { return .invalid }
            return .recoveryCode(remaining: try remainingRecoveryCodes(db, userId: userId))
        }
    }

    // MARK: - Recovery codes

    /// `xxxx-xxxx-xxxx-xxxx` in lower-case Base32: 80 random bits each, so an unsalted SHA-256
    /// is enough to keep them from a reader of the table.
    static func newRecoveryCode() -> String {
        let text = Base32.encode(SecureRandom.bytes(10), padding: false).lowercased()
        var out = ""
        for (i, c) in text.enumerated() {
            if i > 0 && i % 4 == 0 { out.append("-") }
            out.append(c)
        }
        return out
    }

    /// The hash of a code as typed: case, spaces and hyphens do not matter.
    static func recoveryHash(_ typed: String) -> [UInt8] {
        SHA256Digest.hash(typed.lowercased().filter { $0 != "-" && !$0.isWhitespace })
    }

    private static func replaceRecoveryCodes(_ db: Connection, userId: Int64) throws -> [String] {
        try db.execute("DELETE FROM recovery_codes WHERE user_id = \(userId)")
        var codes: [String] = []
        while codes.count < recoveryCodeCount {
            let code = newRecoveryCode()
            if codes.contains(code) { continue }
            codes.append(code)
            try db.execute("INSERT INTO recovery_codes (user_id, code_hash) VALUES (\(userId), \(recoveryHash(code)))")
        }
        return codes
    }
}
