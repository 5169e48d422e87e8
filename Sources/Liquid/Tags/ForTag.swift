/// `{% for x in collection limit: n offset: n|continue reversed %}...{% else %}...{% endfor %}`,
/// with `{% break %}`, `{% continue %}` and the `forloop` object.
enum ForTag {
    static func parse(_ p: inout Parser, _ t: Token) throws -> Node {
        let h = try header(&p, t, allowCols: false)
        var (body, closing) = try p.parseBlock(t, until: ["else", "endfor"])
        var elseBody: [Node]?
        if closing.name == "else" {
            elseBody = try p.parseBlock(t, until: ["endfor"]).0
        }
        if Node.forLoop(ForLoop(h, body: body, elseBody: elseBody)).isBlank {
            body = stripBlank(body)
            elseBody = elseBody.map(stripBlank)
        }
        _ = closing
        return .forLoop(ForLoop(h, body: body, elseBody: elseBody))
    }

    static func parseBreak(_ p: inout Parser, _ t: Token) throws -> Node { .breakLoop }
    static func parseContinue(_ p: inout Parser, _ t: Token) throws -> Node { .continueLoop }

    /// The shared header of `for` and `tablerow`.
    static func header(_ p: inout Parser, _ t: Token, allowCols: Bool) throws -> LoopHeader {
        var e = try p.expressions(t)
        let variable = try e.parseName("a loop variable", allowQuestionMark: true)
        guard e.isKeyword("in") else { throw e.error("expected 'in', found \(e.describe(e.current))") }
        _ = e.next()
        let collection = try e.parsePrimary()
        var loop = LoopHeader(variable: variable, collection: collection, name: "\(variable)-\(collection.description)",
                              offsetInSource: t.offset)
        while !e.atEnd {
            if e.current.kind == .comma { _ = e.next(); continue }
            let word = try e.expect(.identifier, "a loop parameter")
            if word.text == "reversed" { loop.reversed = true; continue }
            _ = try e.expect(.colon, "':' after '\(word.text)'")
            switch word.text {
            case "limit": loop.limit = try e.parsePrimary()
            case "offset":
                if e.isKeyword("continue") { _ = e.next(); loop.offsetContinue = true } else { loop.offset = try e.parsePrimary() }
            case "cols" where allowCols: loop.cols = try e.parsePrimary()
            default: throw e.error("unknown loop parameter '\(word.text)'", word)
            }
        }
        return loop
    }
}

/// `forloop` (and `tablerowloop`): one object per loop, updated in place each iteration.
final class ForloopDrop: LiquidDrop {
    let name: String
    let length: Int
    let parent: ForloopDrop?
    var index0 = 0
    // tablerow only
    var cols = 0
    var isTablerow = false

    init(name: String, length: Int, parent: ForloopDrop?) {
        self.name = name
        self.length = length
        self.parent = parent
    }

    func liquidValue(forKey key: String) -> Value? {
        switch key {
        case "index": return .int(index0 + 1)
        case "index0": return .int(index0)
        case "rindex": return .int(length - index0)
        case "rindex0": return .int(length - index0 - 1)
        case "first": return .bool(index0 == 0)
        case "last": return .bool(index0 == length - 1)
        case "length": return .int(length)
        case "name": return .string(name)
        case "parentloop": return parent.map { .drop($0) }
        default: break
        }
        guard isTablerow else { return nil }
        let col0 = index0 % cols
        switch key {
        case "col": return .int(col0 + 1)
        case "col0": return .int(col0)
        case "col_first": return .bool(col0 == 0)
        case "col_last": return .bool(col0 == cols - 1 || index0 == length - 1)
        case "row": return .int(index0 / cols + 1)
        default: return nil
        }
    }
}

extension RenderContext {
    /// The items a `for`/`tablerow` visits after `offset` and `limit`.
    mutating func loopItems(_ f: ForLoop) throws -> [Value] {
        let collection: Value
        if case .range(let a, let b) = f.collection {
            collection = try range(a, b, counted: false)
        } else {
            collection = try evaluate(f.collection)
        }
        var items: [Value]
        switch collection {
        case .string(let s): items = s.isEmpty ? [] : [collection]
        case .array, .dictionary: items = collection.iterationElements
        default: items = []
        }
        var start = 0
        if f.offsetContinue {
            start = forOffsets[f.name] ?? 0
        } else if let o = f.offset {
            start = min(max(0, try loopParameter(try evaluate(o), "offset") ?? 0), Int.max / 2)
        }
        var end = items.count
        if let l = f.limit {
            if let limit = try loopParameter(try evaluate(l), "limit") { end = min(items.count, start + min(max(0, limit), items.count)) }
        }
        forOffsets[f.name] = end
        if start >= end { return [] }
        if start > 0 || end < items.count { items = Array(items[start..<end]) }
        if f.reversed { items.reverse() }
        return items
    }

    func loopParameter(_ v: Value, _ name: String) throws -> Int? {
        switch v {
        case .nil: return nil
        case .int(let i): return i
        case .double(let d) where d.isFinite && abs(d) < 9e18: return Int(d)
        case .string(let s), .safe(let s):
            if let i = Int(s.trimmingSpaces) { return i }
        default: break
        }
        throw error("loop \(name) must be an integer, got \(v.outputString)")
    }

    mutating func renderFor(_ f: ForLoop) throws -> Flow {
        let items = try loopItems(f)
        if items.isEmpty {
            if let elseBody = f.elseBody { return try render(elseBody) }
            return .normal
        }
        let drop = ForloopDrop(name: f.name, length: items.count, parent: loops.last)
        loops.append(drop)
        scopes.append(["forloop": .drop(drop), f.variable: .nil])
        let top = scopes.count - 1
        let slot = scopes[top].position(of: f.variable)!
        defer {
            scopes.removeLast()
            loops.removeLast()
        }
        for (i, item) in items.enumerated() {
            try budget.countIteration()
            drop.index0 = i
            scopes[top].set(at: slot, item)
            if case .breakLoop = try render(f.body) { break }
            try checkOutput()
        }
        return .normal
    }
}
