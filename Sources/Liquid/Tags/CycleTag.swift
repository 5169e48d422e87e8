/// `{% cycle [group:] a, b, c %}`: prints the next value of a cycle kept per group.
enum CycleTag {
    static func parse(_ p: inout Parser, _ t: Token) throws -> Node {
        var e = try p.expressions(t)
        var group: Expression?
        var values: [Expression] = [try e.parsePrimary()]
        if e.current.kind == .colon {
            _ = e.next()
            group = values.removeFirst()
            values.append(try e.parsePrimary())
        }
        while e.current.kind == .comma {
            _ = e.next()
            values.append(try e.parsePrimary())
        }
        try e.expectEnd()
        let key = values.map(\.description).joined(separator: ",")
        return .cycle(group: group, values: values, key: key, offset: t.offset)
    }
}

extension RenderContext {
    mutating func renderCycle(_ group: Expression?, _ values: [Expression], _ key: String) throws {
        let k = try group.map { "\u{1}" + (try evaluate($0)).outputString } ?? key
        let i = cycles[k] ?? 0
        if i < values.count { try writeValue(try evaluate(values[i])) }
        cycles[k] = i + 1 >= values.count ? 0 : i + 1
    }
}
