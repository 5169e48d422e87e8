import COpenSSL

/// SHA-256 (OpenSSL `EVP_Digest`).
public enum SHA256Digest {
    public static func hash(_ bytes: [UInt8]) -> [UInt8] {
        var out = [UInt8](repeating: 0, count: 32)
        var length: UInt32 = 0
        let ok = withNonNullBytes(bytes) { input, count in
            EVP_Digest(input, count, &out, &length, EVP_sha256(), nil)
        }
        precondition(ok == 1 && length == 32, "EVP_Digest(SHA-256) failed")
        return out
    }

    public static func hash(_ text: String) -> [UInt8] { hash(Array(text.utf8)) }

    /// Lower-case hex of the digest, e.g. for storing a session token's hash.
    public static func hexHash(_ text: String) -> String { Hex.encode(hash(text)) }
}

/// HMAC-SHA256 (OpenSSL one-shot `HMAC`).
public enum HMACSHA256 {
    public static func mac(key: [UInt8], message: [UInt8]) -> [UInt8] {
        var out = [UInt8](repeating: 0, count: 32)
        var length: UInt32 = 0
        let result = withNonNullBytes(key) { k, keyCount in
            withNonNullBytes(message) { m, messageCount in
                HMAC(EVP_sha256(), k, Int32(keyCount), m, messageCount, &out, &length)
            }
        }
        precondition(result != nil && length == 32, "HMAC(SHA-256) failed")
        return out
    }

    /// Checks a MAC in constant time.
    public static func verify(_ mac: [UInt8], key: [UInt8], message: [UInt8]) -> Bool {
        constantTimeEqual(mac, self.mac(key: key, message: message))
    }
}

/// Equal length and equal bytes, taking the same time whichever byte differs (`CRYPTO_memcmp`).
/// Different lengths return false at once; lengths are not secret here.
public func constantTimeEqual(_ a: [UInt8], _ b: [UInt8]) -> Bool {
    guard a.count == b.count else { return false }
    if a.isEmpty { return true }
    return a.withUnsafeBytes { x in
        b.withUnsafeBytes { y in CRYPTO_memcmp(x.baseAddress, y.baseAddress, x.count) == 0 }
    }
}

/// Lower-case hexadecimal.
public enum Hex {
    public static func encode(_ bytes: [UInt8]) -> String {
        let digits = Array("0123456789abcdef".utf8)
        var out: [UInt8] = []
        out.reserveCapacity(bytes.count * 2)
        for b in bytes {
            out.append(digits[Int(b >> 4)])
            out.append(digits[Int(b & 15)])
        }
        return String(decoding: out, as: UTF8.self)
    }

    public static func decode(_ text: String) -> [UInt8]? {
        let chars = Array(text.utf8)
        guard chars.count % 2 == 0 else { return nil }
        var out: [UInt8] = []
        out.reserveCapacity(chars.count / 2)
        var i = 0
        while i < chars.count {
            guard let hi = nibble(chars[i]), let lo = nibble(chars[i + 1]) else { return nil }
            out.append(hi << 4 | lo)
            i += 2
        }
        return out
    }

    private static func nibble(_ c: UInt8) -> UInt8? {
        switch c {
        case 48...57: return c - 48
        case 97...102: return c - 87
        case 65...70: return c - 55
        default: return nil
        }
    }
}

/// Calls `body` with a pointer that is never NULL (OpenSSL rejects NULL even for zero lengths).
func withNonNullBytes<R>(_ bytes: [UInt8], _ body: (UnsafePointer<UInt8>, Int) -> R) -> R {
    if bytes.isEmpty {
        let zero: [UInt8] = [0]
        return zero.withUnsafeBufferPointer { body($0.baseAddress!, 0) }
    }
    return bytes.withUnsafeBufferPointer { body($0.baseAddress!, $0.count) }
}
