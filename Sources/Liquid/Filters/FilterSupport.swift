/// Conversions the standard filters share, following Ruby Liquid's `Utils` and `InputIterator`.
enum FilterSupport {
    static func fail(_ message: String) -> LiquidError {
        LiquidError(kind: .render, message: message)
    }

    /// `Utils.to_number`: ints stay ints, decimal strings become doubles, anything else 0.
    static func number(_ v: Value) -> Value {
        switch v {
        case .int, .double: return v
        case .string(let s), .safe(let s):
            let t = s.trimmingSpaces
            if let i = Int(t) { return .int(i) }
            if isDecimal(t), let d = Double(t) { return .double(d) }
            return .int(leadingInteger(t))
        default: return .int(0)
        }
    }

    static func isDecimal(_ s: Substring) -> Bool {
        var u = Array(s.utf8)[...]
        if u.first == UInt8(ascii: "-") { u = u.dropFirst() }
        guard let dot = u.firstIndex(of: UInt8(ascii: ".")), dot > u.startIndex, dot < u.endIndex - 1 else { return false }
        return u.allSatisfy { ($0 >= 48 && $0 <= 57) || $0 == UInt8(ascii: ".") } && u.filter({ $0 == UInt8(ascii: ".") }).count == 1
    }

    /// Ruby's `String#to_i`: the leading integer, or 0.
    static func leadingInteger(_ s: Substring) -> Int {
        var digits = ""
        for (i, c) in s.enumerated() {
            if c.isASCII, c.isNumber { digits.append(c) } else if i == 0 && c == "-" { digits.append(c) } else { break }
        }
        return Int(digits) ?? 0
    }

    /// `Utils.to_integer`: integers and integer strings only; anything else is an error.
    static func strictInteger(_ v: Value, _ what: String) throws -> Int {
        switch v {
        case .int(let i): return i
        case .string(let s), .safe(let s):
            if let i = Int(s.trimmingSpaces) { return i }
        default: break
        }
        throw fail("\(what) must be an integer, got \(v.typeName)")
    }

    /// `InputIterator`: arrays (flattened), a hash as one item, nil as nothing, others as one item.
    static func items(_ v: Value) -> [Value] {
        switch v {
        case .array(let a):
            if a.contains(where: { if case .array = $0 { return true } else { return false } }) {
                var out: [Value] = []
                flatten(a, into: &out)
                return out
            }
            return a
        case .nil: return []
        default: return [v]
        }
    }

    static func flatten(_ a: [Value], into out: inout [Value]) {
        for v in a {
            if case .array(let inner) = v { flatten(inner, into: &out) } else { out.append(v) }
        }
    }

    enum Property { case value(Value), noMethod }

    /// Ruby's `item[property]` as the array filters use it.
    static func property(_ item: Value, _ prop: Value) throws -> Property {
        switch item {
        case .dictionary(let d):
            guard prop.isString else { return .value(.nil) }
            return .value(d[prop.stringValue] ?? .nil)
        case .drop(let d):
            return .value(d.liquidValue(forKey: prop.stringValue) ?? .nil)
        case .string(let s), .safe(let s):
            switch prop {
            case .string(let p), .safe(let p): return .value(ByteSearch.contains(s, p) ? .string(p) : .nil)
            case .int(let i):
                let chars = Array(s)
                let j = i < 0 ? chars.count + i : i
                return .value(j >= 0 && j < chars.count ? .string(String(chars[j])) : .nil)
            case .nil: return .noMethod
            default: throw fail("cannot read property \(prop.outputString) of a string")
            }
        case .nil, .bool: return .noMethod
        case .int(let i):
            // Ruby's Integer#[]: the bit at that position.
            if case .int(let bit) = prop { return .value(.int(bit >= 0 && bit < 64 ? (i >> bit) & 1 : (i < 0 ? 1 : 0))) }
            throw fail("cannot read property '\(prop.outputString)' of \(item.typeName)")
        default:
            throw fail("cannot read property '\(prop.outputString)' of \(item.typeName)")
        }
    }

    /// Number of decimal places in the shortest representation of `d`.
    static func decimalPlaces(_ d: Double) -> Int {
        let s = "\(d)"
        if s.contains("e") { return 15 }
        guard let dot = s.firstIndex(of: ".") else { return 0 }
        let frac = s[s.index(after: dot)...]
        return frac == "0" ? 0 : frac.count
    }

    static func roundTo(_ d: Double, _ places: Int) -> Double {
        guard places < 15 else { return d }
        var p = 1.0
        for _ in 0..<places { p *= 10 }
        let r = (d * p).rounded() / p
        return r
    }
}
