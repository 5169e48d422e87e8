/// Variables set by a template (assigns, loop variables, partial arguments). Templates use a
/// handful of names, so a linear search comparing small strings beats hashing them; a hash index
/// is built only for tables that grow large.
struct VariableTable: ExpressibleByDictionaryLiteral {
    private(set) var names: [String] = []
    private(set) var values: [Value] = []
    private var index: [String: Int]?

    init() {}

    init(dictionaryLiteral elements: (String, Value)...) {
        names.reserveCapacity(elements.count)
        values.reserveCapacity(elements.count)
        for (k, v) in elements { self[k] = v }
    }

    var isEmpty: Bool { names.isEmpty }

    @inline(__always) func position(of name: String) -> Int? {
        if let index { return index[name] }
        // Comparing lengths first skips most mismatches without a string comparison.
        let length = name.utf8.count
        var i = 0
        while i < names.count {
            if names[i].utf8.count == length && names[i] == name { return i }
            i += 1
        }
        return nil
    }

    subscript(name: String) -> Value? {
        @inline(__always) get {
            guard let i = position(of: name) else { return nil }
            return values[i]
        }
        set {
            if let i = position(of: name) {
                if let v = newValue { values[i] = v; return }
                names.remove(at: i)
                values.remove(at: i)
                index = nil
                if names.count > 16 { rebuildIndex() }
                return
            }
            guard let v = newValue else { return }
            names.append(name)
            values.append(v)
            if index != nil { index![name] = names.count - 1 } else if names.count > 16 { rebuildIndex() }
        }
    }

    private mutating func rebuildIndex() {
        var d: [String: Int] = [:]
        for (i, n) in names.enumerated() { d[n] = i }
        index = d
    }

    /// Updates the value at a known position (the loop variable, each iteration).
    @inline(__always) mutating func set(at i: Int, _ v: Value) { values[i] = v }
}
