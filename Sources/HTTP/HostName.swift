/// The Host header, normalised for routing.
public enum HostName {
    /// Lower-cases, strips a port and one trailing dot. Returns nil for anything malformed:
    /// empty, bad characters (including non-ASCII: browsers send punycode), empty or over-long
    /// labels, labels starting or ending with `-`, a bad port. IPv6 literals keep their brackets.
    public static func normalize(_ raw: String) -> String? {
        var bytes = Array(raw.utf8)
        guard !bytes.isEmpty, bytes.count <= 260 else { return nil }
        if bytes[0] == UInt8(ascii: "[") { return normalizeIPv6(bytes) }
        if let colon = bytes.lastIndex(of: UInt8(ascii: ":")) {
            guard isValidPort(bytes[(colon + 1)...]) else { return nil }
            bytes.removeSubrange(colon...)
        }
        if bytes.last == UInt8(ascii: ".") { bytes.removeLast() }
        guard !bytes.isEmpty, bytes.count <= 253 else { return nil }
        var labelLength = 0
        var previous: UInt8 = UInt8(ascii: ".")
        for i in bytes.indices {
            let b = asciiLower(bytes[i])
            bytes[i] = b
            switch b {
            case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "0")...UInt8(ascii: "9"):
                labelLength += 1
            case UInt8(ascii: "-"):
                if previous == UInt8(ascii: ".") { return nil }
                labelLength += 1
            case UInt8(ascii: "."):
                if labelLength == 0 || previous == UInt8(ascii: "-") { return nil }
                labelLength = 0
            default:
                return nil
            }
            if labelLength > 63 { return nil }
            previous = b
        }
        // Only one trailing dot is stripped: "example.com.." keeps an empty label.
        if previous == UInt8(ascii: "-") || previous == UInt8(ascii: ".") { return nil }
        return String(decoding: bytes, as: UTF8.self)
    }

    private static func normalizeIPv6(_ bytes: [UInt8]) -> String? {
        guard let close = bytes.firstIndex(of: UInt8(ascii: "]")), close > 2 else { return nil }
        let rest = bytes[(close + 1)...]
        if !rest.isEmpty {
            guard rest.first == UInt8(ascii: ":"), isValidPort(rest.dropFirst()) else { return nil }
        }
        var inner: [UInt8] = []
        for b in bytes[1..<close] {
            let l = asciiLower(b)
            switch l {
            case UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "a")...UInt8(ascii: "f"),
                 UInt8(ascii: ":"), UInt8(ascii: "."):
                inner.append(l)
            default:
                return nil
            }
        }
        guard inner.contains(UInt8(ascii: ":")) else { return nil }
        return "[" + String(decoding: inner, as: UTF8.self) + "]"
    }

    private static func isValidPort(_ digits: ArraySlice<UInt8>) -> Bool {
        guard !digits.isEmpty, digits.count <= 5 else { return false }
        var n = 0
        for d in digits {
            guard d >= UInt8(ascii: "0"), d <= UInt8(ascii: "9") else { return false }
            n = n * 10 + Int(d - UInt8(ascii: "0"))
        }
        return n >= 1 && n <= 65535
    }
}
