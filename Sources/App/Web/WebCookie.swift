import HTTP

/// The platform host's cookies. All are `HttpOnly` and `SameSite=Lax`, and `Secure` when the
/// request came over TLS; none is ever set for a store's host (admin lives on the platform host).
enum WebCookie {
    /// The session token (its SHA-256 is the `sessions` row's key).
    static let session = "sf_session"
    /// An anonymous visitor's CSRF token (double-submit: the form's `_csrf` must equal it).
    static let csrf = "sf_csrf"
    /// One message for the next page.
    static let flash = "sf_flash"

    static func make(_ name: String, value: String, request: Request, maxAge: Int?) -> SetCookie {
        SetCookie(name: name, value: value, path: "/", maxAge: maxAge, secure: request.isSecure,
                  httpOnly: true, sameSite: .lax)
    }

    static func deletion(_ name: String, request: Request) -> SetCookie {
        SetCookie.deletion(name: name, path: "/", secure: request.isSecure)
    }
}

/// Comparing CSRF tokens: constant time, and only well-formed tokens (base64url, bounded).
enum CSRF {
    static func isWellFormed(_ token: String) -> Bool {
        let n = token.utf8.count
        guard n >= 16, n <= 128 else { return false }
        return token.utf8.allSatisfy { b in
            (b >= 0x30 && b <= 0x39) || (b >= 0x41 && b <= 0x5A) || (b >= 0x61 && b <= 0x7A) || b == 0x2D || b == 0x5F
        }
    }

    static func matches(_ sent: String, _ expected: String) -> Bool {
        let a = Array(sent.utf8), b = Array(expected.utf8)
        guard a.count == b.count, !a.isEmpty else { return false }
        var diff: UInt8 = 0
        for i in 0..<a.count { diff |= a[i] ^ b[i] }
        return diff == 0
    }
}

/// `application/x-www-form-urlencoded` encoding of one value (for `?next=` and the flash cookie).
enum FormEncoding {
    static func encode(_ s: String) -> String {
        let hex = Array("0123456789ABCDEF".utf8)
        var out: [UInt8] = []
        for b in s.utf8 {
            switch b {
            case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"),
                 UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "-"), UInt8(ascii: "."),
                 UInt8(ascii: "_"), UInt8(ascii: "~"):
                out.append(b)
            default:
                out += [UInt8(ascii: "%"), hex[Int(b >> 4)], hex[Int(b & 0xf)]]
            }
        }
        return String(decoding: out, as: UTF8.self)
    }

    /// Reverses `encode` (and `+` as space); nil for a malformed escape or invalid UTF-8.
    static func decode(_ s: String) -> String? {
        func hexValue(_ b: UInt8) -> UInt8? {
            switch b {
            case 0x30...0x39: return b - 0x30
            case 0x41...0x46: return b - 0x41 + 10
            case 0x61...0x66: return b - 0x61 + 10
            default: return nil
            }
        }
        let bytes = Array(s.utf8)
        var out: [UInt8] = []
        var i = 0
        while i < bytes.count {
            let b = bytes[i]
            if b == UInt8(ascii: "%") {
                guard i + 2 < bytes.count, let hi = hexValue(bytes[i + 1]), let lo = hexValue(bytes[i + 2]) else { return nil }
                out.append(hi << 4 | lo)
                i += 3
            } else {
                out.append(b == UInt8(ascii: "+") ? 0x20 : b)
                i += 1
            }
        }
        return String(validating: out, as: UTF8.self)
    }
}
