/// `{% liquid %}`: one tag per line, without delimiters.
enum LiquidTag {
    static func parse(_ p: inout Parser, _ t: Token) throws -> Node {
        .block(try p.parseLiquidLines(t))
    }
}
