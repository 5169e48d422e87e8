/// `{% # comment %}`: every line of a multi-line inline comment must start with `#`.
enum InlineCommentTag {
    static func parse(_ p: inout Parser, _ t: Token) throws -> Node {
        var offset = t.textOffset
        for (i, line) in t.text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            defer { offset += line.utf8.count + 1 }
            if i == 0 { continue }
            let trimmed = line.drop(while: { $0.isWhitespace })
            if !trimmed.isEmpty && !trimmed.hasPrefix("#") {
                throw p.error("every line of an inline comment must start with '#'", at: offset)
            }
        }
        return .block([])
    }
}
