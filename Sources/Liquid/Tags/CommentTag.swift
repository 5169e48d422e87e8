/// `comment` and `raw` inside `{% liquid %}` (elsewhere the lexer removes them): the lines up to
/// the end tag are skipped.
enum CommentTag {
    static func parse(_ p: inout Parser, _ t: Token) throws -> Node {
        try skip(&p, t, end: "endcomment")
    }

    static func parseRaw(_ p: inout Parser, _ t: Token) throws -> Node {
        try skip(&p, t, end: "endraw")
    }

    private static func skip(_ p: inout Parser, _ t: Token, end: Substring) throws -> Node {
        var depth = 1
        while p.pos < p.tokens.count {
            let token = p.tokens[p.pos]
            p.pos += 1
            if token.name == t.name { depth += 1 }
            if token.name == end {
                depth -= 1
                if depth == 0 { return .block([]) }
            }
        }
        throw p.error("'\(t.name)' was never closed", at: t.offset)
    }
}
