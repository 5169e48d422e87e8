/// Storefront filters in Shopify's manner: money from integer minor units, asset and image URLs,
/// links, translations, pluralisation, pagination.
extension Environment {
    static let commerceFilters: [String: FilterDefinition] = [
        "money": FilterDefinition(0, 0) { input, _, _, ctx in
            try Money.format(input, ctx.moneyFormat, ctx.currency)
        },
        "money_with_currency": FilterDefinition(0, 0) { input, _, _, ctx in
            try Money.format(input, ctx.moneyWithCurrencyFormat, ctx.currency)
        },
        "money_without_currency": FilterDefinition(0, 0) { input, _, _, ctx in
            try Money.format(input, Money.placeholder(in: ctx.moneyFormat), ctx.currency)
        },
        "money_without_trailing_zeros": FilterDefinition(0, 0) { input, _, _, ctx in
            let v = try Money.format(input, ctx.moneyFormat, ctx.currency)
            return .safe(v.stringValue.replacingAll(".00", with: "").replacingAll(",00", with: ""))
        },
        "asset_url": FilterDefinition(0, 0) { input, _, _, ctx in
            .string(ctx.assetBaseURL + input.stringValue)
        },
        "img_url": FilterDefinition(0, 1, keywords: ["crop", "scale", "format"]) { input, args, keywords, ctx in
            var path: String
            switch input {
            case .string(let s), .safe(let s): path = s
            case .dictionary, .drop:
                path = (input.lookup("src") ?? input.lookup("url") ?? .nil).stringValue
            default: path = ""
            }
            if path.isEmpty { return .string("") }
            let size = args.first?.stringValue ?? "small"
            if size != "master" && size != "original" && !size.isEmpty {
                let slash = path.lastIndex(of: "/")
                // `format: 'webp'` names the WebP copy the media.resize job writes beside each size.
                let webp = keywords["format"]?.stringValue == "webp"
                if let dot = path.lastIndex(of: "."), slash.map({ $0 < dot }) ?? true {
                    path = String(path[..<dot]) + "_" + size + (webp ? ".webp" : String(path[dot...]))
                } else {
                    path += "_" + size
                }
            }
            if path.hasPrefix("http://") || path.hasPrefix("https://") || path.hasPrefix("/") { return .string(path) }
            return .string(ctx.imageBaseURL + path)
        },
        "link_to": FilterDefinition(1, 2) { input, args, _, _ in
            var html = "<a href=\"" + htmlEscape(args[0].stringValue) + "\""
            if args.count > 1 { html += " title=\"" + htmlEscape(args[1].stringValue) + "\"" }
            html += ">"
            html += input.isString || !input.isNil ? (input.isSafe ? input.stringValue : htmlEscape(input.stringValue)) : ""
            return .safe(html + "</a>")
        },
        "t": FilterDefinition(0, 0, keywords: ["*"]) { input, _, keywords, ctx in
            Translation.translate(input.stringValue, ctx.translations, keywords)
        },
        "url_param_escape": FilterDefinition(0, 0) { input, _, _, _ in
            .string(percentEncode(input.stringValue, spaceAsPlus: false))
        },
        "url_escape": FilterDefinition(0, 0) { input, _, _, _ in
            .string(percentEncode(input.stringValue, spaceAsPlus: false))
        },
        "handleize": FilterDefinition(0, 0) { input, _, _, _ in .string(handleize(input.stringValue)) },
        "handle": FilterDefinition(0, 0) { input, _, _, _ in .string(handleize(input.stringValue)) },
        "pluralize": FilterDefinition(2, 2) { input, args, _, _ in
            let n = FilterSupport.number(input)
            let one: Bool
            switch n {
            case .int(let i): one = i == 1
            case .double(let d): one = d == 1
            default: one = false
            }
            return one ? args[0] : args[1]
        },
        "default_pagination": FilterDefinition(0, 0, keywords: ["next", "previous", "anchor"]) { input, _, keywords, _ in
            .safe(Pagination.html(input, previousLabel: keywords["previous"]?.stringValue ?? "&laquo; Previous",
                                  nextLabel: keywords["next"]?.stringValue ?? "Next &raquo;",
                                  anchor: keywords["anchor"]?.stringValue ?? ""))
        },
    ]

    static func handleize(_ s: String) -> String {
        var out = ""
        var dash = false
        for c in s.lowercased().unicodeScalars {
            if c.properties.isAlphabetic || ("0"..."9").contains(c) {
                if dash && !out.isEmpty { out += "-" }
                dash = false
                out.unicodeScalars.append(c)
            } else {
                dash = true
            }
        }
        return out
    }
}

extension Value {
    var isSafe: Bool { if case .safe = self { return true } else { return false } }
}

extension String {
    func replacingAll(_ target: String, with replacement: String) -> String {
        Environment.replaceAll(self, target, replacement)
    }
}

enum Money {
    static let placeholders = ["amount_no_decimals_with_comma_separator", "amount_with_comma_separator",
                               "amount_no_decimals", "amount_with_apostrophe_separator", "amount"]

    /// Decimal places of an ISO 4217 currency.
    static func decimals(_ currency: String) -> Int {
        switch currency.uppercased() {
        case "JPY", "KRW", "VND", "CLP", "ISK", "UGX", "XAF", "XOF", "PYG", "RWF", "KMF", "GNF", "DJF", "VUV", "XPF": return 0
        case "KWD", "BHD", "JOD", "OMR", "TND", "LYD", "IQD": return 3
        default: return 2
        }
    }

    /// The `{{amount...}}` placeholder a format uses, as a format of its own.
    static func placeholder(in format: String) -> String {
        for p in placeholders where ByteSearch.contains(format, "{{" + p + "}}") || ByteSearch.contains(format, "{{ " + p + " }}") {
            return "{{" + p + "}}"
        }
        return "{{amount}}"
    }

    static func format(_ input: Value, _ format: String, _ currency: String) throws -> Value {
        if input.isNil { return .nil }
        let minor: Int
        switch FilterSupport.number(input) {
        case .int(let i): minor = i
        case .double(let d): minor = d.isFinite && abs(d) < 9e18 ? Int(d.rounded()) : 0
        default: minor = 0
        }
        let places = decimals(currency)
        var out = format
        for p in placeholders {
            let text: String
            switch p {
            case "amount": text = amount(minor, places: places, thousands: ",", decimal: ".")
            case "amount_no_decimals": text = amount(minor, places: places, thousands: ",", decimal: ".", noDecimals: true)
            case "amount_with_comma_separator": text = amount(minor, places: places, thousands: ".", decimal: ",")
            case "amount_with_apostrophe_separator": text = amount(minor, places: places, thousands: "'", decimal: ".")
            default: text = amount(minor, places: places, thousands: ".", decimal: ",", noDecimals: true)
            }
            out = out.replacingAll("{{" + p + "}}", with: text).replacingAll("{{ " + p + " }}", with: text)
        }
        return .safe(out)
    }

    /// `123456` minor units with 2 places → `1,234.56`.
    static func amount(_ minor: Int, places: Int, thousands: String, decimal: String, noDecimals: Bool = false) -> String {
        let negative = minor < 0
        let magnitude = minor.magnitude
        var divisor: UInt = 1
        for _ in 0..<places { divisor *= 10 }
        var whole = magnitude / divisor
        var frac = magnitude % divisor
        if noDecimals {
            if frac * 2 >= divisor && places > 0 { whole += 1 }
            frac = 0
        }
        let digits = Array(String(whole))
        var grouped = ""
        for (i, d) in digits.enumerated() {
            if i > 0 && (digits.count - i) % 3 == 0 { grouped += thousands }
            grouped.append(d)
        }
        var text = (negative ? "-" : "") + grouped
        if !noDecimals && places > 0 {
            let f = String(frac)
            text += decimal + String(repeating: "0", count: places - f.count) + f
        }
        return text
    }
}

enum Translation {
    /// Looks `key` up as a dotted path in the locale file; `{{ name }}` in the string is replaced
    /// by the keyword argument `name`. With a `count` argument and an object of plural forms,
    /// picks `zero`/`one`/`other`. Keys ending in `_html` are trusted markup.
    static func translate(_ key: String, _ translations: Value, _ arguments: [String: Value]) -> Value {
        var v: Value? = translations
        for part in key.split(separator: ".") { v = v?.lookup(String(part)) }
        guard var found = v else { return .string("translation missing: " + key) }
        if case .dictionary = found, let count = arguments["count"] {
            let n = toInteger(count)
            found = (n == 0 ? found.lookup("zero") : nil) ?? (n == 1 ? found.lookup("one") : nil) ?? found.lookup("other") ?? .nil
        }
        var text = found.stringValue
        for (name, value) in arguments {
            text = text.replacingAll("{{ " + name + " }}", with: value.outputString)
                .replacingAll("{{" + name + "}}", with: value.outputString)
        }
        return key.hasSuffix("_html") ? .safe(text) : .string(text)
    }
}

enum Pagination {
    /// Shopify's `default_pagination` markup from a `paginate` object with `previous`, `next`
    /// (each `{title, url}`) and `parts` (each `{title, url, is_link}`).
    static func html(_ paginate: Value, previousLabel: String, nextLabel: String, anchor: String) -> String {
        var parts: [String] = []
        if let prev = paginate.lookup("previous"), !prev.isNil {
            parts.append("<span class=\"prev\"><a href=\"\(htmlEscape((prev.lookup("url") ?? .nil).stringValue + anchor))\">\(previousLabel)</a></span>")
        }
        for part in (paginate.lookup("parts") ?? .nil).iterationElements {
            let title = htmlEscape((part.lookup("title") ?? .nil).stringValue)
            if (part.lookup("is_link") ?? .nil).isTruthy {
                parts.append("<span class=\"page\"><a href=\"\(htmlEscape((part.lookup("url") ?? .nil).stringValue + anchor))\">\(title)</a></span>")
            } else if title == "&hellip;" || title == "…" {
                parts.append("<span class=\"deco\">\(title)</span>")
            } else {
                parts.append("<span class=\"page current\">\(title)</span>")
            }
        }
        if let next = paginate.lookup("next"), !next.isNil {
            parts.append("<span class=\"next\"><a href=\"\(htmlEscape((next.lookup("url") ?? .nil).stringValue + anchor))\">\(nextLabel)</a></span>")
        }
        return parts.joined(separator: " ")
    }
}
