import Liquid
import Testing

/// Storefront filters: money from minor units with the store's format and currency decimals,
/// URLs, translations, pagination.
@Suite struct CommerceFilterTests {
    func render(_ source: String, _ data: [String: Value] = [:], _ options: RenderOptions = RenderOptions()) throws -> String {
        try Environment(autoescape: true).parse(source, name: "t").render(data, options: options)
    }

    @Test func moneyUsesTheFormatAndCurrencyDecimals() throws {
        let usd = RenderOptions(moneyFormat: "${{amount}}", moneyWithCurrencyFormat: "${{amount}} USD", currency: "USD")
        #expect(try render("{{ 123456 | money }}", [:], usd) == "$1,234.56")
        #expect(try render("{{ 5 | money }}", [:], usd) == "$0.05")
        #expect(try render("{{ -250 | money }}", [:], usd) == "$-2.50")
        #expect(try render("{{ 123456 | money_with_currency }}", [:], usd) == "$1,234.56 USD")
        #expect(try render("{{ 123456 | money_without_currency }}", [:], usd) == "1,234.56")
        #expect(try render("{{ '1999' | money }}", [:], usd) == "$19.99")

        let jpy = RenderOptions(moneyFormat: "¥{{amount_no_decimals}}", moneyWithCurrencyFormat: "¥{{amount_no_decimals}} JPY", currency: "JPY")
        #expect(try render("{{ 123456 | money }}", [:], jpy) == "¥123,456")
        #expect(try render("{{ 123456 | money_with_currency }}", [:], jpy) == "¥123,456 JPY")

        let kwd = RenderOptions(moneyFormat: "{{amount}} KD", currency: "KWD")
        #expect(try render("{{ 1234567 | money }}", [:], kwd) == "1,234.567 KD")

        let eur = RenderOptions(moneyFormat: "{{amount_with_comma_separator}} €", currency: "EUR")
        #expect(try render("{{ 123456789 | money }}", [:], eur) == "1.234.567,89 €")
        let eurWhole = RenderOptions(moneyFormat: "{{amount_no_decimals_with_comma_separator}} €", currency: "EUR")
        #expect(try render("{{ 123456789 | money }}", [:], eurWhole) == "1.234.568 €")
        let usdWhole = RenderOptions(moneyFormat: "${{ amount_no_decimals }}", currency: "USD")
        #expect(try render("{{ 199 | money }}", [:], usdWhole) == "$2")
    }

    @Test func assetAndImageURLs() throws {
        let options = RenderOptions(assetBaseURL: "/assets/themes/dawn/", imageBaseURL: "/media/store-1/")
        #expect(try render("{{ 'theme.css' | asset_url }}", [:], options) == "/assets/themes/dawn/theme.css")
        #expect(try render("{{ 'products/mug.jpg' | img_url: '200x200' }}", [:], options) == "/media/store-1/products/mug_200x200.jpg")
        #expect(try render("{{ 'products/mug.jpg' | img_url: 'master' }}", [:], options) == "/media/store-1/products/mug.jpg")
        #expect(try render("{{ image | img_url: 'medium' }}", ["image": ["src": "a/b.v2/mug.png"]], options) == "/media/store-1/a/b.v2/mug_medium.png")
        #expect(try render("{{ 'products/mug.jpg' | img_url }}", [:], options) == "/media/store-1/products/mug_small.jpg")
        #expect(try render("{{ 'products/mug.jpg' | img_url: '600x', format: 'webp' }}", [:], options) == "/media/store-1/products/mug_600x.webp")
    }

    @Test func translationsWithArgumentsAndPlurals() throws {
        let options = RenderOptions(translations: [
            "cart": ["title": "Your cart", "items": ["one": "{{ count }} item", "other": "{{ count }} items"],
                     "note_html": "<b>Free</b> shipping", "greeting": "Hi {{ name }}"],
        ])
        #expect(try render("{{ 'cart.title' | t }}", [:], options) == "Your cart")
        #expect(try render("{{ 'cart.items' | t: count: 1 }}|{{ 'cart.items' | t: count: 3 }}", [:], options) == "1 item|3 items")
        #expect(try render("{{ 'cart.note_html' | t }}", [:], options) == "<b>Free</b> shipping")
        #expect(try render("{{ 'cart.greeting' | t: name: who }}", ["who": "<Ann>"], options) == "Hi &lt;Ann&gt;")
        #expect(try render("{{ 'cart.nope' | t }}", [:], options) == "translation missing: cart.nope")
    }

    @Test func otherStorefrontFilters() throws {
        #expect(try render("{{ 1 | pluralize: 'item', 'items' }} {{ 2 | pluralize: 'item', 'items' }}") == "item items")
        #expect(try render("{{ 'a b&c/d' | url_param_escape }}") == "a%20b%26c%2Fd")
        // In an attribute the JSON is escaped like any output; inside <script>, `| html_safe` is
        // safe because `<`, `>`, `&` and `'` are written as \u escapes.
        #expect(try render("{{ p | json }}", ["p": ["title": "<Mug>", "tags": ["a"]]])
                == #"{&quot;tags&quot;:[&quot;a&quot;],&quot;title&quot;:&quot;\u003cMug\u003e&quot;}"#)
        #expect(try render("<script>{{ p | json | html_safe }}</script>", ["p": ["title": "</script><b>&'"]])
                == #"<script>{"title":"\u003c/script\u003e\u003cb\u003e\u0026\u0027"}</script>"#)
        #expect(try render("{{ 1457913600 | date: '%Y-%m-%d %H:%M' }}") == "2016-03-14 00:00")
        #expect(try render("{{ '2016-03-14T10:30:00Z' | date: '%b %-d, %Y %H:%M' }}") == "Mar 14, 2016 10:30")
        #expect(try render("{{ 'now' | date: '%Y' }}", [:], RenderOptions(now: 1_795_000_000)) == "2026")
        let paginate: Value = [
            "previous": ["title": "Previous", "url": "/c?page=1"],
            "next": ["title": "Next", "url": "/c?page=3"],
            "parts": [["title": "1", "url": "/c?page=1", "is_link": true], ["title": "2", "is_link": false]],
        ]
        #expect(try render("{{ p | default_pagination }}", ["p": paginate]) == """
            <span class="prev"><a href="/c?page=1">&laquo; Previous</a></span> <span class="page"><a href="/c?page=1">1</a></span> \
            <span class="page current">2</span> <span class="next"><a href="/c?page=3">Next &raquo;</a></span>
            """)
    }
}
