import Liquid
import Testing

/// Errors name the template, line and column, and print the line with a caret under the column.
@Suite struct ErrorTests {
    struct Row: CustomStringConvertible, Sendable {
        var template: String
        var message: String
        var line: Int
        var column: Int
        var description: String { template.debugDescription }
    }

    /// (template, message, line, column): parse errors and render errors in strict mode.
    static let table: [Row] = [
        Row(template: "{{ product.title", message: "output '{{' was not closed with '}}'", line: 1, column: 1),
        Row(template: "Hello\n{% if x %}\nno end", message: "'if' was never closed", line: 2, column: 1),
        Row(template: "{% nosuchtag %}", message: "unknown tag 'nosuchtag'", line: 1, column: 1),
        Row(template: "line1\nline2 {{ a | nosuchfilter }}", message: "unknown filter 'nosuchfilter'", line: 2, column: 14),
        Row(template: "{% for x in %}{% endfor %}", message: "expected a value, found end of expression", line: 1, column: 13),
        Row(template: "{{ 1 | plus }}", message: "filter 'plus' takes 1 argument, got 0", line: 1, column: 8),
        Row(template: "{% assign = 5 %}", message: "expected a variable name, found '='", line: 1, column: 11),
        Row(template: "{{ a b }}", message: "unexpected 'b'", line: 1, column: 6),
        Row(template: "{% endif %}", message: "unexpected tag 'endif'", line: 1, column: 1),
        Row(template: "{% if a %}\n  {% endfor %}", message: "unexpected tag 'endfor', expected 'endif'", line: 2, column: 3),
        Row(template: "{{ 'unterminated }}", message: "unterminated string literal", line: 1, column: 4),
        Row(template: "{% render product %}", message: "'render' needs a quoted template name", line: 1, column: 11),
        Row(template: "a\n\n   {{ x | upcase }}", message: "undefined variable 'x'", line: 3, column: 4),
        Row(template: "{{ a | divided_by: 0 }}", message: "divided by 0", line: 1, column: 8),
        Row(template: "{% comment %}never closed", message: "'comment' was never closed", line: 1, column: 1),
        Row(template: "{% raw %}never closed", message: "'raw' was never closed", line: 1, column: 1),
        Row(template: "ünïcödé {{ a | nosuch }}", message: "unknown filter 'nosuch'", line: 1, column: 16),
        Row(template: "{% for i in (1..3) limit: 'x' %}{% endfor %}", message: "loop limit must be an integer, got x", line: 1, column: 1),
        Row(template: "{% if 1 + 2 %}{% endif %}", message: "unexpected character '+'", line: 1, column: 9),
    ]

    @Test(arguments: table)
    func errorPosition(_ row: Row) {
        let environment = Environment(autoescape: false, strict: true)
        do {
            let output = try environment.parse(row.template, name: "page.liquid").render(["a": 1])
            Issue.record("rendered \(output.debugDescription) instead of failing")
        } catch let error as LiquidError {
            #expect(error.message == row.message)
            #expect(error.line == row.line)
            #expect(error.column == row.column)
            #expect(error.templateName == "page.liquid")
        } catch {
            Issue.record("not a LiquidError: \(error)")
        }
    }

    @Test func descriptionPrintsTheLineWithACaret() throws {
        let environment = Environment(strict: true)
        let error = #expect(throws: LiquidError.self) {
            try environment.parse("<p>\n  {{ price | monee }}\n</p>", name: "product.liquid")
        }
        #expect(error?.description == """
            product.liquid:2:14: unknownFilter error: unknown filter 'monee'
            2 |   {{ price | monee }}
                             ^
            """)
    }

    @Test func partialErrorsNameThePartial() throws {
        let environment = Environment(autoescape: false, strict: true,
                                      loader: DictionaryLoader(["card": "<div>\n{{ product.nope }}</div>"]))
        let error = #expect(throws: LiquidError.self) {
            try environment.parse("{% render 'card', product: p %}", name: "listing").render(["p": ["title": "x"]])
        }
        #expect(error?.templateName == "card")
        #expect(error?.line == 2)
        #expect(error?.kind == .undefinedVariable)
    }

    @Test func unknownFilterIsAnErrorOnlyWhenRendered_inDefaultMode() throws {
        let environment = Environment(autoescape: false)
        let template = try environment.parse("{% if false %}{{ a | nosuch }}{% endif %}ok", name: "t")
        #expect(try template.render([:]) == "ok")
        #expect(throws: LiquidError.self) { try environment.parse("{{ a | nosuch }}", name: "t").render([:]) }
    }
}
