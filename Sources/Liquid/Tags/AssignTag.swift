/// `{% assign name = expression | filters %}`: sets a variable for the rest of the template.
enum AssignTag {
    static func parse(_ p: inout Parser, _ t: Token) throws -> Node {
        var e = try p.expressions(t)
        let name = try e.parseName("a variable name")
        _ = try e.expect(.assign, "'='")
        let value = try e.parseFiltered()
        try e.expectEnd()
        return .assign(name: name, value, offset: t.offset)
    }
}
