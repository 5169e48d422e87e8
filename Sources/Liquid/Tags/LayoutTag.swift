/// `{% layout 'name' %}` wraps the output in a layout that prints `{{ content_for_layout }}`;
/// `{% layout none %}` renders without one.
enum LayoutTag {
    static func parse(_ p: inout Parser, _ t: Token) throws -> Node {
        var e = try p.expressions(t)
        if e.isKeyword("none") {
            _ = e.next()
            try e.expectEnd()
            return .layout(name: .literal(.nil), offset: t.offset)
        }
        let name = try e.parsePrimary()
        try e.expectEnd()
        return .layout(name: name, offset: t.offset)
    }
}
