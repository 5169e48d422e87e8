/// `{% if %}{% elsif %}{% else %}{% endif %}` and `{% unless %}...{% endunless %}`.
enum IfTag {
    static func parseIf(_ p: inout Parser, _ t: Token) throws -> Node {
        try parse(&p, t, end: "endif", negateFirst: false)
    }

    static func parseUnless(_ p: inout Parser, _ t: Token) throws -> Node {
        try parse(&p, t, end: "endunless", negateFirst: true)
    }

    static func condition(_ p: Parser, _ t: Token) throws -> Condition {
        var e = try p.expressions(t)
        if e.atEnd { throw p.error("'\(t.name)' needs a condition", at: t.offset) }
        let c = try e.parseCondition()
        try e.expectEnd()
        return c
    }

    private static func parse(_ p: inout Parser, _ t: Token, end: Substring, negateFirst: Bool) throws -> Node {
        var branches: [ConditionalBranch] = []
        var elseBody: [Node]?
        var cond = try condition(p, t)
        while true {
            let (body, closing) = try p.parseBlock(t, until: ["elsif", "else", end])
            branches.append(ConditionalBranch(condition: cond, body: body))
            if closing.name == "elsif" {
                cond = try condition(p, closing)
                continue
            }
            if closing.name == "else" {
                var (body, next) = try p.parseBlock(t, until: [end, "else", "elsif"])
                elseBody = body
                // Ruby Liquid ignores blocks after the first `else`.
                while next.name != end { (_, next) = try p.parseBlock(t, until: [end, "else", "elsif"]) }
            }
            break
        }
        let node = Node.conditional(branches: branches, elseBody: elseBody, negateFirst: negateFirst)
        guard node.isBlank else { return node }
        return .conditional(branches: branches.map { ConditionalBranch(condition: $0.condition, body: stripBlank($0.body)) },
                            elseBody: elseBody.map(stripBlank), negateFirst: negateFirst)
    }
}
