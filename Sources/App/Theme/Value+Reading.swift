import Liquid

/// Reading theme JSON (`settings_schema.json`, stored settings) held as Liquid values.
extension Value {
    /// The member `key` of an object; nil for anything else.
    func member(_ key: String) -> Value? {
        if case .dictionary(let d) = self { return d[key] }
        return nil
    }

    /// A string or number as text; empty for anything else.
    var textValue: String {
        switch self {
        case .string(let s), .safe(let s): return s
        case .int(let i): return String(i)
        case .double(let d): return String(d)
        case .bool(let b): return b ? "true" : "false"
        default: return ""
        }
    }
}
