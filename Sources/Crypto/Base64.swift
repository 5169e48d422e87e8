/// Base64 without Foundation: the URL-safe alphabet without padding for tokens and sealed
/// values, the standard one for key files. Decoding accepts either alphabet, padded or not.
public enum Base64URL {
    /// `A-Z a-z 0-9 - _`, no `=` padding.
    public static func encode(_ bytes: [UInt8]) -> String {
        Base64Codec.encode(bytes, alphabet: Base64Codec.urlAlphabet, pad: false)
    }

    /// Decodes URL-safe or standard base64, with or without padding; nil when malformed.
    public static func decode(_ text: String) -> [UInt8]? {
        Base64Codec.decode(text)
    }
}

/// Standard base64 (`+ /`, padded), as `openssl rand -base64 32` prints it.
public enum Base64 {
    public static func encode(_ bytes: [UInt8]) -> String {
        Base64Codec.encode(bytes, alphabet: Base64Codec.standardAlphabet, pad: true)
    }

    public static func decode(_ text: String) -> [UInt8]? {
        Base64Codec.decode(text)
    }
}

enum Base64Codec {
    static let standardAlphabet = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/".utf8)
    static let urlAlphabet = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_".utf8)

    static func encode(_ bytes: [UInt8], alphabet: [UInt8], pad: Bool) -> String {
        var out: [UInt8] = []
        out.reserveCapacity((bytes.count + 2) / 3 * 4)
        var i = 0
        while i + 3 <= bytes.count {
            let v = UInt32(bytes[i]) << 16 | UInt32(bytes[i + 1]) << 8 | UInt32(bytes[i + 2])
            out.append(alphabet[Int(v >> 18 & 63)])
            out.append(alphabet[Int(v >> 12 & 63)])
            out.append(alphabet[Int(v >> 6 & 63)])
            out.append(alphabet[Int(v & 63)])
            i += 3
        }
        let rest = bytes.count - i
        if rest > 0 {
            var v = UInt32(bytes[i]) << 16
            if rest == 2 { v |= UInt32(bytes[i + 1]) << 8 }
            out.append(alphabet[Int(v >> 18 & 63)])
            out.append(alphabet[Int(v >> 12 & 63)])
            if rest == 2 { out.append(alphabet[Int(v >> 6 & 63)]) }
            if pad { out += rest == 1 ? [61, 61] : [61] }
        }
        return String(decoding: out, as: UTF8.self)
    }

    static func value(_ c: UInt8) -> UInt32? {
        switch c {
        case 65...90: return UInt32(c - 65)
        case 97...122: return UInt32(c - 71)
        case 48...57: return UInt32(c + 4)
        case 43, 45: return 62     // + or -
        case 47, 95: return 63     // / or _
        default: return nil
        }
    }

    static func decode(_ text: String) -> [UInt8]? {
        var chars = Array(text.utf8)
        while chars.last == 61 { chars.removeLast() }   // '='
        if chars.count % 4 == 1 { return nil }
        var out: [UInt8] = []
        out.reserveCapacity(chars.count * 3 / 4)
        var acc: UInt32 = 0
        var bits = 0
        for c in chars {
            guard let v = value(c) else { return nil }
            acc = acc << 6 | v
            bits += 6
            if bits >= 8 {
                bits -= 8
                out.append(UInt8(acc >> UInt32(bits) & 0xFF))
            }
        }
        // Leftover bits must be zero, so each byte string has exactly one encoding.
        if bits > 0, acc & ((1 << UInt32(bits)) - 1) != 0 { return nil }
        return out
    }
}
