/// `{% echo expression | filters %}`: output, usable inside `{% liquid %}`.
enum EchoTag {
    static func parse(_ p: inout Parser, _ t: Token) throws -> Node {
        var e = try p.expressions(t)
        if e.atEnd { return .text([]) }
        let value = try e.parseFiltered()
        try e.expectEnd()
        return .echo(value, offset: t.offset)
    }
}
