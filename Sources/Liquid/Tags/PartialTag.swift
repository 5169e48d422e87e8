/// `{% render 'name' [with x | for xs] [as alias], key: value %}` renders a partial in a scope of
/// its own (it sees the render's data and its caller's variables, but its assignments stay
/// inside); `{% include %}` shares the caller's scope.
enum PartialTag {
    static func parseRender(_ p: inout Parser, _ t: Token) throws -> Node {
        try parse(&p, t, mode: .render)
    }

    static func parseInclude(_ p: inout Parser, _ t: Token) throws -> Node {
        try parse(&p, t, mode: .include)
    }

    private static func parse(_ p: inout Parser, _ t: Token, mode: PartialCall.Mode) throws -> Node {
        var e = try p.expressions(t)
        let nameToken = e.current
        let name = try e.parsePrimary()
        if mode == .render, case .literal(.string) = name {} else if mode == .render {
            throw e.error("'render' needs a quoted template name", nameToken)
        }
        var with: Expression?, forCollection: Expression?, alias: String?
        var arguments: [(String, Expression)] = []
        if e.isKeyword("with"), e.tokens[e.pos + 1].kind != .colon {
            _ = e.next()
            with = try e.parsePrimary()
        } else if e.isKeyword("for"), e.tokens[e.pos + 1].kind != .colon {
            _ = e.next()
            forCollection = try e.parsePrimary()
        }
        if e.isKeyword("as"), e.tokens[e.pos + 1].kind != .colon {
            _ = e.next()
            alias = try e.parseName("an alias")
        }
        while !e.atEnd {
            if e.current.kind == .comma { _ = e.next(); continue }
            let key = try e.parseName("an argument name")
            _ = try e.expect(.colon, "':' after '\(key)'")
            arguments.append((key, try e.parsePrimary()))
        }
        return .partial(PartialCall(mode: mode, name: name, with: with, forCollection: forCollection, alias: alias,
                                    arguments: arguments, offset: t.offset))
    }
}

extension RenderContext {
    func loadPartial(named name: String, offset: Int?) throws -> ParsedTemplate {
        let found: ParsedTemplate?
        if let fast = environment.parsedLoader {
            found = try fast.parsedTemplate(named: name, environment: environment)
        } else if let loader = environment.loader {
            found = try loader.template(named: name, environment: environment)?.parsed
        } else {
            throw error("no template loader to find '\(name)'", kind: .templateNotFound)
        }
        guard let found else { throw error("template '\(name)' not found", kind: .templateNotFound) }
        return found
    }

    mutating func renderPartial(_ call: PartialCall) throws -> Flow {
        let nameValue = try evaluate(call.name)
        guard nameValue.isString else { throw error("a partial name must be a string, not \(nameValue.typeName)") }
        let name = nameValue.stringValue
        if partialDepth + 1 > budget.limits.maxPartialDepth {
            throw error("partials nested deeper than \(budget.limits.maxPartialDepth)", kind: .limitExceeded)
        }
        let partial = try loadPartial(named: name, offset: call.offset)
        let alias = call.alias ?? String(name.split(separator: "/").last ?? Substring(name))
        var scope = VariableTable()
        for (k, e) in call.arguments { scope[k] = try evaluate(e) }
        let items: [Value]? = try call.forCollection.map {
            let v = try evaluate($0)
            if case .string = v { return [v] }
            return v.iterationElements
        }
        if let w = call.with { scope[alias] = try evaluate(w) }

        switch call.mode {
        case .include:
            partialDepth += 1
            defer { partialDepth -= 1 }
            scopes.append(scope)
            defer { scopes.removeLast() }
            if let items {
                let top = scopes.count - 1
                for item in items {
                    try budget.countIteration()
                    scopes[top][alias] = item
                    let flow = try renderTemplate(partial)
                    try checkOutput()
                    if case .normal = flow { continue }
                    return flow
                }
                return .normal
            }
            let flow = try renderTemplate(partial)
            try checkOutput()
            return flow
        case .render:
            // Arguments are the partial's own variables: its assigns may overwrite them.
            var child = RenderContext(environment: environment, options: options, globals: globals, budget: budget, template: partial)
            child.partialDepth = partialDepth + 1
            child.depth = depth
            child.assigns = scope
            swap(&child.out, &out)
            defer { swap(&child.out, &out) }
            if let items {
                let drop = ForloopDrop(name: alias, length: items.count, parent: nil)
                for (i, item) in items.enumerated() {
                    try budget.countIteration()
                    drop.index0 = i
                    child.assigns = scope
                    child.assigns[alias] = item
                    child.assigns["forloop"] = .drop(drop)
                    _ = try child.render(partial.nodes)
                    try child.checkOutput()
                }
            } else {
                _ = try child.render(partial.nodes)
                try child.checkOutput()
            }
            return .normal
        }
    }
}
