/// A value a template can see: the data given to a render, literals, and what filters return.
///
/// Dictionaries are unordered Swift dictionaries; where Liquid iterates an object (`for`, `first`,
/// filters over hashes) keys are visited in sorted order, so output is deterministic.
public enum Value: @unchecked Sendable {  // drops are read, never mutated, by a render
    case `nil`
    case bool(Bool)
    case int(Int)
    case double(Double)
    case string(String)
    case array([Value])
    case dictionary([String: Value])
    /// Trusted markup: output as-is even with autoescape on (produced by `html_safe` and by
    /// filters that build HTML, such as `link_to` and `default_pagination`).
    case safe(String)
    /// A view model resolved lazily, key by key, at render time.
    case drop(any LiquidDrop)
}

/// A view model exposed to templates. Keys are looked up only when a template asks for them.
public protocol LiquidDrop: AnyObject {
    /// The value for `key`, or nil when the drop has no such key (renders as nothing).
    func liquidValue(forKey key: String) -> Value?
    /// What `{{ drop }}` prints; an empty string by default.
    var liquidDescription: String { get }
}

extension LiquidDrop {
    public var liquidDescription: String { "" }
}

extension Value: ExpressibleByNilLiteral, ExpressibleByBooleanLiteral, ExpressibleByIntegerLiteral,
    ExpressibleByFloatLiteral, ExpressibleByStringLiteral, ExpressibleByArrayLiteral,
    ExpressibleByDictionaryLiteral
{
    public init(nilLiteral: ()) { self = .nil }
    public init(booleanLiteral value: Bool) { self = .bool(value) }
    public init(integerLiteral value: Int) { self = .int(value) }
    public init(floatLiteral value: Double) { self = .double(value) }
    public init(stringLiteral value: String) { self = .string(value) }
    public init(arrayLiteral elements: Value...) { self = .array(elements) }
    public init(dictionaryLiteral elements: (String, Value)...) {
        var d: [String: Value] = [:]
        d.reserveCapacity(elements.count)
        for (k, v) in elements { d[k] = v }
        self = .dictionary(d)
    }
}

extension Value {
    /// Liquid truthiness: only `nil` and `false` are false.
    @inlinable public var isTruthy: Bool {
        switch self {
        case .nil: return false
        case .bool(let b): return b
        default: return true
        }
    }

    public var isNil: Bool { if case .nil = self { return true } else { return false } }

    /// The text `{{ value }}` prints (before any escaping).
    public var outputString: String {
        switch self {
        case .nil: return ""
        case .bool(let b): return b ? "true" : "false"
        case .int(let i): return String(i)
        case .double(let d): return Value.formatDouble(d)
        case .string(let s), .safe(let s): return s
        case .array(let a):
            var out = ""
            for v in a { out += v.outputString }
            return out
        case .dictionary: return inspect
        case .drop(let d): return d.liquidDescription
        }
    }

    /// A Ruby-like rendering used when a hash is printed.
    var inspect: String {
        switch self {
        case .nil: return "nil"
        case .string(let s), .safe(let s): return "\"" + s + "\""
        case .array(let a): return "[" + a.map(\.inspect).joined(separator: ", ") + "]"
        case .dictionary(let d):
            return "{" + d.keys.sorted().map { "\"\($0)\"=>" + d[$0]!.inspect }.joined(separator: ", ") + "}"
        default: return outputString
        }
    }

    static func formatDouble(_ d: Double) -> String {
        if d.isNaN { return "NaN" }
        if d.isInfinite { return d < 0 ? "-Infinity" : "Infinity" }
        if d == d.rounded(), abs(d) < 1e16 {
            return String(Int(d)) + ".0"
        }
        return "\(d)"
    }

    /// String view used by string filters: nil becomes "".
    var stringValue: String {
        switch self {
        case .string(let s), .safe(let s): return s
        default: return outputString
        }
    }

    var isString: Bool {
        switch self {
        case .string, .safe: return true
        default: return false
        }
    }

    /// Looks up `key` as Liquid does for `a.key` and `a['key']`.
    func lookup(_ key: String) -> Value? {
        switch self {
        case .dictionary(let d):
            if let v = d[key] { return v }
            switch key {
            case "size": return .int(d.count)
            case "first":
                guard let k = d.keys.min() else { return nil }
                return .array([.string(k), d[k]!])
            default: return nil
            }
        case .array(let a):
            switch key {
            case "size": return .int(a.count)
            case "first": return a.first
            case "last": return a.last
            default: return nil
            }
        case .string(let s), .safe(let s):
            if key == "size" { return .int(s.count) }
            return nil
        case .drop(let d):
            return d.liquidValue(forKey: key)
        default:
            return nil
        }
    }

    /// `a[i]` for arrays (negative counts from the end).
    func lookup(index i: Int) -> Value? {
        switch self {
        case .array(let a):
            let j = i < 0 ? a.count + i : i
            return j >= 0 && j < a.count ? a[j] : nil
        case .dictionary(let d):
            return d[String(i)]
        case .drop(let d):
            return d.liquidValue(forKey: String(i))
        default:
            return nil
        }
    }

    /// The sequence a `for` loop or an array filter walks.
    var iterationElements: [Value] {
        switch self {
        case .array(let a): return a
        case .dictionary(let d):
            return d.keys.sorted().map { .array([.string($0), d[$0]!]) }
        case .nil: return []
        case .string(let s), .safe(let s): return s.isEmpty ? [] : [self]
        default: return [self]
        }
    }

    /// Empty for `== empty`.
    var isEmptyValue: Bool {
        switch self {
        case .string(let s), .safe(let s): return s.isEmpty
        case .array(let a): return a.isEmpty
        case .dictionary(let d): return d.isEmpty
        default: return false
        }
    }

    /// Blank for `== blank` and the `default` filter.
    var isBlankValue: Bool {
        switch self {
        case .nil: return true
        case .bool(let b): return !b
        case .string(let s), .safe(let s):
            return s.utf8.allSatisfy { $0 == 32 || ($0 >= 9 && $0 <= 13) }
        case .array(let a): return a.isEmpty
        case .dictionary(let d): return d.isEmpty
        default: return false
        }
    }

    /// Liquid `==`.
    static func liquidEqual(_ a: Value, _ b: Value) -> Bool {
        switch (a, b) {
        case (.nil, .nil): return true
        case (.bool(let x), .bool(let y)): return x == y
        case (.int(let x), .int(let y)): return x == y
        case (.int(let x), .double(let y)): return Double(x) == y
        case (.double(let x), .int(let y)): return x == Double(y)
        case (.double(let x), .double(let y)): return x == y
        case (.string(let x), .string(let y)), (.safe(let x), .safe(let y)),
             (.string(let x), .safe(let y)), (.safe(let x), .string(let y)):
            return x == y
        case (.array(let x), .array(let y)):
            guard x.count == y.count else { return false }
            for i in 0..<x.count where !liquidEqual(x[i], y[i]) { return false }
            return true
        case (.dictionary(let x), .dictionary(let y)):
            guard x.count == y.count else { return false }
            for (k, v) in x {
                guard let w = y[k], liquidEqual(v, w) else { return false }
            }
            return true
        case (.drop(let x), .drop(let y)): return x === y
        default: return false
        }
    }

    /// Liquid ordering for `<` and friends; nil when the two cannot be compared.
    static func liquidCompare(_ a: Value, _ b: Value) -> Int? {
        switch (a, b) {
        case (.int(let x), .int(let y)): return x < y ? -1 : (x > y ? 1 : 0)
        case (.int, .double), (.double, .int), (.double, .double):
            let x = a.doubleValue!, y = b.doubleValue!
            return x < y ? -1 : (x > y ? 1 : 0)
        case (.string(let x), .string(let y)), (.safe(let x), .safe(let y)),
             (.string(let x), .safe(let y)), (.safe(let x), .string(let y)):
            return x < y ? -1 : (x > y ? 1 : 0)
        default: return nil
        }
    }

    var doubleValue: Double? {
        switch self {
        case .int(let i): return Double(i)
        case .double(let d): return d
        default: return nil
        }
    }
}

/// Structural equality (not Liquid's `==`, which compares numbers across int and float): what
/// tests and callers comparing values expect. Drops are equal when they are the same object.
extension Value: Equatable {
    public static func == (a: Value, b: Value) -> Bool {
        switch (a, b) {
        case (.nil, .nil): return true
        case (.bool(let x), .bool(let y)): return x == y
        case (.int(let x), .int(let y)): return x == y
        case (.double(let x), .double(let y)): return x == y
        case (.string(let x), .string(let y)): return x == y
        case (.safe(let x), .safe(let y)): return x == y
        case (.array(let x), .array(let y)): return x == y
        case (.dictionary(let x), .dictionary(let y)): return x == y
        case (.drop(let x), .drop(let y)): return x === y
        default: return false
        }
    }
}
