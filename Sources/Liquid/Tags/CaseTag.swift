/// `{% case x %}{% when a, b or c %}...{% else %}...{% endcase %}`. As in Ruby Liquid, each
/// matching value renders its body, and an `else` renders when no earlier `when` matched.
enum CaseTag {
    static func parse(_ p: inout Parser, _ t: Token) throws -> Node {
        var e = try p.expressions(t)
        let subject = try e.parsePrimary()
        try e.expectEnd()
        // Anything before the first `when` is ignored.
        var (_, closing) = try p.parseBlock(t, until: ["when", "else", "endcase"])
        var clauses: [CaseClause] = []
        while closing.name != "endcase" {
            var values: [Expression]?
            if closing.name == "when" {
                var w = try p.expressions(closing)
                var list: [Expression] = [try w.parsePrimary()]
                while w.current.kind == .comma || w.isKeyword("or") {
                    _ = w.next()
                    list.append(try w.parsePrimary())
                }
                try w.expectEnd()
                values = list
            } else if !closing.text.allSatisfy(\.isWhitespace) {
                throw p.error("unexpected arguments to 'else'", at: closing.textOffset)
            }
            let (body, next) = try p.parseBlock(t, until: ["when", "else", "endcase"])
            clauses.append(CaseClause(values: values, body: body))
            closing = next
        }
        let node = Node.caseTag(subject: subject, clauses: clauses)
        guard node.isBlank else { return node }
        return .caseTag(subject: subject, clauses: clauses.map { CaseClause(values: $0.values, body: stripBlank($0.body)) })
    }
}

extension RenderContext {
    mutating func renderCase(_ subject: Expression, _ clauses: [CaseClause]) throws -> Flow {
        let value = try evaluate(subject)
        var matched = false
        for clause in clauses {
            guard let values = clause.values else {
                if !matched {
                    let flow = try render(clause.body)
                    if case .normal = flow {} else { return flow }
                }
                continue
            }
            for v in values where Value.liquidEqual(value, try evaluate(v)) {
                matched = true
                let flow = try render(clause.body)
                if case .normal = flow {} else { return flow }
            }
        }
        return .normal
    }
}
