/// `{% tablerow x in collection cols: n limit: n offset: n %}`: table rows and cells, with the
/// `tablerowloop` object.
enum TablerowTag {
    static func parse(_ p: inout Parser, _ t: Token) throws -> Node {
        let h = try ForTag.header(&p, t, allowCols: true)
        return .tablerow(ForLoop(h, body: try p.parseBlock(t, until: ["endtablerow"]).0, elseBody: nil))
    }
}

extension RenderContext {
    mutating func renderTablerow(_ f: ForLoop) throws -> Flow {
        let items = try loopItems(f)
        var cols = items.count
        if let c = f.cols {
            let v = try evaluate(c)
            if !v.isNil { cols = toInteger(v) }
        }
        if cols <= 0 { cols = max(1, items.count) }
        let drop = ForloopDrop(name: f.name, length: items.count, parent: loops.last)
        drop.isTablerow = true
        drop.cols = cols
        loops.append(drop)
        scopes.append(["tablerowloop": .drop(drop)])
        let top = scopes.count - 1
        defer {
            scopes.removeLast()
            loops.removeLast()
        }
        try write("<tr class=\"row1\">\n")
        for (i, item) in items.enumerated() {
            try budget.countIteration()
            drop.index0 = i
            scopes[top][f.variable] = item
            let col = i % cols + 1
            try write("<td class=\"col\(col)\">")
            let flow = try render(f.body)
            try write("</td>")
            if case .breakLoop = flow { break }
            try checkOutput()
            if col == cols && i != items.count - 1 {
                try write("</tr>\n<tr class=\"row\(i / cols + 2)\">")
            }
        }
        try write("</tr>\n")
        return .normal
    }
}
