/// Phase 2's output: a template is a list of `Node`s; expressions are `Expression`s.
indirect enum Node {
    /// Literal text, kept as UTF-8 so that rendering is a plain copy.
    case text([UInt8])
    case output(FilteredExpression, offset: Int)
    case assign(name: String, FilteredExpression, offset: Int)
    case capture(name: String, body: [Node])
    case increment(name: String)
    case decrement(name: String)
    /// `if`/`elsif`/`else` and `unless` (whose first condition is negated).
    case conditional(branches: [ConditionalBranch], elseBody: [Node]?, negateFirst: Bool)
    case caseTag(subject: Expression, clauses: [CaseClause])
    case forLoop(ForLoop)
    case tablerow(ForLoop)
    case breakLoop
    case continueLoop
    case cycle(group: Expression?, values: [Expression], key: String, offset: Int)
    case echo(FilteredExpression, offset: Int)
    case partial(PartialCall)
    case ifchanged(body: [Node])
    case layout(name: Expression?, offset: Int)
    /// The body of a `{% liquid %}` tag.
    case block([Node])

    /// Ruby Liquid's `blank?`: a block made only of these and whitespace renders nothing.
    var isBlank: Bool {
        switch self {
        case .text(let s): return s.allSatisfy(Lexer.isSpace)
        case .assign, .capture, .layout: return true
        case .conditional(let branches, let elseBody, _):
            return branches.allSatisfy { $0.body.allSatisfy(\.isBlank) } && (elseBody ?? []).allSatisfy(\.isBlank)
        case .caseTag(_, let clauses): return clauses.allSatisfy { $0.body.allSatisfy(\.isBlank) }
        case .forLoop(let f): return f.body.allSatisfy(\.isBlank) && (f.elseBody ?? []).allSatisfy(\.isBlank)
        case .block(let nodes): return nodes.allSatisfy(\.isBlank)
        case .breakLoop, .continueLoop: return true
        default: return false
        }
    }
}

/// Drops whitespace-only text from a blank block's body, as Ruby Liquid does.
func stripBlank(_ nodes: [Node]) -> [Node] {
    nodes.filter { if case .text = $0 { return !$0.isBlank } else { return true } }
}

struct ConditionalBranch {
    var condition: Condition
    var body: [Node]
}

struct CaseClause {
    /// nil for `else`.
    var values: [Expression]?
    var body: [Node]
}

/// What a `for`/`tablerow` tag says before its body.
struct LoopHeader {
    var variable: String
    var collection: Expression
    /// `x-collection`, the key `offset: continue` remembers positions under.
    var name: String
    var limit: Expression?
    var offset: Expression?
    var offsetContinue = false
    var reversed = false
    var cols: Expression?
    var offsetInSource: Int
}

final class ForLoop {
    let variable: String
    let collection: Expression
    let name: String
    let limit: Expression?
    let offset: Expression?
    let offsetContinue: Bool
    let reversed: Bool
    let cols: Expression?
    let body: [Node]
    let elseBody: [Node]?
    let offsetInSource: Int

    init(_ h: LoopHeader, body: [Node], elseBody: [Node]?) {
        variable = h.variable
        collection = h.collection
        name = h.name
        limit = h.limit
        offset = h.offset
        offsetContinue = h.offsetContinue
        reversed = h.reversed
        cols = h.cols
        offsetInSource = h.offsetInSource
        self.body = body
        self.elseBody = elseBody
    }
}

final class PartialCall {
    enum Mode { case render, include }
    let mode: Mode
    let name: Expression
    /// `with expr` / `for expr`, and the alias (defaults to the partial's name).
    let with: Expression?
    let forCollection: Expression?
    let alias: String?
    let arguments: [(String, Expression)]
    let offset: Int

    init(mode: Mode, name: Expression, with: Expression?, forCollection: Expression?, alias: String?,
         arguments: [(String, Expression)], offset: Int) {
        self.mode = mode
        self.name = name
        self.with = with
        self.forCollection = forCollection
        self.alias = alias
        self.arguments = arguments
        self.offset = offset
    }
}

/// A primary expression.
indirect enum Expression {
    case literal(Value)
    case variable(root: String, path: [PathSegment])
    /// `[expr].rest` at the top level.
    case dynamicRoot(Expression, path: [PathSegment])
    case range(Expression, Expression)
    /// The special literals `blank` and `empty` (compare specially; print as "").
    case blank
    case empty

    var description: String {
        switch self {
        case .literal(let v): return v.isString ? "'\(v.stringValue)'" : v.outputString
        case .variable(let root, let path): return root + path.map(\.description).joined()
        case .dynamicRoot(let e, let path): return "[\(e.description)]" + path.map(\.description).joined()
        case .range(let a, let b): return "(\(a.description)..\(b.description))"
        case .blank: return "blank"
        case .empty: return "empty"
        }
    }
}

enum PathSegment {
    case key(String)
    case index(Int)
    case dynamic(Expression)

    var description: String {
        switch self {
        case .key(let k): return "." + k
        case .index(let i): return "[\(i)]"
        case .dynamic(let e): return "[\(e.description)]"
        }
    }
}

/// A filter application; a class, so rendering passes it around without copying its parts.
final class FilterCall {
    let name: String
    /// nil for an unknown filter (an error when rendered; a parse error in strict mode).
    let definition: FilterDefinition?
    let arguments: [Expression]
    let keywords: [(String, Expression)]
    let offset: Int

    init(name: String, definition: FilterDefinition?, arguments: [Expression], keywords: [(String, Expression)], offset: Int) {
        self.name = name
        self.definition = definition
        self.arguments = arguments
        self.keywords = keywords
        self.offset = offset
    }
}

final class FilteredExpression {
    let base: Expression
    let filters: [FilterCall]

    init(base: Expression, filters: [FilterCall]) {
        self.base = base
        self.filters = filters
    }
}

enum ComparisonOperator: String {
    case equal = "==", notEqual = "!=", lessThan = "<", greaterThan = ">"
    case lessOrEqual = "<=", greaterOrEqual = ">=", contains = "contains"
}

indirect enum Condition {
    case value(Expression)
    case comparison(Expression, ComparisonOperator, Expression)
    case and(Condition, Condition)
    case or(Condition, Condition)
}
