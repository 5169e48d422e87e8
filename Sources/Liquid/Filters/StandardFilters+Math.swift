/// Arithmetic filters: integers stay integers; a double anywhere makes the result a double,
/// rounded to the decimals of its operands as Ruby's BigDecimal arithmetic would give.
extension Environment {
    static let mathFilters: [String: FilterDefinition] = [
        "plus": FilterDefinition(1, 1) { input, args, _, _ in try arithmetic(input, args[0], .plus) },
        "minus": FilterDefinition(1, 1) { input, args, _, _ in try arithmetic(input, args[0], .minus) },
        "times": FilterDefinition(1, 1) { input, args, _, _ in try arithmetic(input, args[0], .times) },
        "divided_by": FilterDefinition(1, 1) { input, args, _, _ in try arithmetic(input, args[0], .dividedBy) },
        "modulo": FilterDefinition(1, 1) { input, args, _, _ in try arithmetic(input, args[0], .modulo) },
        "abs": FilterDefinition(0, 0) { input, _, _, _ in
            switch FilterSupport.number(input) {
            case .int(let i): return .int(i == Int.min ? i : abs(i))
            case .double(let d): return .double(abs(d))
            default: return .int(0)
            }
        },
        "ceil": FilterDefinition(0, 0) { input, _, _, _ in try integral(input, Foundationless.ceil) },
        "floor": FilterDefinition(0, 0) { input, _, _, _ in try integral(input, Foundationless.floor) },
        "round": FilterDefinition(0, 1) { input, args, _, _ in
            let places = args.isEmpty ? 0 : toInteger(FilterSupport.number(args[0]))
            let n = FilterSupport.number(input)
            if places <= 0 {
                switch n {
                case .int(let i): return places == 0 ? .int(i) : .int(0)
                case .double(let d):
                    if places < 0 { return .int(0) }
                    return try integral(.double(d.rounded(.toNearestOrAwayFromZero)), { $0 })
                default: return .int(0)
                }
            }
            guard case .double(let d) = n else { return n }
            var p = 1.0
            for _ in 0..<min(places, 15) { p *= 10 }
            return .double((d * p).rounded(.toNearestOrAwayFromZero) / p)
        },
        "at_least": FilterDefinition(1, 1) { input, args, _, _ in
            let a = FilterSupport.number(input), b = FilterSupport.number(args[0])
            return (Value.liquidCompare(a, b) ?? 0) >= 0 ? a : b
        },
        "at_most": FilterDefinition(1, 1) { input, args, _, _ in
            let a = FilterSupport.number(input), b = FilterSupport.number(args[0])
            return (Value.liquidCompare(a, b) ?? 0) <= 0 ? a : b
        },
    ]

    static func integral(_ input: Value, _ f: (Double) -> Double) throws -> Value {
        switch FilterSupport.number(input) {
        case .int(let i): return .int(i)
        case .double(let d):
            let r = f(d)
            guard r.isFinite, abs(r) < 9.2e18 else { throw FilterSupport.fail("number out of range") }
            return .int(Int(r))
        default: return .int(0)
        }
    }

    enum Arithmetic { case plus, minus, times, dividedBy, modulo }

    static func arithmetic(_ lhs: Value, _ rhs: Value, _ op: Arithmetic) throws -> Value {
        let a = FilterSupport.number(lhs), b = FilterSupport.number(rhs)
        if case .int(let x) = a, case .int(let y) = b {
            switch op {
            case .plus: return .int(x &+ y)
            case .minus: return .int(x &- y)
            case .times: return .int(x &* y)
            case .dividedBy:
                guard y != 0 else { throw FilterSupport.fail("divided by 0") }
                if x == Int.min && y == -1 { return .int(x) }
                let q = x / y
                return .int((x % y != 0 && (x < 0) != (y < 0)) ? q - 1 : q)
            default:
                guard y != 0 else { throw FilterSupport.fail("divided by 0") }
                if y == -1 { return .int(0) }
                let r = x % y
                return .int(r != 0 && (r < 0) != (y < 0) ? r + y : r)
            }
        }
        let x = a.doubleValue ?? 0, y = b.doubleValue ?? 0
        let px = FilterSupport.decimalPlaces(x), py = FilterSupport.decimalPlaces(y)
        switch op {
        case .plus: return .double(FilterSupport.roundTo(x + y, max(px, py)))
        case .minus: return .double(FilterSupport.roundTo(x - y, max(px, py)))
        case .times: return .double(FilterSupport.roundTo(x * y, px + py))
        case .dividedBy:
            guard y != 0 else { throw FilterSupport.fail("divided by 0") }
            return .double(x / y)
        default:
            guard y != 0 else { throw FilterSupport.fail("divided by 0") }
            let r = x.truncatingRemainder(dividingBy: y)
            return .double(FilterSupport.roundTo(r != 0 && (r < 0) != (y < 0) ? r + y : r, max(px, py)))
        }
    }
}

/// libm without Foundation.
enum Foundationless {
    static func ceil(_ d: Double) -> Double { d.rounded(.up) }
    static func floor(_ d: Double) -> Double { d.rounded(.down) }
}
