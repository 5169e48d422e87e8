/// Phase 1: splits template source into text, output (`{{ }}`) and tag (`{% %}`) tokens, applies
/// whitespace control, and swallows `raw`, `comment` and `doc` bodies, which are not Liquid.
struct Token {
    enum Kind { case text, output, tag }
    var kind: Kind
    /// Text content, output expression, or tag markup (after the tag name).
    var text: Substring
    /// Tag name (empty for text and output).
    var name: Substring = ""
    /// UTF-8 offset of the token in the source, and of `text` (for error columns).
    var offset: Int
    var textOffset: Int
}

struct Lexer {
    let source: String
    let utf8: String.UTF8View
    let name: String?
    private var tokens: [Token] = []
    /// Set when the previous token ended with `-}}` / `-%}`: trim the next text's left side.
    private var trimNext = false

    init(source: String, name: String?) {
        self.source = source
        self.utf8 = source.utf8
        self.name = name
    }

    func error(_ message: String, at offset: Int) -> LiquidError {
        LiquidError(.syntax, message, at: offset, in: source, name: name)
    }

    private func idx(_ o: Int) -> String.Index { utf8.index(utf8.startIndex, offsetBy: o) }

    mutating func tokenize() throws -> [Token] {
        let bytes = Array(utf8)
        let n = bytes.count
        var pos = 0
        var textStart = 0
        while pos < n {
            guard bytes[pos] == UInt8(ascii: "{"), pos + 1 < n,
                  bytes[pos + 1] == UInt8(ascii: "{") || bytes[pos + 1] == UInt8(ascii: "%")
            else { pos += 1; continue }
            let isOutput = bytes[pos + 1] == UInt8(ascii: "{")
            let start = pos
            let trimLeft = pos + 2 < n && bytes[pos + 2] == UInt8(ascii: "-")
            emitText(from: textStart, to: start, trimRight: trimLeft, bytes: bytes)
            let close: UInt8 = isOutput ? UInt8(ascii: "}") : UInt8(ascii: "%")
            var end = pos + 2
            while end + 1 < n, !(bytes[end] == close && bytes[end + 1] == UInt8(ascii: "}")) { end += 1 }
            guard end + 1 < n else {
                throw error(isOutput ? "output '{{' was not closed with '}}'" : "tag '{%' was not closed with '%}'", at: start)
            }
            var innerStart = start + 2 + (trimLeft ? 1 : 0)
            var innerEnd = end
            let trimRight = innerEnd > innerStart && bytes[innerEnd - 1] == UInt8(ascii: "-")
            if trimRight { innerEnd -= 1 }
            pos = end + 2
            if isOutput {
                tokens.append(Token(kind: .output, text: source[idx(innerStart)..<idx(innerEnd)], offset: start, textOffset: innerStart))
                trimNext = trimRight
            } else {
                while innerStart < innerEnd, Lexer.isSpace(bytes[innerStart]) { innerStart += 1 }
                var nameEnd = innerStart
                if nameEnd < innerEnd, bytes[nameEnd] == UInt8(ascii: "#") {
                    nameEnd += 1
                } else {
                    while nameEnd < innerEnd, Lexer.isWordByte(bytes[nameEnd]) { nameEnd += 1 }
                }
                if nameEnd == innerStart {
                    throw error("expected a tag name", at: innerStart)
                }
                let tagName = source[idx(innerStart)..<idx(nameEnd)]
                var markupStart = nameEnd
                while markupStart < innerEnd, Lexer.isSpace(bytes[markupStart]) { markupStart += 1 }
                let markup = source[idx(markupStart)..<idx(max(markupStart, innerEnd))]
                trimNext = trimRight
                switch tagName {
                case "raw":
                    let (body, after, endTrimRight) = try findEnd("endraw", from: pos, bytes: bytes, openedAt: start)
                    tokens.append(Token(kind: .text, text: source[idx(pos)..<idx(body)], offset: pos, textOffset: pos))
                    pos = after
                    trimNext = endTrimRight
                case "comment":
                    pos = try skipComment(from: pos, bytes: bytes, openedAt: start)
                case "doc":
                    if !markup.allSatisfy({ $0.isWhitespace }) {
                        throw error("unexpected arguments to 'doc'", at: markupStart)
                    }
                    let (_, after, endTrimRight) = try findEnd("enddoc", from: pos, bytes: bytes, openedAt: start)
                    pos = after
                    trimNext = endTrimRight
                default:
                    tokens.append(Token(kind: .tag, text: markup, name: tagName, offset: start, textOffset: markupStart))
                }
            }
            textStart = pos
        }
        emitText(from: textStart, to: n, trimRight: false, bytes: bytes)
        return tokens
    }

    private mutating func emitText(from a: Int, to b: Int, trimRight: Bool, bytes: [UInt8]) {
        var s = a, e = b
        if trimNext { while s < e, Lexer.isSpace(bytes[s]) { s += 1 } }
        if trimRight { while e > s, Lexer.isSpace(bytes[e - 1]) { e -= 1 } }
        trimNext = false
        if e > s {
            tokens.append(Token(kind: .text, text: source[idx(s)..<idx(e)], offset: s, textOffset: s))
        }
    }

    /// Finds `{%- endNAME -%}`; returns (body end, offset after the tag, whether it trims right).
    /// Whitespace before a `{%-` end tag is trimmed from the body.
    private func findEnd(_ endName: String, from: Int, bytes: [UInt8], openedAt: Int) throws -> (Int, Int, Bool) {
        var p = from
        let n = bytes.count
        let nameBytes = Array(endName.utf8)
        while p + 1 < n {
            if bytes[p] == UInt8(ascii: "{"), bytes[p + 1] == UInt8(ascii: "%") {
                var q = p + 2
                let trimLeft = q < n && bytes[q] == UInt8(ascii: "-")
                if trimLeft { q += 1 }
                while q < n, Lexer.isSpace(bytes[q]) { q += 1 }
                if q + nameBytes.count <= n, Array(bytes[q..<q + nameBytes.count]) == nameBytes {
                    q += nameBytes.count
                    while q < n, Lexer.isSpace(bytes[q]) { q += 1 }
                    var trimRight = false
                    if q < n, bytes[q] == UInt8(ascii: "-") { trimRight = true; q += 1 }
                    if q + 1 < n, bytes[q] == UInt8(ascii: "%"), bytes[q + 1] == UInt8(ascii: "}") {
                        var bodyEnd = p
                        if trimLeft { while bodyEnd > from, Lexer.isSpace(bytes[bodyEnd - 1]) { bodyEnd -= 1 } }
                        return (bodyEnd, q + 2, trimRight)
                    }
                }
            }
            p += 1
        }
        throw error("'\(endName.dropFirst(3))' was never closed", at: openedAt)
    }

    /// Skips a (possibly nested) comment; its inner tags must still be well formed.
    private mutating func skipComment(from: Int, bytes: [UInt8], openedAt: Int) throws -> Int {
        var depth = 1
        var p = from
        let n = bytes.count
        while p + 1 < n {
            guard bytes[p] == UInt8(ascii: "{"), bytes[p + 1] == UInt8(ascii: "%") else { p += 1; continue }
            let tagStart = p
            var q = p + 2
            if q < n, bytes[q] == UInt8(ascii: "-") { q += 1 }
            while q < n, Lexer.isSpace(bytes[q]) { q += 1 }
            let nameStart = q
            while q < n, Lexer.isWordByte(bytes[q]) { q += 1 }
            let tagName = String(decoding: bytes[nameStart..<q], as: UTF8.self)
            var end = q
            while end + 1 < n, !(bytes[end] == UInt8(ascii: "%") && bytes[end + 1] == UInt8(ascii: "}")) { end += 1 }
            guard end + 1 < n else { break }
            if tagName.isEmpty, !(nameStart < n && bytes[nameStart] == UInt8(ascii: "#")) {
                throw error("expected a tag name", at: nameStart)
            }
            let trimRight = end > q && bytes[end - 1] == UInt8(ascii: "-")
            p = end + 2
            switch tagName {
            case "comment": depth += 1
            case "endcomment":
                depth -= 1
                if depth == 0 { trimNext = trimRight; return p }
            case "raw":
                let (_, after, _) = try findEnd("endraw", from: p, bytes: bytes, openedAt: tagStart)
                p = after
            default: break
            }
        }
        throw error("'comment' was never closed", at: openedAt)
    }

    @inline(__always) static func isSpace(_ b: UInt8) -> Bool {
        b == 32 || b == 10 || b == 9 || b == 13 || b == 11 || b == 12
    }

    @inline(__always) static func isWordByte(_ b: UInt8) -> Bool {
        (b >= 97 && b <= 122) || (b >= 65 && b <= 90) || (b >= 48 && b <= 57) || b == 95
    }
}
