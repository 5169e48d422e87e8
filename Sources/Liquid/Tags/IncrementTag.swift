/// `{% increment name %}` / `{% decrement name %}`: counters kept apart from assigned variables.
enum IncrementTag {
    static func parseIncrement(_ p: inout Parser, _ t: Token) throws -> Node {
        .increment(name: try name(&p, t))
    }

    static func parseDecrement(_ p: inout Parser, _ t: Token) throws -> Node {
        .decrement(name: try name(&p, t))
    }

    private static func name(_ p: inout Parser, _ t: Token) throws -> String {
        var e = try p.expressions(t)
        let name = try e.parseName("a counter name")
        try e.expectEnd()
        return name
    }
}
