import Foundation
import Liquid
import Testing

/// Autoescape, strict mode, layouts, limits: what a storefront relies on beyond the golden suite.
@Suite struct BehaviourTests {
    func render(_ source: String, _ data: [String: Value] = [:], autoescape: Bool = true, strict: Bool = false,
                partials: [String: String] = [:], limits: Environment.Limits = Environment.Limits(),
                options: RenderOptions = RenderOptions()) throws -> String {
        let environment = Environment(autoescape: autoescape, strict: strict, limits: limits,
                                      loader: DictionaryLoader(partials), renderOptions: options)
        return try environment.parse(source, name: "t").render(data)
    }

    // MARK: autoescape

    @Test func outputIsEscapedExactlyOnce() throws {
        let data: [String: Value] = ["name": "<b>Tom & \"Jerry\"</b>'s"]
        #expect(try render("{{ name }}", data) == "&lt;b&gt;Tom &amp; &quot;Jerry&quot;&lt;/b&gt;&#39;s")
        #expect(try render("{{ name | escape }}", data) == "&lt;b&gt;Tom &amp; &quot;Jerry&quot;&lt;/b&gt;&#39;s")
        #expect(try render("{{ name | escape | escape_once }}", data) == "&lt;b&gt;Tom &amp; &quot;Jerry&quot;&lt;/b&gt;&#39;s")
        #expect(try render("{% capture c %}{{ name }}{% endcapture %}{{ c }}", data) == "&lt;b&gt;Tom &amp; &quot;Jerry&quot;&lt;/b&gt;&#39;s")
        #expect(try render("{% echo name | upcase %}", data) == "&lt;B&gt;TOM &amp; &quot;JERRY&quot;&lt;/B&gt;&#39;S")
    }

    @Test func htmlSafeAndTrustedValuesAreNotEscaped() throws {
        #expect(try render("{{ x | html_safe }}", ["x": "<em>hi</em>"]) == "<em>hi</em>")
        #expect(try render("{{ x }}", ["x": .safe("<em>hi</em>")]) == "<em>hi</em>")
        #expect(try render("{{ 'Shoes & socks' | link_to: '/c?a=1&b=2' }}")
                == "<a href=\"/c?a=1&amp;b=2\">Shoes &amp; socks</a>")
        #expect(try render("{{ x }}", ["x": "<em>"], autoescape: false) == "<em>")
    }

    @Test func textOutsideTagsIsNeverEscaped() throws {
        #expect(try render("<p class=\"a\">&amp;</p>") == "<p class=\"a\">&amp;</p>")
    }

    // MARK: strict mode

    @Test func strictModeRejectsUndefinedVariablesAndUnknownFilters() throws {
        #expect(throws: LiquidError.self) { try render("{{ missing }}", strict: true) }
        #expect(throws: LiquidError.self) { try render("{{ product.missing }}", ["product": ["title": "x"]], strict: true) }
        #expect(throws: LiquidError.self) { try render("{{ 'x' | nosuch }}", strict: true) }
        #expect(try render("{{ missing }}|{{ product.missing }}", ["product": ["title": "x"]]) == "|")
        #expect(try render("{{ product.title }}", ["product": ["title": "x"]], strict: true) == "x")
    }

    // MARK: layouts and partials

    @Test func layoutWrapsTheTemplate() throws {
        let environment = Environment(loader: DictionaryLoader([
            "theme": "<html><title>{{ page_title }}</title><body>{{ content_for_layout }}</body></html>",
            "checkout": "<main>{{ content_for_layout }}</main>",
        ]))
        let page = try environment.parse("{% layout 'theme' %}{% assign page_title = 'Shoes & more' %}<h1>{{ heading }}</h1>", name: "collection")
        #expect(try page.render(["heading": "<Shoes>"])
                == "<html><title>Shoes &amp; more</title><body><h1>&lt;Shoes&gt;</h1></body></html>")
        let bare = try environment.parse("{% layout none %}<p>raw</p>", name: "ajax")
        #expect(try bare.render([:], options: RenderOptions(), defaultLayout: "theme") == "<p>raw</p>")
        let defaulted = try environment.parse("<p>x</p>", name: "plain")
        #expect(try defaulted.render([:], options: RenderOptions(), defaultLayout: "checkout") == "<main><p>x</p></main>")
    }

    @Test func renderDataIsGlobalInsidePartials() throws {
        let out = try render("{% assign local = 'L' %}{% render 'p' %}", ["shop": ["name": "Acme"]],
                             partials: ["p": "{{ shop.name }}[{{ local }}]"])
        #expect(out == "Acme[]")
    }

    @Test func dropsAreAskedLazily() throws {
        final class ProductDrop: LiquidDrop {
            var asked: [String] = []
            func liquidValue(forKey key: String) -> Value? {
                asked.append(key)
                return key == "title" ? "Mug" : nil
            }
        }
        let drop = ProductDrop()
        #expect(try render("{{ p.title }}{{ p.price }}", ["p": .drop(drop)]) == "Mug")
        #expect(drop.asked == ["title", "price"])
    }

    // MARK: limits

    @Test func loopIterationLimit() throws {
        let limits = Environment.Limits(maxLoopIterations: 1000)
        #expect(try render("{% for i in (1..1000) %}{% endfor %}ok", limits: limits) == "ok")
        let error = #expect(throws: LiquidError.self) {
            try render("{% for i in (1..100) %}{% for j in (1..100) %}{% endfor %}{% endfor %}", limits: limits)
        }
        #expect(error?.kind == .limitExceeded)
        #expect(throws: LiquidError.self) { try render("{{ (1..100000000) | join }}", limits: limits) }
    }

    @Test func outputSizeLimit() throws {
        let limits = Environment.Limits(maxOutputBytes: 10_000)
        let error = #expect(throws: LiquidError.self) {
            try render("{% for i in (1..2000) %}0123456789{% endfor %}", limits: limits)
        }
        #expect(error?.kind == .limitExceeded)
        // A string doubled by filters is caught before it is printed.
        #expect(throws: LiquidError.self) {
            try render("{% assign s = 'xxxxxxxxxx' %}{% for i in (1..30) %}{% assign s = s | append: s %}{% endfor %}", limits: limits)
        }
    }

    @Test func nestingLimit() throws {
        let limits = Environment.Limits(maxNestingDepth: 20)
        let deep = String(repeating: "{% if true %}", count: 25) + String(repeating: "{% endif %}", count: 25)
        let error = #expect(throws: LiquidError.self) { try render(deep, limits: limits) }
        #expect(error?.kind == .limitExceeded)
        let recursive = #expect(throws: LiquidError.self) {
            try render("{% render 'self' %}", partials: ["self": "x{% render 'self' %}"])
        }
        #expect(recursive?.kind == .limitExceeded)
        #expect(throws: LiquidError.self) { try render("{% include 'self' %}", partials: ["self": "x{% include 'self' %}"]) }
    }

    @Test func deepestNestingAllowedDoesNotExhaustTheStack() throws {
        // Blocks nested to the parse limit, inside partials nested to the partial limit.
        let limits = Environment.Limits()
        let depth = limits.maxNestingDepth - 1
        let partial = String(repeating: "{% if true %}", count: depth) + "{% render 'p' %}" + String(repeating: "{% endif %}", count: depth)
        let error = #expect(throws: LiquidError.self) { try render("{% render 'p' %}", partials: ["p": partial]) }
        #expect(error?.kind == .limitExceeded)
        let conditions = "{% if " + Array(repeating: "a", count: 150).joined(separator: " and ") + " %}yes{% endif %}"
        #expect(try render(conditions, ["a": true]) == "yes")
        #expect(throws: LiquidError.self) { try render("{{ " + String(repeating: "[", count: 5000) + " }}") }
    }

    @Test func costlyStepsInsideLoopsStillMeetTheTimeLimit() throws {
        // Each iteration builds a large range; the clock is read by work done, not iterations.
        let limits = Environment.Limits(maxLoopIterations: .max, maxRenderSeconds: 0.2)
        let start = ContinuousClock.now
        let error = #expect(throws: LiquidError.self) {
            try render("{% for i in (1..5000) %}{% assign n = (1..20000) | join: ',' | size %}{% endfor %}", limits: limits)
        }
        #expect(error?.kind == .limitExceeded)
        #expect(ContinuousClock.now - start < .seconds(2))
        // Building a range counts as loop iterations.
        #expect(throws: LiquidError.self) {
            try render("{% for i in (1..999) %}{% assign n = (1..999999) | size %}{% endfor %}")
        }
    }

    @Test func hostileNumbersAreErrorsOrNothing_neverTraps() throws {
        #expect(try render("{{ a[99999999999999999999] }}|{{ a[x] }}", ["a": [1, 2], "x": 1e300]) == "|")
        #expect(try render("{{ 'abcdef' | truncate: -9223372036854775808 }}") == "...")
        #expect(try render("{% for i in (1..3) limit: 9223372036854775807 offset: 9223372036854775807 %}x{% endfor %}") == "")
        #expect(try render("{{ 'abc' | slice: -9223372036854775808, 9223372036854775807 }}") == "")
        #expect(throws: LiquidError.self) { try render("{{ (-9223372036854775808..9223372036854775807) | size }}") }
        #expect(try render("{{ '2016-03-14T23:99999999999999999999Z' | date: '%Y' }}") == "2016-03-14T23:99999999999999999999Z")
    }

    @Test func renderTimeLimit() throws {
        let limits = Environment.Limits(maxLoopIterations: .max, maxRenderSeconds: 0.05)
        let error = #expect(throws: LiquidError.self) {
            try render("{% for i in (1..100000) %}{% for j in (1..1000) %}{% endfor %}{% endfor %}", limits: limits)
        }
        #expect(error?.kind == .limitExceeded)
    }

    // MARK: values

    @Test func jsonAndLiterals() throws {
        let v = try Value(json: #"{"a": [1, 2.5, "x\u00e9", true, null], "b": {"c": -3}}"#)
        #expect(try render("{{ v.a | join: ',' }}|{{ v.b.c }}|{{ v.a.size }}", ["v": v], autoescape: false) == "1,2.5,xé,true,|-3|5")
        #expect(try render("{{ v | json }}", ["v": ["k": [1, "two"]]], autoescape: false) == #"{"k":[1,"two"]}"#)
        // Surrogate escapes: a pair is one character; an unpaired half is U+FFFD and never a crash.
        let surrogates = try Value(json: #"["\ud83d\ude00", "\ud800\u0041", "\ud800", "\udc00x", "\uda43\uda43\udc00"]"#)
        #expect(try render("{{ v | join: '|' }}", ["v": surrogates], autoescape: false) == "😀|\u{FFFD}A|\u{FFFD}|\u{FFFD}x|\u{FFFD}\u{A0C00}")
        let foundation = Value(jsonObject: ["n": 1, "f": 1.5, "b": true, "s": "x", "a": [1], "z": NSNull()] as [String: Any])
        #expect(try render("{{ v.n }} {{ v.f }} {{ v.b }} {{ v.s }} {{ v.a.first }} {{ v.z }}.", ["v": foundation]) == "1 1.5 true x 1 .")
    }
}
