/// Every error the engine raises: where it happened and why. Line and column are computed from
/// the source offset only when asked for.
public struct LiquidError: Error, CustomStringConvertible, Sendable {
    public enum Kind: String, Sendable {
        /// The template cannot be parsed (unknown tag, bad expression, unclosed block, ...).
        case syntax
        /// A render failed: bad filter arguments, a missing partial, strict-mode lookups.
        case render
        /// An undefined variable in strict mode.
        case undefinedVariable
        /// An unknown filter (a parse error in strict mode).
        case unknownFilter
        /// A partial or layout could not be found or read.
        case templateNotFound
        /// A resource limit was exceeded (nesting, loop iterations, output size, render time).
        case limitExceeded
    }

    public let kind: Kind
    public let message: String
    /// The template the error is in (its name in the library, or the name given to `parse`).
    public internal(set) var templateName: String?
    /// UTF-8 offset into `source` (nil when the error has no position).
    var offset: Int?
    var source: String?

    public init(kind: Kind, message: String, templateName: String? = nil) {
        self.kind = kind
        self.message = message
        self.templateName = templateName
    }

    init(_ kind: Kind, _ message: String, at offset: Int?, in source: String?, name: String?) {
        self.kind = kind
        self.message = message
        self.offset = offset
        self.source = source
        self.templateName = name
    }

    /// 1-based line, 0 when unknown.
    public var line: Int { position.line }
    /// 1-based column in characters, 0 when unknown.
    public var column: Int { position.column }

    private var position: (line: Int, column: Int, lineText: Substring) {
        guard let offset, let source else { return (0, 0, "") }
        let utf8 = source.utf8
        let target = utf8.index(utf8.startIndex, offsetBy: min(offset, utf8.count))
        var line = 1
        var lineStart = utf8.startIndex
        var i = utf8.startIndex
        while i < target {
            if utf8[i] == 10 { line += 1; lineStart = utf8.index(after: i) }
            i = utf8.index(after: i)
        }
        let column = source[lineStart..<target].count + 1
        var lineEnd = lineStart
        while lineEnd < utf8.endIndex, utf8[lineEnd] != 10, utf8[lineEnd] != 13 { lineEnd = utf8.index(after: lineEnd) }
        return (line, column, source[lineStart..<lineEnd])
    }

    /// `name:line:column: message`, then the source line and a caret under the column.
    public var description: String {
        let p = position
        let where_ = (templateName ?? "<template>") + (p.line > 0 ? ":\(p.line):\(p.column)" : "")
        var text = "\(where_): \(kind.rawValue) error: \(message)"
        if p.line > 0 {
            let gutter = "\(p.line) | "
            text += "\n" + gutter + p.lineText
            text += "\n" + String(repeating: " ", count: gutter.count + p.column - 1) + "^"
        }
        return text
    }

    func withLocation(offset: Int, source: String, name: String?) -> LiquidError {
        var e = self
        if e.offset == nil { e.offset = offset; e.source = source }
        if e.templateName == nil { e.templateName = name }
        return e
    }
}
