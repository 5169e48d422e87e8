#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Phase 3: walks the nodes, evaluating expressions against a `RenderContext` and appending
/// to its output.
enum Flow { case normal, breakLoop, continueLoop }

/// What one render may still spend; shared by the template, its partials and its layout.
final class RenderBudget {
    let limits: Environment.Limits
    var iterations = 0
    /// How deep block bodies and partials may nest, across partials, so that no template can
    /// exhaust the stack.
    let maxDepth: Int
    let deadline: UInt64
    private var sinceClockCheck = 0

    init(limits: Environment.Limits) {
        self.limits = limits
        self.maxDepth = limits.maxNestingDepth + limits.maxPartialDepth
        self.deadline = RenderBudget.nowNanoseconds() &+ UInt64(max(0, limits.maxRenderSeconds) * 1e9)
    }

    static func nowNanoseconds() -> UInt64 {
        var ts = timespec()
        clock_gettime(CLOCK_MONOTONIC, &ts)
        return UInt64(ts.tv_sec) &* 1_000_000_000 &+ UInt64(ts.tv_nsec)
    }

    @inline(__always) func countIteration(_ n: Int = 1) throws {
        iterations &+= n
        if iterations > limits.maxLoopIterations || iterations < 0 {
            throw LiquidError(kind: .limitExceeded, message: "more than \(limits.maxLoopIterations) loop iterations")
        }
        try countWork(n)
    }

    /// Work done since the clock was last read: loop iterations, filter calls and the items and
    /// bytes they touch. The clock is read every 4,096 units, so one costly step cannot run
    /// thousands of times between two checks.
    @inline(__always) func countWork(_ units: Int) throws {
        sinceClockCheck &+= units
        if sinceClockCheck >= 4096 { try checkClock() }
    }

    func checkClock() throws {
        sinceClockCheck = 0
        if RenderBudget.nowNanoseconds() > deadline {
            throw LiquidError(kind: .limitExceeded, message: "render took longer than \(limits.maxRenderSeconds) seconds")
        }
    }

    /// Strings and arrays built by filters count against the output limit too.
    func checkSize(_ v: Value) throws {
        switch v {
        case .string(let s), .safe(let s):
            if s.utf8.count > limits.maxOutputBytes {
                throw LiquidError(kind: .limitExceeded, message: "string larger than \(limits.maxOutputBytes) bytes")
            }
        case .array(let a):
            if a.count > limits.maxLoopIterations {
                throw LiquidError(kind: .limitExceeded, message: "array longer than \(limits.maxLoopIterations) items")
            }
        default: break
        }
    }
}

struct RenderContext {
    let environment: Environment
    let options: RenderOptions
    let autoescape: Bool
    let strict: Bool
    let budget: RenderBudget
    /// The data given to the render.
    let globals: [String: Value]
    var assigns = VariableTable()
    var counters: [String: Int] = [:]
    /// Block-local variables: loop variables, `include`/`render` arguments.
    var scopes: [VariableTable] = []
    var cycles: [String: Int] = [:]
    var forOffsets: [String: Int] = [:]
    var ifchangedLast: String?
    var loops: [ForloopDrop] = []
    var layout: Expression?
    var argumentBuffer: [Value] = []
    var partialDepth = 0
    /// Block bodies being rendered, one inside the other, including those of calling templates.
    var depth = 0
    /// The template being rendered (for error positions).
    var template: ParsedTemplate
    /// The output so far, as UTF-8.
    var out: [UInt8] = []
    let maxOutputBytes: Int
    var outputText: String { String(decoding: out, as: UTF8.self) }

    init(environment: Environment, options: RenderOptions, globals: [String: Value], budget: RenderBudget, template: ParsedTemplate) {
        self.environment = environment
        self.options = options
        self.autoescape = environment.autoescape
        self.strict = environment.strict
        self.globals = globals
        self.budget = budget
        self.template = template
        self.maxOutputBytes = budget.limits.maxOutputBytes
    }

    func error(_ message: String, kind: LiquidError.Kind = .render) -> LiquidError {
        LiquidError(kind: kind, message: message)
    }

    /// Renders another template's nodes in this context, attributing errors to it.
    mutating func renderTemplate(_ t: ParsedTemplate) throws -> Flow {
        let saved = template
        template = t
        defer { template = saved }
        return try render(t.nodes)
    }

    mutating func render(_ nodes: [Node]) throws -> Flow {
        depth += 1
        defer { depth -= 1 }
        if depth > budget.maxDepth {
            throw error("blocks and partials nested deeper than \(budget.maxDepth)", kind: .limitExceeded)
        }
        for node in nodes {
            let flow = try render(node)
            if case .normal = flow { continue }
            return flow
        }
        return .normal
    }

    @inline(__always) func locate(_ e: Error, _ offset: Int) -> Error {
        guard let le = e as? LiquidError else { return e }
        return le.withLocation(offset: offset, source: template.source, name: template.name)
    }

    mutating func render(_ node: Node) throws -> Flow {
        switch node {
        case .text(let bytes):
            out.append(contentsOf: bytes)
        case .output(let e, let offset), .echo(let e, let offset):
            do { try writeValue(try evaluate(e)) } catch { throw locate(error, offset) }
        case .assign(let name, let e, let offset):
            do { assigns[name] = try evaluate(e) } catch { throw locate(error, offset) }
        case .capture(let name, let body):
            var saved: [UInt8] = []
            swap(&saved, &out)
            defer { swap(&saved, &out) }
            _ = try render(body)
            try checkOutput()
            let text = outputText
            assigns[name] = autoescape ? .safe(text) : .string(text)
        case .increment(let name):
            let n = counters[name] ?? 0
            counters[name] = n + 1
            writeInteger(n)
        case .decrement(let name):
            let n = (counters[name] ?? 0) - 1
            counters[name] = n
            writeInteger(n)
        case .conditional(let branches, let elseBody, let negateFirst):
            for (i, branch) in branches.enumerated() {
                var ok = try test(branch.condition)
                if i == 0 && negateFirst { ok = !ok }
                if ok { return try render(branch.body) }
            }
            if let elseBody { return try render(elseBody) }
        case .caseTag(let subject, let clauses):
            return try renderCase(subject, clauses)
        case .forLoop(let f):
            do { return try renderFor(f) } catch { throw locate(error, f.offsetInSource) }
        case .tablerow(let f):
            do { return try renderTablerow(f) } catch { throw locate(error, f.offsetInSource) }
        case .breakLoop: return .breakLoop
        case .continueLoop: return .continueLoop
        case .cycle(let group, let values, let key, let offset):
            do { try renderCycle(group, values, key) } catch { throw locate(error, offset) }
        case .partial(let call):
            do { return try renderPartial(call) } catch { throw locate(error, call.offset) }
        case .ifchanged(let body):
            var saved: [UInt8] = []
            swap(&saved, &out)
            _ = try render(body)
            swap(&saved, &out)
            let text = String(decoding: saved, as: UTF8.self)
            if text != ifchangedLast {
                ifchangedLast = text
                out.append(contentsOf: saved)
            }
        case .layout(let name, _):
            layout = name
        case .block(let nodes):
            return try render(nodes)
        }
        return .normal
    }

    // MARK: - output

    /// Appends text; the output limit is checked by `writeValue`, loops and partials, which are
    /// what can make output grow beyond the template's own size.
    @inline(__always) mutating func write(_ s: String) throws {
        out.append(contentsOf: s.utf8)
    }

    mutating func writeInteger(_ i: Int) {
        if i >= 0 && i < 10 { out.append(UInt8(48 + i)); return }
        if i == Int.min { out.append(contentsOf: String(i).utf8); return }
        var n = i.magnitude
        var digits: (UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8,
                     UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8) =
            (0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0)
        var count = 0
        withUnsafeMutableBytes(of: &digits) { buf in
            while n > 0 { buf[19 - count] = UInt8(48 + n % 10); n /= 10; count += 1 }
            if i < 0 { out.append(45) }
            out.append(contentsOf: buf[(20 - count)...])
        }
    }

    @inline(__always) func checkOutput() throws {
        if out.count > maxOutputBytes {
            throw LiquidError(kind: .limitExceeded, message: "output larger than \(maxOutputBytes) bytes")
        }
    }

    mutating func writeValue(_ v: Value) throws {
        switch v {
        case .nil: return
        case .int(let i): writeInteger(i)
        case .safe(let s): try write(s)
        case .string(let s): try autoescape ? writeEscaped(s) : write(s)
        default:
            let s = v.outputString
            try autoescape ? writeEscaped(s) : write(s)
        }
        try checkOutput()
    }

    mutating func writeEscaped(_ s: String) throws {
        try write(htmlEscape(s))
    }

    // MARK: - variables

    /// A variable by name, searching loop scopes, assigns, counters and finally the render's data.
    @inline(__always) func resolve(_ name: String) -> Value? {
        var i = scopes.count - 1
        while i >= 0 {
            if let v = scopes[i][name] { return v }
            i -= 1
        }
        if let v = assigns[name] { return v }
        if !counters.isEmpty, let n = counters[name] { return .int(n) }
        return globals[name]
    }

    func undefined(_ what: String) throws -> Value {
        if strict { throw error("undefined variable '\(what)'", kind: .undefinedVariable) }
        return .nil
    }

    func evaluate(_ e: Expression) throws -> Value {
        switch e {
        case .literal(let v):
            return v
        case .variable(let root, let path):
            guard let v = resolve(root) else { return try undefined(root) }
            if path.isEmpty { return v }
            return try follow(v, path, root)
        case .dynamicRoot(let keyExpr, let path):
            let key = try evaluate(keyExpr).stringValue
            guard let v = resolve(key) else { return try undefined(key) }
            return try follow(v, path, key)
        case .range(let a, let b):
            // Building a range is loop work: it counts against the iteration limit.
            return try range(a, b, counted: true)
        case .blank, .empty:
            return .string("")
        }
    }

    /// `(a..b)` as an array; `counted: false` when a loop will count each item as it visits it.
    func range(_ a: Expression, _ b: Expression, counted: Bool) throws -> Value {
        let lo = toInteger(try evaluate(a)), hi = toInteger(try evaluate(b))
        if hi < lo { return .array([]) }
        let (span, overflow) = hi.subtractingReportingOverflow(lo)
        if overflow || span >= budget.limits.maxLoopIterations {
            throw error("range (\(lo)..\(hi)) is larger than the loop limit", kind: .limitExceeded)
        }
        if counted { try budget.countIteration(span + 1) }
        return .array((lo...hi).map { .int($0) })
    }

    func follow(_ start: Value, _ path: [PathSegment], _ rootName: String) throws -> Value {
        var v = start
        for i in path.indices {
            let next: Value?
            switch path[i] {
            case .key(let k): next = v.lookup(k)
            case .index(let i): next = v.lookup(index: i)
            case .dynamic(let e):
                let key = try evaluate(e)
                switch key {
                case .int(let i): next = v.lookup(index: i)
                case .double(let d): next = d.isFinite && abs(d) < 9e18 ? v.lookup(index: Int(d)) : nil
                default: next = v.lookup(key.stringValue)
                }
            }
            guard let n = next else { return try undefined(rootName) }
            v = n
        }
        return v
    }

    mutating func evaluate(_ e: FilteredExpression) throws -> Value {
        var v = try evaluate(e.base)
        if e.filters.isEmpty { return v }
        for f in e.filters {
            do { v = try apply(f, to: v) } catch { throw locate(error, f.offset) }
        }
        return v
    }


    mutating func apply(_ f: FilterCall, to input: Value) throws -> Value {
        guard let def = f.definition else {
            if strict { throw error("unknown filter '\(f.name)'", kind: .unknownFilter) }
            throw error("unknown filter '\(f.name)'", kind: .unknownFilter)
        }
        // Arguments go into a reused buffer: most filters take one or two.
        var args: [Value] = []
        if !f.arguments.isEmpty {
            swap(&args, &argumentBuffer)
            args.removeAll(keepingCapacity: true)
            for a in f.arguments { args.append(try evaluate(a)) }
        }
        defer { if !args.isEmpty { swap(&args, &argumentBuffer) } }
        var keywords: [String: Value] = [:]
        for (k, e) in f.keywords { keywords[k] = try evaluate(e) }
        let result = try def.apply(input, args, keywords, options)
        try budget.checkSize(result)
        try budget.countWork(1 + Self.workSize(input) + Self.workSize(result))
        return result
    }

    /// A rough measure of what a filter touched: items of arrays, 64-byte blocks of strings.
    @inline(__always) static func workSize(_ v: Value) -> Int {
        switch v {
        case .array(let a): return a.count
        case .string(let s), .safe(let s): return s.utf8.count >> 6
        case .dictionary(let d): return d.count
        default: return 0
        }
    }

    // MARK: - conditions

    func test(_ c: Condition) throws -> Bool {
        switch c {
        case .value(let e): return try evaluate(e).isTruthy
        case .and(let a, let b): return try test(a) && test(b)
        case .or(let a, let b): return try test(a) || test(b)
        case .comparison(let l, let op, let r): return try compare(l, op, r)
        }
    }

    func compare(_ l: Expression, _ op: ComparisonOperator, _ r: Expression) throws -> Bool {
        if op == .equal || op == .notEqual {
            let eq: Bool
            switch (l, r) {
            case (.blank, .blank), (.empty, .empty): eq = true
            case (.blank, .empty), (.empty, .blank): eq = false
            case (_, .blank): eq = try evaluate(l).isBlankValue
            case (.blank, _): eq = try evaluate(r).isBlankValue
            case (_, .empty): eq = try evaluate(l).isEmptyValue
            case (.empty, _): eq = try evaluate(r).isEmptyValue
            default: eq = Value.liquidEqual(try evaluate(l), try evaluate(r))
            }
            return op == .equal ? eq : !eq
        }
        switch (l, r) {
        case (.blank, _), (.empty, _), (_, .blank), (_, .empty): return false
        default: break
        }
        let a = try evaluate(l), b = try evaluate(r)
        if op == .contains { return Self.contains(a, b) }
        guard let c = Value.liquidCompare(a, b) else {
            if a.isNil || b.isNil { return false }
            throw error("cannot compare \(a.typeName) with \(b.typeName)")
        }
        switch op {
        case .lessThan: return c < 0
        case .greaterThan: return c > 0
        case .lessOrEqual: return c <= 0
        default: return c >= 0
        }
    }

    static func contains(_ a: Value, _ b: Value) -> Bool {
        switch a {
        case .string(let s), .safe(let s):
            if b.isNil { return false }
            let needle = b.stringValue
            return ByteSearch.contains(s, needle)
        case .array(let items):
            switch b {
            case .nil, .bool(false): return false
            default: return items.contains { Value.liquidEqual($0, b) }
            }
        case .dictionary(let d):
            guard b.isString else { return false }
            return d[b.stringValue] != nil
        case .drop(let d):
            guard b.isString else { return false }
            return d.liquidValue(forKey: b.stringValue) != nil
        default:
            return false
        }
    }
}

extension Value {
    var typeName: String {
        switch self {
        case .nil: return "nil"
        case .bool: return "boolean"
        case .int: return "integer"
        case .double: return "float"
        case .string, .safe: return "string"
        case .array: return "array"
        case .dictionary: return "object"
        case .drop: return "drop"
        }
    }
}

/// Integer view of a value: what ranges, `limit`, `offset` and index filters use.
func toInteger(_ v: Value) -> Int {
    switch v {
    case .int(let i): return i
    case .double(let d): return d.isFinite && abs(d) < 9e18 ? Int(d) : 0
    case .string(let s), .safe(let s):
        let t = s.trimmingSpaces
        if let i = Int(t) { return i }
        if let d = Double(t), d.isFinite, abs(d) < 9e18 { return Int(d) }
        return 0
    case .bool: return 0
    default: return 0
    }
}

extension String {
    var trimmingSpaces: Substring {
        let u = utf8
        var s = u.startIndex, e = u.endIndex
        while s < e, Lexer.isSpace(u[s]) { s = u.index(after: s) }
        while e > s, Lexer.isSpace(u[u.index(before: e)]) { e = u.index(before: e) }
        return self[s..<e]
    }
}

func htmlEscape(_ s: String) -> String {
    @inline(__always) func extraBytes(_ u: UnsafeBufferPointer<UInt8>) -> Int {
        var extra = 0
        for b in u where b <= 62 {
            switch b {
            case 38: extra += 4
            case 60, 62: extra += 3
            case 34, 39: extra += 5
            default: break
            }
        }
        return extra
    }
    var s = s
    let extra = s.withUTF8(extraBytes)
    if extra == 0 { return s }
    return s.withUTF8 { u -> String in
        String(unsafeUninitializedCapacity: u.count + extra) { buf in
            var j = 0
            @inline(__always) func put(_ bytes: StaticString) {
                bytes.withUTF8Buffer { for c in $0 { buf[j] = c; j += 1 } }
            }
            for b in u {
                switch b {
                case 38: put("&amp;")
                case 60: put("&lt;")
                case 62: put("&gt;")
                case 34: put("&quot;")
                case 39: put("&#39;")
                default: buf[j] = b; j += 1
                }
            }
            return j
        }
    }
}
