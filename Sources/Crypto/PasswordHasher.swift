import COpenSSL
import Foundation

/// Password hashes with scrypt (OpenSSL `EVP_PBE_scrypt`), stored as
/// `scrypt$N$r$p$<salt base64url>$<hash base64url>` so the cost can change without breaking
/// old hashes: `verify` uses the parameters stored in the hash, and `needsRehash` says when a
/// login should store a new hash at today's cost. Passwords are hashed in Unicode NFC, so "é"
/// typed as one code point or as e + combining accent is the same password.
public enum PasswordHasher {
    /// Cost parameters. N must be a power of two.
    public struct Parameters: Sendable, Equatable {
        public var n: UInt64
        public var r: UInt64
        public var p: UInt64

        public init(n: UInt64, r: UInt64, p: UInt64) {
            self.n = n
            self.r = r
            self.p = p
        }

        /// N = 2^14, r = 8, p = 1: 16 MiB and about 45 ms of CPU per hash on this project's
        /// machine (2^15 took ~90 ms); checked by `currentScryptCostIsAboutFiftyMilliseconds`.
        public static let current = Parameters(n: 1 << 14, r: 8, p: 1)

        /// Bounds for stored hashes, so a tampered row cannot ask for gigabytes.
        var isWithinLimits: Bool {
            n >= 2 && n <= 1 << 20 && n & (n - 1) == 0 && (1...32).contains(r) && (1...16).contains(p)
                && n * r <= 1 << 22
        }
    }

    static let saltLength = 16
    static let hashLength = 32

    /// A new hash of `password` with a fresh random salt.
    public static func hash(_ password: String, parameters: Parameters = .current) -> String {
        let salt = SecureRandom.bytes(saltLength)
        guard let derived = scrypt(normalized(password), salt: salt, parameters: parameters, length: hashLength) else {
            preconditionFailure("EVP_PBE_scrypt failed with valid parameters")
        }
        return "scrypt$\(parameters.n)$\(parameters.r)$\(parameters.p)$"
            + Base64URL.encode(salt) + "$" + Base64URL.encode(derived)
    }

    /// True when `password` matches `stored`; false for a wrong password or a malformed hash.
    public static func verify(_ password: String, against stored: String) -> Bool {
        guard let parsed = parse(stored),
              let derived = scrypt(normalized(password), salt: parsed.salt, parameters: parsed.parameters,
                                   length: parsed.hash.count) else { return false }
        return constantTimeEqual(derived, parsed.hash)
    }

    /// True when `stored` was made with other parameters than `current` (rehash after a good login).
    public static func needsRehash(_ stored: String, parameters: Parameters = .current) -> Bool {
        parse(stored)?.parameters != parameters
    }

    static func normalized(_ password: String) -> [UInt8] {
        Array(password.precomposedStringWithCanonicalMapping.utf8)
    }

    static func parse(_ stored: String) -> (parameters: Parameters, salt: [UInt8], hash: [UInt8])? {
        let parts = stored.split(separator: "$", omittingEmptySubsequences: false)
        guard parts.count == 6, parts[0] == "scrypt",
              let n = UInt64(parts[1]), let r = UInt64(parts[2]), let p = UInt64(parts[3]),
              let salt = Base64URL.decode(String(parts[4])), let hash = Base64URL.decode(String(parts[5])),
              !salt.isEmpty, (16...64).contains(hash.count) else { return nil }
        let parameters = Parameters(n: n, r: r, p: p)
        guard parameters.isWithinLimits else { return nil }
        return (parameters, salt, hash)
    }

    /// Raw scrypt (RFC 7914); nil when OpenSSL refuses the parameters.
    public static func scrypt(_ password: [UInt8], salt: [UInt8], parameters: Parameters, length: Int) -> [UInt8]? {
        var out = [UInt8](repeating: 0, count: length)
        // scrypt needs 128·r·N bytes for V plus 128·r·p for B; allow that plus slack.
        let maxMemory = 128 * parameters.r * (parameters.n + parameters.p + 2) + (1 << 20)
        let ok = withNonNullBytes(password) { pw, pwCount in
            withNonNullBytes(salt) { s, saltCount in
                pw.withMemoryRebound(to: CChar.self, capacity: max(pwCount, 1)) { pass in
                    EVP_PBE_scrypt(pass, pwCount, s, saltCount, parameters.n, parameters.r, parameters.p,
                                   maxMemory, &out, length)
                }
            }
        }
        return ok == 1 ? out : nil
    }
}
