/// `{% liquid %}`: one tag per line, without delimiters.
enum LiquidTag {
    static func parse(_ p: inout Parser, _ t: Token) throws -> Node {
        p.depth += 1
        defer { p.depth -= 1 }
        if p.depth > p.environment.limits.maxNestingDepth {
            throw p.error("blocks nested deeper than \(p.environment.limits.maxNestingDepth)", at: t.offset, kind: .limitExceeded)
        }
        return .block(try p.parseLiquidLines(t))
    }
}
