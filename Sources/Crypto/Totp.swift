import COpenSSL
import Foundation

/// HMAC-SHA1 (OpenSSL one-shot `HMAC`). Only for TOTP, which RFC 6238 and every
/// authenticator app define over SHA-1; use `HMACSHA256` for anything else.
public enum HMACSHA1 {
    public static func mac(key: [UInt8], message: [UInt8]) -> [UInt8] {
        var out = [UInt8](repeating: 0, count: 20)
        var length: UInt32 = 0
        let result = withNonNullBytes(key) { k, keyCount in
            withNonNullBytes(message) { m, messageCount in
                HMAC(EVP_sha1(), k, Int32(keyCount), m, messageCount, &out, &length)
            }
        }
        precondition(result != nil && length == 20, "HMAC(SHA-1) failed")
        return out
    }
}

/// Time-based one-time passwords (RFC 6238 over RFC 4226's HOTP): HMAC-SHA1, a 30-second
/// step, 6 digits by default — what Google Authenticator, 1Password and the like use.
public struct TOTP: Sendable {
    public let secret: [UInt8]
    public let digits: Int
    public let period: Int

    public init(secret: [UInt8], digits: Int = 6, period: Int = 30) {
        precondition((6...8).contains(digits) && period > 0)
        self.secret = secret
        self.digits = digits
        self.period = period
    }

    /// A new random secret: 20 bytes, the size RFC 4226 recommends for SHA-1.
    public static func generateSecret() -> [UInt8] { SecureRandom.bytes(20) }

    /// The time step a moment falls in (T in RFC 6238).
    public func counter(at date: Date) -> UInt64 {
        let seconds = date.timeIntervalSince1970
        return seconds <= 0 ? 0 : UInt64(seconds) / UInt64(period)
    }

    /// The code for a moment, zero-padded to `digits`.
    public func code(at date: Date) -> String { code(counter: counter(at: date)) }

    /// HOTP (RFC 4226 §5.3): HMAC of the big-endian counter, dynamic truncation, modulo 10^digits.
    public func code(counter: UInt64) -> String {
        let message = (0..<8).map { UInt8(truncatingIfNeeded: counter >> UInt64(56 - 8 * $0)) }
        let mac = HMACSHA1.mac(key: secret, message: message)
        let offset = Int(mac[19] & 0x0F)
        let binary = (UInt32(mac[offset] & 0x7F) << 24) | (UInt32(mac[offset + 1]) << 16)
            | (UInt32(mac[offset + 2]) << 8) | UInt32(mac[offset + 3])
        var modulus: UInt32 = 1
        for _ in 0..<digits { modulus *= 10 }
        let value = String(binary % modulus)
        return String(repeating: "0", count: digits - value.count) + value
    }

    /// The time step whose code `code` is, looking `window` steps either side of `date` (clocks
    /// drift and people type slowly); nil when none matches. Spaces in `code` are ignored.
    /// Callers remember the last step they accepted and refuse it and earlier ones, so a code
    /// cannot be replayed.
    public func matchingCounter(_ code: String, at date: Date, window: Int = 1) -> UInt64? {
        let typed = Array(code.utf8.filter { $0 != UInt8(ascii: " ") })
        guard typed.count == digits, typed.allSatisfy({ (48...57).contains($0) }) else { return nil }
        let now = counter(at: date)
        var found: UInt64?
        // Every candidate is computed and compared in constant time, so timing says nothing
        // about which step matched.
        for delta in -window...window {
            let step = delta < 0 ? now.subtractingReportingOverflow(UInt64(-delta)) : now.addingReportingOverflow(UInt64(delta))
            if step.overflow { continue }
            if constantTimeEqual(Array(self.code(counter: step.partialValue).utf8), typed), found == nil {
                found = step.partialValue
            }
        }
        return found
    }

    /// The `otpauth://totp/...` URI authenticator apps read (as a QR code or pasted): the
    /// secret in unpadded Base32, the issuer both as label prefix and parameter.
    public func provisioningURI(issuer: String, account: String) -> String {
        let label = Self.escape(issuer) + ":" + Self.escape(account)
        var uri = "otpauth://totp/" + label + "?secret=" + Base32.encode(secret, padding: false)
            + "&issuer=" + Self.escape(issuer)
        if digits != 6 { uri += "&digits=\(digits)" }
        if period != 30 { uri += "&period=\(period)" }
        return uri
    }

    /// Percent-encodes everything but unreserved characters (RFC 3986), spaces as `%20`.
    static func escape(_ text: String) -> String {
        var out = ""
        for b in text.utf8 {
            switch b {
            case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"),
                 UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "-"), UInt8(ascii: "."),
                 UInt8(ascii: "_"), UInt8(ascii: "~"), UInt8(ascii: "@"):
                out.unicodeScalars.append(UnicodeScalar(b))
            default:
                out += "%" + String(b, radix: 16, uppercase: true).leftPadded(to: 2)
            }
        }
        return out
    }
}

private extension String {
    func leftPadded(to width: Int) -> String { String(repeating: "0", count: max(0, width - count)) + self }
}
