/// `{% capture name %}...{% endcapture %}`: renders the body into a variable.
enum CaptureTag {
    static func parse(_ p: inout Parser, _ t: Token) throws -> Node {
        var e = try p.expressions(t)
        let name: String
        if e.current.kind == .string {
            name = String(e.next().text)
        } else {
            name = try e.parseName("a variable name")
        }
        try e.expectEnd()
        let (body, _) = try p.parseBlock(t, until: ["endcapture"])
        return .capture(name: name, body: body)
    }
}
