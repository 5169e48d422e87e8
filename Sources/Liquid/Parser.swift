/// Phase 2: turns tokens into a tree of `Node`s. Tags are parsed by the functions registered in
/// the environment's tag registry (one file per tag under `Tags/`).
struct Parser {
    let environment: Environment
    let source: String
    let name: String?
    var tokens: [Token]
    var pos = 0
    var depth = 0

    init(environment: Environment, source: String, name: String?) throws {
        self.environment = environment
        self.source = source
        self.name = name
        var lexer = Lexer(source: source, name: name)
        self.tokens = try lexer.tokenize()
    }

    func error(_ message: String, at offset: Int, kind: LiquidError.Kind = .syntax) -> LiquidError {
        LiquidError(kind, message, at: offset, in: source, name: name)
    }

    mutating func parseDocument() throws -> [Node] {
        let (nodes, end) = try parseBody(until: [])
        if let end { throw error("unexpected tag '\(end.name)'", at: end.offset) }
        return nodes
    }

    /// Parses nodes up to one of the `terminators` tags, which is returned (nil at end of input).
    mutating func parseBody(until terminators: Set<Substring>) throws -> ([Node], Token?) {
        var nodes: [Node] = []
        while pos < tokens.count {
            let t = tokens[pos]
            pos += 1
            switch t.kind {
            case .text:
                nodes.append(.text(Array(t.text.utf8)))
            case .output:
                var p = try ExpressionParser(t.text, at: t.textOffset, parser: self)
                if p.atEnd {
                    nodes.append(.text([]))
                    continue
                }
                let e = try p.parseFiltered()
                try p.expectEnd()
                nodes.append(.output(e, offset: t.offset))
            case .tag:
                if terminators.contains(t.name) { return (nodes, t) }
                guard let tag = environment.tags[String(t.name)] else {
                    if t.name.hasPrefix("end") || ["else", "elsif", "when"].contains(t.name) {
                        let expected = terminators.first(where: { $0.hasPrefix("end") }).map { ", expected '\($0)'" } ?? ""
                        throw error("unexpected tag '\(t.name)'\(expected)", at: t.offset)
                    }
                    throw error("unknown tag '\(t.name)'", at: t.offset)
                }
                nodes.append(try tag(&self, t))
            }
        }
        return (nodes, nil)
    }

    /// The body of a block tag, up to one of `terminators`; the opening tag must be closed.
    mutating func parseBlock(_ opening: Token, until terminators: Set<Substring>) throws -> ([Node], Token) {
        depth += 1
        defer { depth -= 1 }
        if depth > environment.limits.maxNestingDepth {
            throw error("blocks nested deeper than \(environment.limits.maxNestingDepth)", at: opening.offset, kind: .limitExceeded)
        }
        let (nodes, end) = try parseBody(until: terminators)
        guard let end else {
            throw error("'\(opening.name)' was never closed", at: opening.offset)
        }
        return (nodes, end)
    }

    /// An expression parser over a tag's markup.
    func expressions(_ t: Token) throws -> ExpressionParser {
        try ExpressionParser(t.text, at: t.textOffset, parser: self)
    }

    /// Checks a filter exists and gets its argument count right.
    func resolveFilter(_ name: String, arguments: Int, keywords: [String], at offset: Int) throws -> FilterDefinition? {
        guard let def = environment.filters[name] else {
            if environment.strict {
                throw error("unknown filter '\(name)'", at: offset, kind: .unknownFilter)
            }
            return nil
        }
        if arguments < def.minArguments || arguments > def.maxArguments {
            let expected = def.minArguments == def.maxArguments ? "\(def.minArguments)" : "\(def.minArguments) to \(def.maxArguments)"
            throw error("filter '\(name)' takes \(expected) argument\(def.maxArguments == 1 ? "" : "s"), got \(arguments)", at: offset)
        }
        for k in keywords where !def.keywords.contains(k) && !def.keywords.contains("*") {
            throw error("filter '\(name)' has no argument '\(k)'", at: offset)
        }
        return def
    }

    /// Parses the lines of a `{% liquid %}` tag as tags, in place of the template's tokens.
    mutating func parseLiquidLines(_ t: Token) throws -> [Node] {
        var lines: [Token] = []
        let markup = t.text
        let u = markup.utf8
        var lineStart = u.startIndex
        var offset = t.textOffset
        var lineOffset = offset
        var i = u.startIndex
        func flush(_ end: String.Index) {
            var s = lineStart
            var sOff = lineOffset
            while s < end, Lexer.isSpace(u[s]) { s = u.index(after: s); sOff += 1 }
            var e = end
            while e > s, Lexer.isSpace(u[u.index(before: e)]) { e = u.index(before: e) }
            guard s < e else { return }
            var n = s
            if u[n] == UInt8(ascii: "#") { n = u.index(after: n) } else {
                while n < e, Lexer.isWordByte(u[n]) { n = u.index(after: n) }
            }
            var m = n
            var mOff = sOff + u.distance(from: s, to: n)
            while m < e, Lexer.isSpace(u[m]) { m = u.index(after: m); mOff += 1 }
            lines.append(Token(kind: .tag, text: markup[m..<e], name: markup[s..<n], offset: sOff, textOffset: mOff))
        }
        while i < u.endIndex {
            if u[i] == 10 {
                flush(i)
                lineStart = u.index(after: i)
                lineOffset = offset + 1
            }
            i = u.index(after: i)
            offset += 1
        }
        flush(u.endIndex)
        for line in lines where line.name.isEmpty {
            throw error("expected a tag name", at: line.offset)
        }
        let saved = (tokens, pos)
        tokens = lines
        pos = 0
        defer { (tokens, pos) = saved }
        return try parseDocument()
    }
}
