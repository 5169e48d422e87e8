/// A parsed template: parse once, render many times.
public final class Template: @unchecked Sendable {  // immutable after parsing
    public let environment: Environment
    let parsed: ParsedTemplate
    public var name: String { parsed.name }
    public var source: String { parsed.source }

    init(_ parsed: ParsedTemplate, environment: Environment) {
        self.parsed = parsed
        self.environment = environment
    }

    /// Renders with `data` as the global variables and the environment's default options.
    public func render(_ data: [String: Value]) throws -> String {
        try render(data, options: environment.defaultRenderOptions)
    }

    /// Renders with `data` and render-time options (money format, currency, locale, asset URLs).
    /// A `{% layout 'name' %}` in the template wraps the output in that layout, which prints it
    /// with `{{ content_for_layout }}`; `defaultLayout` applies when the template names none.
    public func render(_ data: [String: Value], options: RenderOptions, defaultLayout: String? = nil) throws -> String {
        let budget = RenderBudget(limits: environment.limits)
        var context = RenderContext(environment: environment, options: options, globals: data, budget: budget, template: parsed)
        context.layout = defaultLayout.map { .literal(.string($0)) }
        context.out.reserveCapacity(max(16384, source.utf8.count * 8))
        _ = try context.renderTemplate(parsed)
        guard let layoutExpr = context.layout else { return context.outputText }
        let layoutName = try context.evaluate(layoutExpr)
        guard case .string(let name) = layoutName else { return context.outputText }
        let layout = try context.loadPartial(named: name, offset: nil)
        var layoutData = data
        for (k, v) in zip(context.assigns.names, context.assigns.values) { layoutData[k] = v }
        layoutData["content_for_layout"] = .safe(context.outputText)
        var outer = RenderContext(environment: environment, options: options, globals: layoutData, budget: budget, template: layout)
        outer.partialDepth = 1
        _ = try outer.renderTemplate(layout)
        return outer.outputText
    }
}

/// What parsing produced, without the environment: loaders cache these, so that an environment
/// holding a loader holding its templates makes no reference cycle.
final class ParsedTemplate: @unchecked Sendable {  // immutable after parsing, except `path`
    let name: String
    let source: String
    let nodes: [Node]
    /// The file it was read from, when it came from a `TemplateLibrary`.
    var path: String?

    init(name: String, source: String, nodes: [Node]) {
        self.name = name
        self.source = source
        self.nodes = nodes
    }
}
