#if canImport(Glibc)
import Glibc
#endif

/// Percent-decoding for URLs and `application/x-www-form-urlencoded`, with UTF-8 validation.
enum PercentDecoding {
    /// Decodes `%XX` (and `+` as space when `plusAsSpace`). Throws 400 on a bad escape or
    /// invalid UTF-8, 413 when the decoded text passes `maxBytes`.
    static func decode(_ s: Substring.UTF8View, plusAsSpace: Bool, maxBytes: Int) throws(HTTPError) -> String {
        var needsWork = false
        for b in s where b == UInt8(ascii: "%") || (plusAsSpace && b == UInt8(ascii: "+")) || b >= 0x80 {
            needsWork = true
            break
        }
        if !needsWork {
            guard s.count <= maxBytes else { throw .tooLarge("A field in the request is too large.") }
            return String(Substring(s))
        }
        var out: [UInt8] = []
        out.reserveCapacity(s.count)
        var i = s.startIndex
        while i != s.endIndex {
            let b = s[i]
            if b == UInt8(ascii: "%") {
                let h1 = s.index(after: i)
                guard h1 != s.endIndex else { throw .badRequest("The request has a malformed percent escape.") }
                let h2 = s.index(after: h1)
                guard h2 != s.endIndex, let hi = hexValue(s[h1]), let lo = hexValue(s[h2]) else {
                    throw .badRequest("The request has a malformed percent escape.")
                }
                out.append(hi << 4 | lo)
                i = s.index(after: h2)
                continue
            }
            out.append(plusAsSpace && b == UInt8(ascii: "+") ? UInt8(ascii: " ") : b)
            i = s.index(after: i)
        }
        guard out.count <= maxBytes else { throw .tooLarge("A field in the request is too large.") }
        return try validUTF8(out)
    }

    static func decode(_ s: Substring, plusAsSpace: Bool, maxBytes: Int) throws(HTTPError) -> String {
        try decode(s.utf8, plusAsSpace: plusAsSpace, maxBytes: maxBytes)
    }

    @inline(__always)
    static func hexValue(_ b: UInt8) -> UInt8? {
        switch b {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): return b - UInt8(ascii: "0")
        case UInt8(ascii: "a")...UInt8(ascii: "f"): return b - UInt8(ascii: "a") + 10
        case UInt8(ascii: "A")...UInt8(ascii: "F"): return b - UInt8(ascii: "A") + 10
        default: return nil
        }
    }
}

/// The bytes as a String, or 400 if they are not valid UTF-8 (or contain NUL).
func validUTF8<C: Collection>(_ bytes: C) throws(HTTPError) -> String where C.Element == UInt8 {
    let fast: String?? = bytes.withContiguousStorageIfAvailable { buf in
        guard buf.isEmpty || memchr(buf.baseAddress!, 0, buf.count) == nil else { return nil }
        return String(validating: buf, as: UTF8.self)
    }
    if let fast {
        guard let s = fast else { throw .invalidUTF8 }
        return s
    }
    guard let s = String(validating: bytes, as: UTF8.self), !bytes.contains(0) else { throw .invalidUTF8 }
    return s
}
