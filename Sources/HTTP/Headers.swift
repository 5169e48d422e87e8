/// HTTP header fields: ordered, repeatable, looked up case-insensitively.
public struct Headers: Sequence, Sendable, ExpressibleByDictionaryLiteral, CustomStringConvertible {
    public struct Field: Sendable, Equatable {
        public var name: String
        public var value: String
    }

    private var fields: [Field] = []

    public init() {}
    public init(dictionaryLiteral elements: (String, String)...) {
        fields = elements.map { Field(name: $0.0, value: $0.1) }
    }
    public init(_ pairs: [(String, String)]) {
        fields = pairs.map { Field(name: $0.0, value: $0.1) }
    }

    /// The first value of `name`; setting replaces every value of `name` (nil removes them).
    public subscript(name: String) -> String? {
        get {
            for f in fields where asciiCaseInsensitiveEqual(f.name, name) { return f.value }
            return nil
        }
        set {
            if let newValue { replaceOrAdd(name, newValue) } else { remove(name) }
        }
    }

    /// Every value of `name`, in order.
    public func values(_ name: String) -> [String] {
        fields.filter { asciiCaseInsensitiveEqual($0.name, name) }.map(\.value)
    }

    public func contains(_ name: String) -> Bool { self[name] != nil }

    /// Adds a field even if `name` is already present (e.g. `Set-Cookie`).
    public mutating func add(_ name: String, _ value: String) {
        fields.append(Field(name: name, value: value))
    }

    public mutating func remove(_ name: String) {
        fields.removeAll { asciiCaseInsensitiveEqual($0.name, name) }
    }

    private mutating func replaceOrAdd(_ name: String, _ value: String) {
        if let i = fields.firstIndex(where: { asciiCaseInsensitiveEqual($0.name, name) }) {
            fields[i].value = value
            var j = i + 1
            while j < fields.count {
                if asciiCaseInsensitiveEqual(fields[j].name, name) { fields.remove(at: j) } else { j += 1 }
            }
        } else {
            fields.append(Field(name: name, value: value))
        }
    }

    public var count: Int { fields.count }
    public func makeIterator() -> IndexingIterator<[Field]> { fields.makeIterator() }
    public var description: String { fields.map { "\($0.name): \($0.value)" }.joined(separator: "\n") }
}

@inline(__always)
func asciiLower(_ b: UInt8) -> UInt8 {
    (b >= UInt8(ascii: "A") && b <= UInt8(ascii: "Z")) ? b | 0x20 : b
}

func asciiCaseInsensitiveEqual(_ a: String, _ b: String) -> Bool {
    var a = a, b = b
    return a.withUTF8 { x in
        b.withUTF8 { y in
            guard x.count == y.count else { return false }
            for i in 0..<x.count where asciiLower(x[i]) != asciiLower(y[i]) { return false }
            return true
        }
    }
}
