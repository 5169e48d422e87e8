/// An `application/x-www-form-urlencoded` body with nested keys in the bracket style Stripe and
/// Rails use: `["metadata": ["order_id": "42"], "items": [["price": "p_1"]]]` encodes as
/// `metadata%5Border_id%5D=42&items%5B0%5D%5Bprice%5D=p_1`. Keys keep the order written.
public struct FormFields: Sendable, ExpressibleByDictionaryLiteral {
    public enum Value: Sendable, ExpressibleByStringLiteral, ExpressibleByIntegerLiteral,
                       ExpressibleByBooleanLiteral, ExpressibleByArrayLiteral, ExpressibleByDictionaryLiteral {
        case string(String)
        /// Indexed: `key[0]`, `key[1]`, ...
        case list([Value])
        /// Nested: `key[sub]`.
        case fields(FormFields)

        public init(stringLiteral value: String) { self = .string(value) }
        public init(integerLiteral value: Int) { self = .string(String(value)) }
        public init(booleanLiteral value: Bool) { self = .string(value ? "true" : "false") }
        public init(arrayLiteral elements: Value...) { self = .list(elements) }
        public init(dictionaryLiteral elements: (String, Value)...) { self = .fields(FormFields(elements)) }
    }

    public var fields: [(key: String, value: Value)]

    public init(_ fields: [(String, Value)] = []) {
        self.fields = fields.map { (key: $0.0, value: $0.1) }
    }

    public init(dictionaryLiteral elements: (String, Value)...) { self.init(elements) }

    public mutating func append(_ key: String, _ value: Value) { fields.append((key, value)) }

    /// The flat `key[sub][0]=value` pairs, before percent-encoding.
    public func flattened() -> [(key: String, value: String)] {
        var out: [(key: String, value: String)] = []
        for (key, value) in fields { FormFields.flatten(value, key: key, into: &out) }
        return out
    }

    /// The body: pairs joined with `&`, each side percent-encoded.
    public func encoded() -> String {
        flattened().map { FormFields.percentEncode($0.key) + "=" + FormFields.percentEncode($0.value) }
            .joined(separator: "&")
    }

    private static func flatten(_ value: Value, key: String, into out: inout [(key: String, value: String)]) {
        switch value {
        case .string(let s): out.append((key, s))
        case .list(let items):
            for (i, item) in items.enumerated() { flatten(item, key: "\(key)[\(i)]", into: &out) }
        case .fields(let nested):
            for (sub, item) in nested.fields { flatten(item, key: "\(key)[\(sub)]", into: &out) }
        }
    }

    /// The WHATWG urlencoded serialisation: `A-Z a-z 0-9 * - . _` kept, space as `+`, every
    /// other UTF-8 byte as `%XX`.
    public static func percentEncode(_ s: String) -> String {
        let hex = Array("0123456789ABCDEF".utf8)
        var out: [UInt8] = []
        out.reserveCapacity(s.utf8.count)
        for c in s.utf8 {
            switch c {
            case 0x30...0x39, 0x41...0x5A, 0x61...0x7A, 0x2A, 0x2D, 0x2E, 0x5F: out.append(c)
            case 0x20: out.append(0x2B)
            default: out += [0x25, hex[Int(c >> 4)], hex[Int(c & 15)]]
            }
        }
        return String(decoding: out, as: UTF8.self)
    }
}
