/// Array and object filters, following Ruby Liquid: inputs go through `FilterSupport.items`
/// (arrays flattened, a hash or a string as one item, nil as nothing).
extension Environment {
    static let arrayFilters: [String: FilterDefinition] = [
        "join": FilterDefinition(0, 1) { input, args, _, _ in
            let glue = args.isEmpty ? " " : args[0].stringValue
            switch input {
            case .array, .nil:
                return .string(FilterSupport.items(input).map(\.outputString).joined(separator: glue))
            default: return .string(input.outputString)
            }
        },
        "first": FilterDefinition(0, 0) { input, _, _, _ in
            switch input {
            case .array(let a): return a.first ?? .nil
            case .dictionary: return input.lookup("first") ?? .nil
            default: return .nil
            }
        },
        "last": FilterDefinition(0, 0) { input, _, _, _ in
            if case .array(let a) = input { return a.last ?? .nil }
            return .nil
        },
        "reverse": FilterDefinition(0, 0) { input, _, _, _ in .array(FilterSupport.items(input).reversed()) },
        "concat": FilterDefinition(1, 1) { input, args, _, _ in
            guard case .array(let more) = args[0] else {
                throw FilterSupport.fail("concat expects an array argument, got \(args[0].typeName)")
            }
            return .array(FilterSupport.items(input) + FilterSupport.items(.array(more)))
        },
        "compact": FilterDefinition(0, 1) { input, args, _, _ in
            let items = FilterSupport.items(input)
            if args.isEmpty { return .array(items.filter { !$0.isNil }) }
            return .array(try items.filter {
                if case .value(let v) = try FilterSupport.property($0, args[0]) { return !v.isNil }
                return false
            })
        },
        "uniq": FilterDefinition(0, 1) { input, args, _, _ in
            var seen: [Value] = []
            var out: [Value] = []
            for item in FilterSupport.items(input) {
                var key = item
                if !args.isEmpty, case .value(let v) = try FilterSupport.property(item, args[0]) { key = v }
                if seen.contains(where: { Value.liquidEqual($0, key) }) { continue }
                seen.append(key)
                out.append(item)
            }
            return .array(out)
        },
        "map": FilterDefinition(1, 1) { input, args, _, _ in
            var out: [Value] = []
            for item in FilterSupport.items(input) {
                switch try FilterSupport.property(item, args[0]) {
                case .value(let v): out.append(v)
                case .noMethod: out.append(.nil)
                }
            }
            return .array(out)
        },
        "sum": FilterDefinition(0, 1) { input, args, _, _ in
            var values: [Value] = []
            for item in FilterSupport.items(input) {
                if args.isEmpty || args[0].isNil { values.append(item); continue }
                switch item {
                case .dictionary, .drop, .string, .safe:
                    if case .value(let v) = try FilterSupport.property(item, args[0]) { values.append(v) }
                case .nil, .bool: values.append(.int(0))
                default: throw FilterSupport.fail("cannot read property '\(args[0].outputString)' of \(item.typeName)")
                }
            }
            var isum = 0
            var dsum = 0.0
            var isDouble = false
            var places = 0
            for v in FilterSupport.items(.array(values)) {
                switch FilterSupport.number(v) {
                case .int(let i): isum &+= i
                case .double(let d):
                    isDouble = true
                    dsum += d
                    places = max(places, FilterSupport.decimalPlaces(d))
                default: break
                }
            }
            return isDouble ? .double(FilterSupport.roundTo(dsum + Double(isum), places)) : .int(isum)
        },
        "sort": FilterDefinition(0, 1) { input, args, _, _ in
            try sortItems(FilterSupport.items(input), by: args.first, natural: false)
        },
        "sort_natural": FilterDefinition(0, 1) { input, args, _, _ in
            try sortItems(FilterSupport.items(input), by: args.first, natural: true)
        },
        "where": FilterDefinition(1, 2) { input, args, _, _ in
            try filterArray(input, args, empty: .array([])) { items, test in .array(try items.filter(test)) }
        },
        "reject": FilterDefinition(1, 2) { input, args, _, _ in
            try filterArray(input, args, empty: .array([])) { items, test in .array(try items.filter { try !test($0) }) }
        },
        "find": FilterDefinition(1, 2) { input, args, _, _ in
            try filterArray(input, args, empty: .nil) { items, test in try items.first(where: test) ?? .nil }
        },
        "find_index": FilterDefinition(1, 2) { input, args, _, _ in
            try filterArray(input, args, empty: .nil) { items, test in try items.firstIndex(where: test).map { .int($0) } ?? .nil }
        },
        "has": FilterDefinition(1, 2) { input, args, _, _ in
            try filterArray(input, args, empty: .bool(false)) { items, test in .bool(try items.contains(where: test)) }
        },
        "default": FilterDefinition(0, 1, keywords: ["allow_false"]) { input, args, keywords, _ in
            let fallback = args.first ?? .nil
            let allowFalse = keywords["allow_false"]?.isTruthy ?? false
            switch input {
            case .nil: return fallback
            case .bool(false): return allowFalse ? input : fallback
            case .string, .safe, .array, .dictionary: return input.isEmptyValue ? fallback : input
            default: return input
            }
        },
        "json": FilterDefinition(0, 0) { input, _, _, _ in .string(input.htmlSafeJSONString) },
    ]

    /// Ruby's `filter_array`: `where`, `reject`, `find`, `find_index`, `has`. A nil or boolean
    /// item makes the whole filter nil, as in the reference engine.
    private struct NoMethod: Error {}

    static func filterArray(_ input: Value, _ args: [Value], empty: Value,
                            _ body: ([Value], (Value) throws -> Bool) throws -> Value) throws -> Value {
        let items = FilterSupport.items(input)
        if items.isEmpty { return empty }
        let prop = args[0]
        let target = args.count > 1 ? args[1] : .nil
        do {
            return try body(items) { item in
                switch try FilterSupport.property(item, prop) {
                case .noMethod: throw NoMethod()
                case .value(let v): return target.isNil ? v.isTruthy : Value.liquidEqual(v, target)
                }
            }
        } catch is NoMethod {
            return .nil
        }
    }

    static func sortItems(_ items: [Value], by property: Value?, natural: Bool) throws -> Value {
        var keyed: [(Value, Value)] = []
        keyed.reserveCapacity(items.count)
        for item in items {
            var key = item
            if let property, !property.isNil {
                if case .value(let v) = try FilterSupport.property(item, property) { key = v } else { key = .nil }
            }
            if natural, !key.isNil {
                switch key {
                case .dictionary, .array: key = .string(key.inspect.lowercased())
                default: key = .string(key.outputString.lowercased())
                }
            }
            keyed.append((key, item))
        }
        var failure: LiquidError?
        let sorted = keyed.enumerated().sorted { a, b in
            let (ka, kb) = (a.element.0, b.element.0)
            if ka.isNil || kb.isNil {
                if ka.isNil && kb.isNil { return a.offset < b.offset }
                return kb.isNil
            }
            guard let c = Value.liquidCompare(ka, kb) else {
                if natural { return ka.inspect.lowercased() < kb.inspect.lowercased() }
                failure = FilterSupport.fail("cannot sort \(ka.typeName) with \(kb.typeName)")
                return false
            }
            return c == 0 ? a.offset < b.offset : c < 0
        }
        if let failure { throw failure }
        return .array(sorted.map { $0.element.1 })
    }
}
