/// The configuration every template parsed by it shares: escaping, strictness, limits, the tag and
/// filter registries, the partial loader and the default render options. Immutable once built.
///
/// Autoescape (on by default) HTML-escapes every `{{ }}`/`echo` output exactly once. Values that
/// are already markup are not escaped again: `.safe` values, and the results of `escape`,
/// `escape_once`, `link_to`, `money*`, `default_pagination`, `t` on `*_html` keys and captures.
/// Trusted markup opts out with the `html_safe` filter (`raw` is a Liquid tag name).
public final class Environment: @unchecked Sendable {  // every stored property is a `let`
    /// Resource limits; merchants edit themes, so templates are not trusted.
    public struct Limits: Sendable {
        /// Blocks nested inside blocks, checked when parsing.
        public var maxNestingDepth: Int
        /// `render`/`include`/layout calls nested inside each other.
        public var maxPartialDepth: Int
        /// Loop iterations (for, tablerow, ranges materialised by filters) in one render.
        public var maxLoopIterations: Int
        /// Bytes of output (including captures and strings built by filters) in one render.
        public var maxOutputBytes: Int
        /// Wall-clock time for one render, in seconds.
        public var maxRenderSeconds: Double

        public init(maxNestingDepth: Int = 100, maxPartialDepth: Int = 32, maxLoopIterations: Int = 1_000_000,
                    maxOutputBytes: Int = 16 << 20, maxRenderSeconds: Double = 5) {
            self.maxNestingDepth = maxNestingDepth
            self.maxPartialDepth = maxPartialDepth
            self.maxLoopIterations = maxLoopIterations
            self.maxOutputBytes = maxOutputBytes
            self.maxRenderSeconds = maxRenderSeconds
        }
    }

    /// A filter added by the application: the input, then the positional arguments.
    public struct Filter: Sendable {
        let arguments: ClosedRange<Int>
        let body: @Sendable (Value, [Value]) throws -> Value
        public init(arguments: ClosedRange<Int> = 0...0, _ body: @escaping @Sendable (Value, [Value]) throws -> Value) {
            self.arguments = arguments
            self.body = body
        }
    }

    /// Escape every `{{ }}` output as HTML (opt out per value with the `html_safe` filter).
    public let autoescape: Bool
    /// Undefined variables and unknown filters are errors.
    public let strict: Bool
    public let limits: Limits
    /// Where `render`, `include` and `layout` find other templates.
    public let loader: TemplateLoader?
    /// Money formats, currency, translations and asset URLs used when a render gives none.
    public let defaultRenderOptions: RenderOptions

    let tags: [String: TagParser]
    /// The loader, when it is one of ours and can hand out cached parse trees directly.
    let parsedLoader: ParsedTemplateLoader?
    let filters: [String: FilterDefinition]

    public init(autoescape: Bool = true, strict: Bool = false, limits: Limits = Limits(),
                loader: TemplateLoader? = nil, renderOptions: RenderOptions = RenderOptions(),
                filters custom: [String: Filter] = [:]) {
        self.autoescape = autoescape
        self.strict = strict
        self.limits = limits
        self.loader = loader
        self.parsedLoader = loader as? ParsedTemplateLoader
        self.defaultRenderOptions = renderOptions
        self.tags = Environment.standardTags
        var filters = Environment.standardFilters
        for (name, f) in custom {
            let body = f.body
            filters[name] = FilterDefinition(f.arguments.lowerBound, f.arguments.upperBound) { input, args, _, _ in
                try body(input, args)
            }
        }
        self.filters = filters
    }

    /// Parses `source`; `name` appears in error messages and is how partials refer to it.
    public func parse(_ source: String, name: String = "<template>") throws -> Template {
        var parser = try Parser(environment: self, source: source, name: name)
        let nodes = try parser.parseDocument()
        return Template(ParsedTemplate(name: name, source: source, nodes: nodes), environment: self)
    }

    /// The tag registry: tag name → parser. Each tag lives in its own file under `Tags/`.
    static let standardTags: [String: TagParser] = [
        "assign": AssignTag.parse, "capture": CaptureTag.parse,
        "increment": IncrementTag.parseIncrement, "decrement": IncrementTag.parseDecrement,
        "if": IfTag.parseIf, "unless": IfTag.parseUnless, "case": CaseTag.parse,
        "for": ForTag.parse, "break": ForTag.parseBreak, "continue": ForTag.parseContinue,
        "tablerow": TablerowTag.parse, "cycle": CycleTag.parse,
        "echo": EchoTag.parse, "liquid": LiquidTag.parse, "#": InlineCommentTag.parse,
        "comment": CommentTag.parse, "raw": CommentTag.parseRaw,
        "render": PartialTag.parseRender, "include": PartialTag.parseInclude,
        "ifchanged": IfchangedTag.parse, "layout": LayoutTag.parse,
    ]
}

/// Parses one tag, given the parser positioned after it.
typealias TagParser = @Sendable (inout Parser, Token) throws -> Node

/// A registered filter: argument counts are checked when parsing.
final class FilterDefinition: Sendable {
    let minArguments: Int
    let maxArguments: Int
    let keywords: Set<String>
    let apply: @Sendable (Value, [Value], [String: Value], RenderOptions) throws -> Value

    init(_ min: Int, _ max: Int, keywords: Set<String> = [],
         _ apply: @escaping @Sendable (Value, [Value], [String: Value], RenderOptions) throws -> Value) {
        self.minArguments = min
        self.maxArguments = max
        self.keywords = keywords
        self.apply = apply
    }
}

/// Finds the templates that `render`, `include` and `layout` name.
public protocol TemplateLoader: AnyObject {
    /// The parsed template called `name`, parsed with `environment`; nil when there is none.
    func template(named name: String, environment: Environment) throws -> Template?
}

/// Loaders of ours: they cache parse trees, not `Template`s (which hold their environment).
protocol ParsedTemplateLoader: TemplateLoader {
    func parsedTemplate(named name: String, environment: Environment) throws -> ParsedTemplate?
}

/// Partials held in memory as source text, parsed on first use (the CLI's `render-batch`, tests).
public final class DictionaryLoader: ParsedTemplateLoader {
    let sources: [String: String]
    private var cache: [String: ParsedTemplate] = [:]

    public init(_ sources: [String: String]) { self.sources = sources }

    public func template(named name: String, environment: Environment) throws -> Template? {
        try parsedTemplate(named: name, environment: environment).map { Template($0, environment: environment) }
    }

    func parsedTemplate(named name: String, environment: Environment) throws -> ParsedTemplate? {
        if let t = cache[name] { return t }
        guard let source = sources[name] else { return nil }
        let t = try environment.parse(source, name: name).parsed
        cache[name] = t
        return t
    }
}

/// Values a render needs besides the template's data: how to print money, the store's locale
/// strings, where assets live.
public struct RenderOptions: @unchecked Sendable {
    /// Shopify placeholders: `{{amount}}`, `{{amount_no_decimals}}`,
    /// `{{amount_with_comma_separator}}`, `{{amount_no_decimals_with_comma_separator}}`.
    public var moneyFormat: String
    public var moneyWithCurrencyFormat: String
    /// ISO 4217 code; decides the number of decimals (JPY 0, KWD 3, most 2).
    public var currency: String
    /// The store's locale file (nested objects of strings) for the `t` filter.
    public var translations: Value
    /// Prefix for `asset_url`, e.g. `/assets/themes/dawn/`.
    public var assetBaseURL: String
    /// Prefix for `img_url`, e.g. `/media/store-1/`.
    public var imageBaseURL: String
    /// Seconds since the epoch that `'now' | date` uses; nil for the clock.
    public var now: Int?

    public init(moneyFormat: String = "${{amount}}", moneyWithCurrencyFormat: String = "${{amount}} USD",
                currency: String = "USD", translations: Value = .nil, assetBaseURL: String = "/assets/",
                imageBaseURL: String = "/media/", now: Int? = nil) {
        self.moneyFormat = moneyFormat
        self.moneyWithCurrencyFormat = moneyWithCurrencyFormat
        self.currency = currency
        self.translations = translations
        self.assetBaseURL = assetBaseURL
        self.imageBaseURL = imageBaseURL
        self.now = now
    }
}
