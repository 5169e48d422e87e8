/// `{% ifchanged %}...{% endifchanged %}`: renders the body only when it differs from last time.
enum IfchangedTag {
    static func parse(_ p: inout Parser, _ t: Token) throws -> Node {
        let (body, _) = try p.parseBlock(t, until: ["endifchanged"])
        return .ifchanged(body: body)
    }
}
