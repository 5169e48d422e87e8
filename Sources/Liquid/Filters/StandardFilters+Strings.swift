/// String filters. Inputs are converted with `stringValue` (nil → ""); results are plain strings,
/// so autoescape still escapes them, except the escaping filters themselves, which return safe
/// strings so that nothing is escaped twice.
extension Environment {
    static let stringFilters: [String: FilterDefinition] = [
        "append": FilterDefinition(1, 1) { input, args, _, _ in .string(input.stringValue + args[0].stringValue) },
        "prepend": FilterDefinition(1, 1) { input, args, _, _ in .string(args[0].stringValue + input.stringValue) },
        "downcase": FilterDefinition(0, 0) { input, _, _, _ in .string(asciiCase(input.stringValue, upper: false)) },
        "upcase": FilterDefinition(0, 0) { input, _, _, _ in .string(asciiCase(input.stringValue, upper: true)) },
        "capitalize": FilterDefinition(0, 0) { input, _, _, _ in
            let s = input.stringValue
            guard let f = s.first else { return .string("") }
            return .string(f.uppercased() + s.dropFirst().lowercased())
        },
        "strip": FilterDefinition(0, 0) { input, _, _, _ in .string(String(input.stringValue.trimmingSpaces)) },
        "lstrip": FilterDefinition(0, 0) { input, _, _, _ in
            let s = input.stringValue
            let u = s.utf8
            var i = u.startIndex
            while i < u.endIndex, Lexer.isSpace(u[i]) { i = u.index(after: i) }
            return .string(String(s[i...]))
        },
        "rstrip": FilterDefinition(0, 0) { input, _, _, _ in
            let s = input.stringValue
            let u = s.utf8
            var e = u.endIndex
            while e > u.startIndex, Lexer.isSpace(u[u.index(before: e)]) { e = u.index(before: e) }
            return .string(String(s[..<e]))
        },
        "strip_newlines": FilterDefinition(0, 0) { input, _, _, _ in
            .string(String(input.stringValue.unicodeScalars.filter { $0 != "\n" && $0 != "\r" }.map(Character.init)))
        },
        "newline_to_br": FilterDefinition(0, 0) { input, _, _, ctx in
            var out = ""
            for c in input.stringValue {
                if c == "\n" || c == "\r\n" { out += "<br />\n" } else { out.append(c) }
            }
            return .string(out)
        },
        "escape": FilterDefinition(0, 0) { input, _, _, _ in
            if input.isNil { return .nil }
            return .safe(htmlEscape(input.stringValue))
        },
        "h": FilterDefinition(0, 0) { input, _, _, _ in
            if input.isNil { return .nil }
            return .safe(htmlEscape(input.stringValue))
        },
        "escape_once": FilterDefinition(0, 0) { input, _, _, _ in
            if input.isNil { return .nil }
            return .safe(escapeOnce(input.stringValue))
        },
        "html_safe": FilterDefinition(0, 0) { input, _, _, _ in .safe(input.stringValue) },
        "strip_html": FilterDefinition(0, 0) { input, _, _, _ in .string(stripHTML(input.stringValue)) },
        "remove": FilterDefinition(1, 1) { input, args, _, _ in
            .string(replaceAll(input.stringValue, args[0].stringValue, ""))
        },
        "remove_first": FilterDefinition(1, 1) { input, args, _, _ in
            .string(replaceFirst(input.stringValue, args[0].stringValue, ""))
        },
        "remove_last": FilterDefinition(1, 1) { input, args, _, _ in
            .string(replaceLast(input.stringValue, args[0].stringValue, ""))
        },
        "replace": FilterDefinition(1, 2) { input, args, _, _ in
            .string(replaceAll(input.stringValue, args[0].stringValue, args.count > 1 ? args[1].stringValue : ""))
        },
        "replace_first": FilterDefinition(1, 2) { input, args, _, _ in
            .string(replaceFirst(input.stringValue, args[0].stringValue, args.count > 1 ? args[1].stringValue : ""))
        },
        "replace_last": FilterDefinition(2, 2) { input, args, _, _ in
            .string(replaceLast(input.stringValue, args[0].stringValue, args.count > 1 ? args[1].stringValue : ""))
        },
        "truncate": FilterDefinition(0, 2) { input, args, _, _ in
            if input.isNil { return .nil }
            let s = input.stringValue
            let length = args.isEmpty ? 50 : try FilterSupport.strictInteger(args[0], "truncate length")
            let ellipsis = args.count > 1 ? args[1].stringValue : "..."
            if s.utf8.count <= length { return .string(s) }
            if s.utf8.allSatisfy({ $0 < 128 }) {
                let keep = length <= 0 ? 0 : max(0, length - ellipsis.count)
                return .string(String(s.utf8.prefix(keep))! + ellipsis)
            }
            let chars = Array(s)
            guard chars.count > length else { return .string(s) }
            let keep = length <= 0 ? 0 : max(0, length - ellipsis.count)
            return .string(String(chars[0..<min(keep, chars.count)]) + ellipsis)
        },
        "truncatewords": FilterDefinition(0, 2) { input, args, _, _ in
            if input.isNil { return .nil }
            let s = input.stringValue
            var words = args.isEmpty ? 15 : try FilterSupport.strictInteger(args[0], "truncatewords count")
            if words <= 0 { words = 1 }
            let ellipsis = args.count > 1 ? args[1].stringValue : "..."
            guard let head = truncateWords(s, words) else { return .string(s) }
            return .string(head + ellipsis)
        },
        "split": FilterDefinition(1, 1) { input, args, _, _ in
            let s = input.stringValue
            let sep = args[0].stringValue
            if s.isEmpty { return .array([]) }
            var parts: [Value]
            if sep == " " {
                parts = wordValues(s)
            } else if sep.isEmpty {
                parts = s.map { .string(String($0)) }
            } else {
                parts = splitExact(s, sep).map { .string($0) }
                while let last = parts.last, case .string(let l) = last, l.isEmpty { parts.removeLast() }
            }
            return .array(parts)
        },
        "size": FilterDefinition(0, 0) { input, _, _, _ in
            switch input {
            case .string(let s), .safe(let s): return .int(s.count)
            case .array(let a): return .int(a.count)
            case .dictionary(let d): return .int(d["size"].map { toInteger($0) } ?? d.count)
            case .drop(let d): return d.liquidValue(forKey: "size") ?? .int(0)
            default: return .int(0)
            }
        },
        "slice": FilterDefinition(1, 2) { input, args, _, _ in
            var offset = try FilterSupport.strictInteger(args[0], "slice offset")
            let length = args.count > 1 && !args[1].isNil ? try FilterSupport.strictInteger(args[1], "slice length") : 1
            if case .array(let a) = input {
                if offset < 0 { offset += a.count }
                guard offset >= 0, offset < a.count, length > 0 else { return .array([]) }
                return .array(Array(a[offset..<offset + min(a.count - offset, length)]))
            }
            guard input.isString else { return .string("") }
            let chars = Array(input.stringValue)
            if offset < 0 { offset += chars.count }
            guard offset >= 0, offset < chars.count, length > 0 else { return .string("") }
            return .string(String(chars[offset..<offset + min(chars.count - offset, length)]))
        },
        "url_encode": FilterDefinition(0, 0) { input, _, _, _ in
            if input.isNil { return .nil }
            return .string(percentEncode(input.stringValue, spaceAsPlus: true))
        },
        "url_decode": FilterDefinition(0, 0) { input, _, _, _ in
            if input.isNil { return .nil }
            return .string(percentDecode(input.stringValue))
        },
        "base64_encode": FilterDefinition(0, 0) { input, _, _, _ in
            .string(Base64.encode(Array(input.stringValue.utf8), urlSafe: false))
        },
        "base64_decode": FilterDefinition(0, 0) { input, _, _, _ in
            guard let bytes = Base64.decode(input.stringValue, urlSafe: false) else { throw FilterSupport.fail("invalid base64") }
            return .string(String(decoding: bytes, as: UTF8.self))
        },
        "base64_url_safe_encode": FilterDefinition(0, 0) { input, _, _, _ in
            .string(Base64.encode(Array(input.stringValue.utf8), urlSafe: true))
        },
        "base64_url_safe_decode": FilterDefinition(0, 0) { input, _, _, _ in
            guard let bytes = Base64.decode(input.stringValue, urlSafe: true) else { throw FilterSupport.fail("invalid base64") }
            return .string(String(decoding: bytes, as: UTF8.self))
        },
    ]

    /// Upper- or lower-cases `s`, with a fast path for ASCII text.
    static func asciiCase(_ s: String, upper: Bool) -> String {
        var s = s
        let ascii = s.withUTF8 { u in u.allSatisfy { $0 < 128 } }
        if !ascii { return upper ? s.uppercased() : s.lowercased() }
        return s.withUTF8 { u in
            String(unsafeUninitializedCapacity: u.count) { buf in
                if upper {
                    for i in 0..<u.count { let b = u[i]; buf[i] = b >= 97 && b <= 122 ? b - 32 : b }
                } else {
                    for i in 0..<u.count { let b = u[i]; buf[i] = b >= 65 && b <= 90 ? b + 32 : b }
                }
                return u.count
            }
        }
    }

    /// Splits on runs of ASCII whitespace, dropping empty words (Ruby's `split(" ")`).
    static func words(_ s: String) -> [String] { mapWords(s) { $0 } }

    /// `words(s)` as string values, without the intermediate array.
    static func wordValues(_ s: String) -> [Value] { mapWords(s) { .string($0) } }

    /// Each whitespace-separated word of `s`, transformed, in one pass over its UTF-8.
    @inline(__always)
    static func mapWords<T>(_ s: String, _ transform: (String) -> T) -> [T] {
        var out: [T] = []
        var s = s
        s.withUTF8 { u in
            var spaces = 0
            for b in u where b == 32 { spaces += 1 }
            out.reserveCapacity(spaces + 1)
            var i = 0
            while i < u.count {
                while i < u.count, Lexer.isSpace(u[i]) { i += 1 }
                guard i < u.count else { break }
                let start = i
                while i < u.count, !Lexer.isSpace(u[i]) { i += 1 }
                out.append(transform(String(decoding: UnsafeBufferPointer(rebasing: u[start..<i]), as: UTF8.self)))
            }
        }
        return out
    }

    /// The first `count` words of `s` joined by single spaces, or nil if it has no more words.
    static func truncateWords(_ s: String, _ count: Int) -> String? {
        var s = s
        return s.withUTF8 { u -> String? in
            var out: [UInt8] = []
            out.reserveCapacity(min(u.count, 256))
            var i = 0
            var n = 0
            while i < u.count {
                while i < u.count, Lexer.isSpace(u[i]) { i += 1 }
                guard i < u.count else { break }
                if n == count { return String(decoding: out, as: UTF8.self) }
                if n > 0 { out.append(32) }
                while i < u.count, !Lexer.isSpace(u[i]) { out.append(u[i]); i += 1 }
                n += 1
            }
            return nil
        }
    }

    static func splitExact(_ s: String, _ sep: String) -> [String] {
        let h = Array(s.utf8), n = Array(sep.utf8)
        var out: [String] = []
        var from = 0
        while let i = ByteSearch.first(n, in: h, from: from) {
            out.append(String(decoding: h[from..<i], as: UTF8.self))
            from = i + n.count
        }
        out.append(String(decoding: h[from...], as: UTF8.self))
        return out
    }

    static func replaceAll(_ s: String, _ target: String, _ replacement: String) -> String {
        if target.isEmpty {
            var out = replacement
            for c in s { out.append(c); out += replacement }
            return out
        }
        return splitExact(s, target).joined(separator: replacement)
    }

    static func replaceFirst(_ s: String, _ target: String, _ replacement: String) -> String {
        if target.isEmpty { return replacement + s }
        let h = Array(s.utf8), n = Array(target.utf8)
        guard let i = ByteSearch.first(n, in: h, from: 0) else { return s }
        return String(decoding: h[..<i], as: UTF8.self) + replacement + String(decoding: h[(i + n.count)...], as: UTF8.self)
    }

    static func replaceLast(_ s: String, _ target: String, _ replacement: String) -> String {
        if target.isEmpty { return s + replacement }
        let h = Array(s.utf8), n = Array(target.utf8)
        guard let i = ByteSearch.last(n, in: h) else { return s }
        return String(decoding: h[..<i], as: UTF8.self) + replacement + String(decoding: h[(i + n.count)...], as: UTF8.self)
    }

    static func escapeOnce(_ s: String) -> String {
        var out = ""
        let chars = Array(s.unicodeScalars)
        var i = 0
        while i < chars.count {
            let c = chars[i]
            if c == "&" {
                // Keep an existing entity: &name; or &#123; or &#x1F;
                var j = i + 1
                while j < chars.count, j - i < 32, chars[j].properties.isAlphabetic || ("0"..."9").contains(chars[j]) || chars[j] == "#" { j += 1 }
                if j < chars.count, chars[j] == ";", j > i + 1 {
                    out.unicodeScalars.append(contentsOf: chars[i...j])
                    i = j + 1
                    continue
                }
                out += "&amp;"
            } else {
                switch c {
                case "<": out += "&lt;"
                case ">": out += "&gt;"
                case "\"": out += "&quot;"
                case "'": out += "&#39;"
                default: out.unicodeScalars.append(c)
                }
            }
            i += 1
        }
        return out
    }

    static func stripHTML(_ s: String) -> String {
        var h = Array(s.utf8)
        for (open, close) in [("<script", "</script>"), ("<style", "</style>"), ("<!--", "-->")] {
            let o = Array(open.utf8), c = Array(close.utf8)
            var out: [UInt8] = []
            var from = 0
            while let i = ByteSearch.first(o, in: h, from: from, caseInsensitive: true) {
                out.append(contentsOf: h[from..<i])
                guard let j = ByteSearch.first(c, in: h, from: i + o.count, caseInsensitive: true) else {
                    from = h.count
                    break
                }
                from = j + c.count
            }
            out.append(contentsOf: h[from...])
            h = out
        }
        var out: [UInt8] = []
        var inTag = false
        for b in h {
            if inTag { if b == UInt8(ascii: ">") { inTag = false } } else if b == UInt8(ascii: "<") { inTag = true } else { out.append(b) }
        }
        return String(decoding: out, as: UTF8.self)
    }

    static func percentEncode(_ s: String, spaceAsPlus: Bool) -> String {
        let hex = Array("0123456789ABCDEF".utf8)
        var out: [UInt8] = []
        for b in s.utf8 {
            switch b {
            case 48...57, 65...90, 97...122, UInt8(ascii: "-"), UInt8(ascii: "_"), UInt8(ascii: "."), UInt8(ascii: "*"):
                out.append(b)
            case 32 where spaceAsPlus: out.append(UInt8(ascii: "+"))
            default:
                out.append(UInt8(ascii: "%"))
                out.append(hex[Int(b >> 4)])
                out.append(hex[Int(b & 15)])
            }
        }
        return String(decoding: out, as: UTF8.self)
    }

    static func percentDecode(_ s: String) -> String {
        var out: [UInt8] = []
        let u = Array(s.utf8)
        var i = 0
        func hexValue(_ c: UInt8) -> UInt8? {
            switch c {
            case 48...57: return c - 48
            case 65...70: return c - 55
            case 97...102: return c - 87
            default: return nil
            }
        }
        while i < u.count {
            if u[i] == UInt8(ascii: "+") { out.append(32); i += 1; continue }
            if u[i] == UInt8(ascii: "%"), i + 2 < u.count, let h = hexValue(u[i + 1]), let l = hexValue(u[i + 2]) {
                out.append(h << 4 | l)
                i += 3
                continue
            }
            out.append(u[i])
            i += 1
        }
        return String(decoding: out, as: UTF8.self)
    }
}

enum Base64 {
    static let alphabet = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/".utf8)
    static let urlAlphabet = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_".utf8)

    static func encode(_ bytes: [UInt8], urlSafe: Bool) -> String {
        let table = urlSafe ? urlAlphabet : alphabet
        var out: [UInt8] = []
        out.reserveCapacity((bytes.count + 2) / 3 * 4)
        var i = 0
        while i < bytes.count {
            let b0 = bytes[i], b1 = i + 1 < bytes.count ? bytes[i + 1] : 0, b2 = i + 2 < bytes.count ? bytes[i + 2] : 0
            out.append(table[Int(b0 >> 2)])
            out.append(table[Int((b0 & 3) << 4 | b1 >> 4)])
            out.append(i + 1 < bytes.count ? table[Int((b1 & 15) << 2 | b2 >> 6)] : UInt8(ascii: "="))
            out.append(i + 2 < bytes.count ? table[Int(b2 & 63)] : UInt8(ascii: "="))
            i += 3
        }
        return String(decoding: out, as: UTF8.self)
    }

    static func decode(_ s: String, urlSafe: Bool) -> [UInt8]? {
        var values: [UInt8] = []
        for b in s.utf8 {
            switch b {
            case 65...90: values.append(b - 65)
            case 97...122: values.append(b - 71)
            case 48...57: values.append(b + 4)
            case UInt8(ascii: "+") where !urlSafe, UInt8(ascii: "-") where urlSafe: values.append(62)
            case UInt8(ascii: "/") where !urlSafe, UInt8(ascii: "_") where urlSafe: values.append(63)
            case UInt8(ascii: "="): continue
            default: return nil
            }
        }
        if values.count % 4 == 1 { return nil }
        var out: [UInt8] = []
        var i = 0
        while i < values.count {
            let c0 = values[i], c1 = i + 1 < values.count ? values[i + 1] : 0
            let c2 = i + 2 < values.count ? values[i + 2] : 0, c3 = i + 3 < values.count ? values[i + 3] : 0
            out.append(c0 << 2 | c1 >> 4)
            if i + 2 < values.count { out.append((c1 & 15) << 4 | c2 >> 2) }
            if i + 3 < values.count { out.append((c2 & 3) << 6 | c3) }
            i += 4
        }
        return out
    }
}

enum ByteSearch {
    @inline(__always) static func lower(_ b: UInt8) -> UInt8 { b >= 65 && b <= 90 ? b + 32 : b }

    static func first(_ needle: [UInt8], in h: [UInt8], from: Int, caseInsensitive: Bool = false) -> Int? {
        guard !needle.isEmpty, h.count >= needle.count, from <= h.count - needle.count else { return nil }
        var i = from
        let last = h.count - needle.count
        while i <= last {
            var j = 0
            if caseInsensitive {
                while j < needle.count, lower(h[i + j]) == lower(needle[j]) { j += 1 }
            } else {
                while j < needle.count, h[i + j] == needle[j] { j += 1 }
            }
            if j == needle.count { return i }
            i += 1
        }
        return nil
    }

    static func last(_ needle: [UInt8], in h: [UInt8]) -> Int? {
        guard !needle.isEmpty, h.count >= needle.count else { return nil }
        var i = h.count - needle.count
        while i >= 0 {
            var j = 0
            while j < needle.count, h[i + j] == needle[j] { j += 1 }
            if j == needle.count { return i }
            i -= 1
        }
        return nil
    }

    static func contains(_ h: String, _ n: String) -> Bool {
        n.isEmpty || first(Array(n.utf8), in: Array(h.utf8), from: 0) != nil
    }
}
