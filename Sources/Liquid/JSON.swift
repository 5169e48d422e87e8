/// JSON in and out of `Value`, without Foundation: the `json` filter, the CLI and the tests use it.
extension Value {
    /// Parses JSON text. Object keys keep their values; numbers without a fraction or exponent
    /// become `.int`.
    public init(json text: String) throws(LiquidError) {
        var parser = JSONParser(bytes: Array(text.utf8))
        self = try parser.parseDocument()
    }

    /// Compact JSON, keys sorted (the `json` filter).
    public var jsonString: String {
        var out = ""
        writeJSON(into: &out, escapingHTML: false)
        return out
    }

    /// JSON with `<`, `>`, `&` and `'` written as `\u00XX`, so that it cannot close a `<script>`
    /// element: what the `json` filter prints (`{{ x | json | html_safe }}` inside `<script>`).
    public var htmlSafeJSONString: String {
        var out = ""
        writeJSON(into: &out, escapingHTML: true)
        return out
    }

    func writeJSON(into out: inout String, escapingHTML: Bool) {
        switch self {
        case .nil: out += "null"
        case .bool(let b): out += b ? "true" : "false"
        case .int(let i): out += String(i)
        case .double(let d): out += d.isFinite ? "\(d)" : "null"
        case .string(let s), .safe(let s): Value.writeJSONString(s, into: &out, escapingHTML: escapingHTML)
        case .array(let a):
            out += "["
            for (i, v) in a.enumerated() {
                if i > 0 { out += "," }
                v.writeJSON(into: &out, escapingHTML: escapingHTML)
            }
            out += "]"
        case .dictionary(let d):
            out += "{"
            for (i, k) in d.keys.sorted().enumerated() {
                if i > 0 { out += "," }
                Value.writeJSONString(k, into: &out, escapingHTML: escapingHTML)
                out += ":"
                d[k]!.writeJSON(into: &out, escapingHTML: escapingHTML)
            }
            out += "}"
        case .drop(let d): Value.writeJSONString(d.liquidDescription, into: &out, escapingHTML: escapingHTML)
        }
    }

    static func writeJSONString(_ s: String, into out: inout String, escapingHTML: Bool = false) {
        out += "\""
        for u in s.unicodeScalars {
            switch u {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\r": out += "\\r"
            case "\t": out += "\\t"
            case "<" where escapingHTML: out += "\\u003c"
            case ">" where escapingHTML: out += "\\u003e"
            case "&" where escapingHTML: out += "\\u0026"
            case "'" where escapingHTML: out += "\\u0027"
            default:
                if u.value < 0x20 {
                    let hex = String(u.value, radix: 16)
                    out += "\\u" + String(repeating: "0", count: 4 - hex.count) + hex
                } else {
                    out.unicodeScalars.append(u)
                }
            }
        }
        out += "\""
    }
}

struct JSONParser {
    let bytes: [UInt8]
    var i = 0
    var depth = 0

    init(bytes: [UInt8]) { self.bytes = bytes }

    func fail(_ message: String) -> LiquidError {
        LiquidError(kind: .syntax, message: "invalid JSON: \(message) at byte \(i)")
    }

    mutating func parseDocument() throws(LiquidError) -> Value {
        let v = try parseValue()
        skipSpace()
        if i != bytes.count { throw fail("trailing characters") }
        return v
    }

    mutating func skipSpace() {
        while i < bytes.count, bytes[i] == 32 || bytes[i] == 9 || bytes[i] == 10 || bytes[i] == 13 { i += 1 }
    }

    mutating func parseValue() throws(LiquidError) -> Value {
        skipSpace()
        guard i < bytes.count else { throw fail("unexpected end") }
        switch bytes[i] {
        case UInt8(ascii: "{"):
            depth += 1
            if depth > 512 { throw fail("nesting too deep") }
            i += 1
            var d: [String: Value] = [:]
            skipSpace()
            if i < bytes.count, bytes[i] == UInt8(ascii: "}") { i += 1; depth -= 1; return .dictionary(d) }
            while true {
                skipSpace()
                guard i < bytes.count, bytes[i] == UInt8(ascii: "\"") else { throw fail("expected key") }
                let k = try parseString()
                skipSpace()
                guard i < bytes.count, bytes[i] == UInt8(ascii: ":") else { throw fail("expected ':'") }
                i += 1
                d[k] = try parseValue()
                skipSpace()
                guard i < bytes.count else { throw fail("unexpected end") }
                if bytes[i] == UInt8(ascii: ",") { i += 1; continue }
                if bytes[i] == UInt8(ascii: "}") { i += 1; break }
                throw fail("expected ',' or '}'")
            }
            depth -= 1
            return .dictionary(d)
        case UInt8(ascii: "["):
            depth += 1
            if depth > 512 { throw fail("nesting too deep") }
            i += 1
            var a: [Value] = []
            skipSpace()
            if i < bytes.count, bytes[i] == UInt8(ascii: "]") { i += 1; depth -= 1; return .array(a) }
            while true {
                a.append(try parseValue())
                skipSpace()
                guard i < bytes.count else { throw fail("unexpected end") }
                if bytes[i] == UInt8(ascii: ",") { i += 1; continue }
                if bytes[i] == UInt8(ascii: "]") { i += 1; break }
                throw fail("expected ',' or ']'")
            }
            depth -= 1
            return .array(a)
        case UInt8(ascii: "\""):
            return .string(try parseString())
        case UInt8(ascii: "t"): try literal("true"); return .bool(true)
        case UInt8(ascii: "f"): try literal("false"); return .bool(false)
        case UInt8(ascii: "n"): try literal("null"); return .nil
        default:
            return try parseNumber()
        }
    }

    mutating func literal(_ word: String) throws(LiquidError) {
        for b in word.utf8 {
            guard i < bytes.count, bytes[i] == b else { throw fail("bad literal") }
            i += 1
        }
    }

    mutating func parseNumber() throws(LiquidError) -> Value {
        let start = i
        var isFloat = false
        if i < bytes.count, bytes[i] == UInt8(ascii: "-") { i += 1 }
        while i < bytes.count {
            let c = bytes[i]
            if c >= 48 && c <= 57 { i += 1 } else if c == UInt8(ascii: ".") || c == UInt8(ascii: "e") || c == UInt8(ascii: "E") || c == UInt8(ascii: "+") || (c == UInt8(ascii: "-") && isFloat) {
                isFloat = true; i += 1
            } else { break }
        }
        let text = String(decoding: bytes[start..<i], as: UTF8.self)
        if !isFloat, let n = Int(text) { return .int(n) }
        if let d = Double(text) { return .double(d) }
        throw fail("bad number")
    }

    mutating func parseString() throws(LiquidError) -> String {
        i += 1
        var buf: [UInt8] = []
        while i < bytes.count {
            let c = bytes[i]
            if c == UInt8(ascii: "\"") { i += 1; return String(decoding: buf, as: UTF8.self) }
            if c == UInt8(ascii: "\\") {
                i += 1
                guard i < bytes.count else { break }
                let e = bytes[i]
                i += 1
                switch e {
                case UInt8(ascii: "n"): buf.append(10)
                case UInt8(ascii: "t"): buf.append(9)
                case UInt8(ascii: "r"): buf.append(13)
                case UInt8(ascii: "b"): buf.append(8)
                case UInt8(ascii: "f"): buf.append(12)
                case UInt8(ascii: "u"):
                    var code = try hex4()
                    // A high surrogate pairs only with a low one that follows as `\uDC00`–`\uDFFF`.
                    // Unpaired, it becomes U+FFFD and the next escape is read on its own.
                    if (0xD800..<0xDC00).contains(code), i + 1 < bytes.count,
                       bytes[i] == UInt8(ascii: "\\"), bytes[i + 1] == UInt8(ascii: "u") {
                        let afterHigh = i
                        i += 2
                        let low = try hex4()
                        if (0xDC00..<0xE000).contains(low) {
                            code = 0x10000 + ((code - 0xD800) << 10) + (low - 0xDC00)
                        } else {
                            i = afterHigh
                        }
                    }
                    let scalar = Unicode.Scalar(code) ?? "\u{FFFD}"
                    buf.append(contentsOf: Array(String(Character(scalar)).utf8))
                default: buf.append(e)
                }
            } else {
                buf.append(c)
                i += 1
            }
        }
        throw fail("unterminated string")
    }

    mutating func hex4() throws(LiquidError) -> UInt32 {
        guard i + 4 <= bytes.count else { throw fail("bad escape") }
        var v: UInt32 = 0
        for _ in 0..<4 {
            let c = bytes[i]
            i += 1
            let d: UInt32
            switch c {
            case 48...57: d = UInt32(c - 48)
            case 65...70: d = UInt32(c - 55)
            case 97...102: d = UInt32(c - 87)
            default: throw fail("bad escape")
            }
            v = v * 16 + d
        }
        return v
    }
}
