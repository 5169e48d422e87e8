/// Expressions inside `{{ }}` and tag markup: tokenizing and parsing them into `Expression`s,
/// `FilteredExpression`s and `Condition`s.
struct ExprToken {
    enum Kind: Equatable {
        case identifier, string, integer, float
        case dot, dotDot, leftParen, rightParen, leftBracket, rightBracket
        case pipe, colon, comma, assign, comparison, end
    }
    var kind: Kind
    var text: Substring
    var offset: Int
}

struct ExpressionParser {
    var tokens: [ExprToken]
    var pos = 0
    /// Brackets and parentheses open around the current token; bounded so that hostile input
    /// cannot exhaust the stack.
    var depth = 0
    let parser: Parser
    let endOffset: Int

    init(_ markup: Substring, at offset: Int, parser: Parser) throws {
        self.parser = parser
        self.tokens = try ExpressionParser.tokenize(markup, at: offset, parser: parser)
        self.endOffset = offset + markup.utf8.count
    }

    static func tokenize(_ markup: Substring, at base: Int, parser: Parser) throws -> [ExprToken] {
        var out: [ExprToken] = []
        let u = markup.utf8
        var i = u.startIndex
        var off = base
        func sub(_ a: String.Index, _ b: String.Index) -> Substring { markup[a..<b] }
        while i < u.endIndex {
            let c = u[i]
            if Lexer.isSpace(c) { i = u.index(after: i); off += 1; continue }
            let start = i, startOff = off
            func advance() { i = u.index(after: i); off += 1 }
            func peek(_ k: Int = 1) -> UInt8? {
                var j = i
                for _ in 0..<k { j = u.index(after: j); if j == u.endIndex { return nil } }
                return u[j]
            }
            var kind: ExprToken.Kind
            switch c {
            case UInt8(ascii: "'"), UInt8(ascii: "\""):
                advance()
                while i < u.endIndex, u[i] != c { advance() }
                guard i < u.endIndex else { throw parser.error("unterminated string literal", at: startOff) }
                advance()
                out.append(ExprToken(kind: .string, text: markup[u.index(after: start)..<u.index(before: i)], offset: startOff))
                continue
            case UInt8(ascii: "."):
                advance()
                if i < u.endIndex, u[i] == UInt8(ascii: ".") { advance(); kind = .dotDot } else { kind = .dot }
            case UInt8(ascii: "("): advance(); kind = .leftParen
            case UInt8(ascii: ")"): advance(); kind = .rightParen
            case UInt8(ascii: "["): advance(); kind = .leftBracket
            case UInt8(ascii: "]"): advance(); kind = .rightBracket
            case UInt8(ascii: "|"): advance(); kind = .pipe
            case UInt8(ascii: ":"): advance(); kind = .colon
            case UInt8(ascii: ","): advance(); kind = .comma
            case UInt8(ascii: "="):
                advance()
                if i < u.endIndex, u[i] == UInt8(ascii: "=") { advance(); kind = .comparison } else { kind = .assign }
            case UInt8(ascii: "!"):
                guard peek() == UInt8(ascii: "=") else { throw parser.error("unexpected '!'", at: startOff) }
                advance(); advance(); kind = .comparison
            case UInt8(ascii: "<"), UInt8(ascii: ">"):
                advance()
                if i < u.endIndex, u[i] == UInt8(ascii: "=") || (c == UInt8(ascii: "<") && u[i] == UInt8(ascii: ">")) { advance() }
                kind = .comparison
            case UInt8(ascii: "-"), 48...57:
                if c == UInt8(ascii: "-") {
                    guard let n = peek(), n >= 48 && n <= 57 else { throw parser.error("unexpected '-'", at: startOff) }
                    advance()
                }
                while i < u.endIndex, u[i] >= 48 && u[i] <= 57 { advance() }
                kind = .integer
                if i < u.endIndex, u[i] == UInt8(ascii: "."), let n = peek(), n >= 48 && n <= 57 {
                    advance()
                    while i < u.endIndex, u[i] >= 48 && u[i] <= 57 { advance() }
                    kind = .float
                }
                // `123abc` is one word (identifiers may start with digits in names like `capture 123`).
                if i < u.endIndex, Lexer.isWordByte(u[i]) && !(u[i] >= 48 && u[i] <= 57) {
                    throw parser.error("unexpected character after number", at: off)
                }
            default:
                guard Lexer.isWordByte(c) || c >= 0x80 else {
                    throw parser.error("unexpected character '\(String(decoding: [c], as: UTF8.self))'", at: startOff)
                }
                while i < u.endIndex, Lexer.isWordByte(u[i]) || u[i] == UInt8(ascii: "-") || u[i] >= 0x80 { advance() }
                if i < u.endIndex, u[i] == UInt8(ascii: "?") { advance() }
                kind = .identifier
            }
            out.append(ExprToken(kind: kind, text: sub(start, i), offset: startOff))
        }
        out.append(ExprToken(kind: .end, text: "", offset: off))
        return out
    }

    // MARK: - token helpers

    var current: ExprToken { tokens[pos] }
    var atEnd: Bool { tokens[pos].kind == .end }

    mutating func next() -> ExprToken {
        let t = tokens[pos]
        if pos < tokens.count - 1 { pos += 1 }
        return t
    }

    func error(_ message: String, _ token: ExprToken? = nil) -> LiquidError {
        parser.error(message, at: (token ?? current).offset)
    }

    mutating func expect(_ kind: ExprToken.Kind, _ what: String) throws -> ExprToken {
        guard current.kind == kind else { throw error("expected \(what), found \(describe(current))") }
        return next()
    }

    func describe(_ t: ExprToken) -> String {
        t.kind == .end ? "end of expression" : "'\(t.text)'"
    }

    mutating func isKeyword(_ word: String) -> Bool {
        current.kind == .identifier && current.text == word
    }

    mutating func expectEnd() throws {
        guard atEnd else { throw error("unexpected \(describe(current))") }
    }

    // MARK: - grammar

    /// A primary expression: literal, variable path, range.
    mutating func parsePrimary() throws -> Expression {
        depth += 1
        defer { depth -= 1 }
        if depth > 64 { throw error("expression nested too deeply") }
        let t = current
        switch t.kind {
        case .string:
            _ = next()
            return .literal(.string(String(t.text)))
        case .integer:
            _ = next()
            guard let n = Int(t.text) else { return .literal(.double(Double(t.text) ?? 0)) }
            return .literal(.int(n))
        case .float:
            _ = next()
            return .literal(.double(Double(t.text) ?? 0))
        case .leftParen:
            _ = next()
            let a = try parsePrimary()
            _ = try expect(.dotDot, "'..' in range")
            let b = try parsePrimary()
            _ = try expect(.rightParen, "')'")
            return .range(a, b)
        case .leftBracket:
            _ = next()
            let e = try parsePrimary()
            _ = try expect(.rightBracket, "']'")
            return .dynamicRoot(e, path: try parsePath())
        case .identifier:
            _ = next()
            switch t.text {
            case "true": return .literal(.bool(true))
            case "false": return .literal(.bool(false))
            case "nil", "null": return .literal(.nil)
            case "blank": return .blank
            case "empty": return .empty
            default: break
            }
            return .variable(root: String(t.text), path: try parsePath())
        default:
            throw error("expected a value, found \(describe(t))")
        }
    }

    mutating func parsePath() throws -> [PathSegment] {
        var path: [PathSegment] = []
        while true {
            if current.kind == .dot {
                _ = next()
                let k = try expect(.identifier, "a property name after '.'")
                path.append(.key(String(k.text)))
            } else if current.kind == .leftBracket {
                _ = next()
                let e = try parsePrimary()
                _ = try expect(.rightBracket, "']'")
                switch e {
                case .literal(.string(let s)): path.append(.key(s))
                case .literal(.int(let i)): path.append(.index(i))
                default: path.append(.dynamic(e))
                }
            } else {
                return path
            }
        }
    }

    /// `primary | filter: arg, key: value | ...`
    mutating func parseFiltered() throws -> FilteredExpression {
        let base = try parsePrimary()
        return FilteredExpression(base: base, filters: try parseFilters())
    }

    mutating func parseFilters() throws -> [FilterCall] {
        var filters: [FilterCall] = []
        while current.kind == .pipe {
            _ = next()
            let nameToken = try expect(.identifier, "a filter name")
            let name = String(nameToken.text)
            var arguments: [Expression] = []
            var keywords: [(String, Expression)] = []
            if current.kind == .colon {
                _ = next()
                while true {
                    if current.kind == .identifier, tokens[pos + 1].kind == .colon {
                        let k = next()
                        _ = next()
                        keywords.append((String(k.text), try parsePrimary()))
                    } else {
                        arguments.append(try parsePrimary())
                    }
                    if current.kind == .comma { _ = next(); continue }
                    break
                }
            }
            let definition = try parser.resolveFilter(name, arguments: arguments.count, keywords: keywords.map(\.0), at: nameToken.offset)
            filters.append(FilterCall(name: name, definition: definition, arguments: arguments, keywords: keywords, offset: nameToken.offset))
        }
        return filters
    }

    /// `a == b and c contains d or e` — right-associative, as Ruby Liquid evaluates it.
    mutating func parseCondition() throws -> Condition {
        var operands = [try parseComparison()]
        var operators: [Bool] = []  // true for `and`
        while isKeyword("and") || isKeyword("or") {
            operators.append(next().text == "and")
            operands.append(try parseComparison())
            if operators.count > 200 { throw error("too many 'and'/'or' in one condition") }
        }
        var result = operands.removeLast()
        while let isAnd = operators.popLast() {
            let left = operands.removeLast()
            result = isAnd ? .and(left, result) : .or(left, result)
        }
        return result
    }

    mutating func parseComparison() throws -> Condition {
        let left = try parsePrimary()
        if current.kind == .comparison {
            let t = next()
            let op: ComparisonOperator
            switch t.text {
            case "==": op = .equal
            case "!=", "<>": op = .notEqual
            case "<": op = .lessThan
            case ">": op = .greaterThan
            case "<=": op = .lessOrEqual
            default: op = .greaterOrEqual
            }
            return .comparison(left, op, try parsePrimary())
        }
        if isKeyword("contains") {
            _ = next()
            return .comparison(left, .contains, try parsePrimary())
        }
        return .value(left)
    }

    /// A bare name (assign/capture/for targets): letters, digits, `_`, `-`; no leading `-`.
    mutating func parseName(_ what: String, allowQuestionMark: Bool = false) throws -> String {
        let t = current
        guard t.kind == .identifier || t.kind == .integer, !t.text.hasPrefix("-") else {
            throw error("expected \(what), found \(describe(t))")
        }
        if !allowQuestionMark, t.text.hasSuffix("?") { throw error("invalid name \(describe(t))") }
        _ = next()
        return String(t.text)
    }
}
