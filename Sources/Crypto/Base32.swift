/// Base32 of RFC 4648 (alphabet `A–Z 2–7`), as authenticator apps expect TOTP secrets.
public enum Base32 {
    private static let alphabet = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZ234567".utf8)

    /// Upper-case Base32; `padding` appends `=` to a multiple of 8 characters (RFC 4648 §6).
    /// Authenticator URIs use it without padding.
    public static func encode(_ bytes: [UInt8], padding: Bool = true) -> String {
        var out: [UInt8] = []
        out.reserveCapacity((bytes.count + 4) / 5 * 8)
        var buffer: UInt32 = 0
        var bits = 0
        for byte in bytes {
            buffer = (buffer << 8) | UInt32(byte)
            bits += 8
            while bits >= 5 {
                out.append(alphabet[Int((buffer >> UInt32(bits - 5)) & 31)])
                bits -= 5
            }
        }
        if bits > 0 { out.append(alphabet[Int((buffer << UInt32(5 - bits)) & 31)]) }
        if padding { while out.count % 8 != 0 { out.append(UInt8(ascii: "=")) } }
        return String(decoding: out, as: UTF8.self)
    }

    /// Decodes either case; spaces, hyphens and trailing `=` are ignored (people type secrets
    /// in groups). Nil for any other character or for leftover bits that are not zero.
    public static func decode(_ text: String) -> [UInt8]? {
        var out: [UInt8] = []
        var buffer: UInt32 = 0
        var bits = 0
        var seenPadding = false
        for c in text.utf8 {
            if c == UInt8(ascii: " ") || c == UInt8(ascii: "-") { continue }
            if c == UInt8(ascii: "=") { seenPadding = true; continue }
            guard !seenPadding, let v = value(c) else { return nil }
            buffer = (buffer << 5) | v
            bits += 5
            if bits >= 8 {
                out.append(UInt8((buffer >> UInt32(bits - 8)) & 0xFF))
                bits -= 8
            }
            buffer &= (1 << UInt32(bits)) - 1
        }
        // At most 4 bits may be left over, and they must be zero (a canonical encoding).
        guard bits < 5, buffer == 0 else { return nil }
        return out
    }

    private static func value(_ c: UInt8) -> UInt32? {
        switch c {
        case UInt8(ascii: "A")...UInt8(ascii: "Z"): return UInt32(c - UInt8(ascii: "A"))
        case UInt8(ascii: "a")...UInt8(ascii: "z"): return UInt32(c - UInt8(ascii: "a"))
        case UInt8(ascii: "2")...UInt8(ascii: "7"): return UInt32(c - UInt8(ascii: "2") + 26)
        default: return nil
        }
    }
}
