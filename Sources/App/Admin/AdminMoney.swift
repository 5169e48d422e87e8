/// Money as the admin prints it in Swift-built markup (the chart): the store's Shopify-style
/// format from `MoneyFormats`, amounts grouped in thousands. Templates use the `money` filter.
struct AdminMoney: Sendable {
    let currency: String
    let format: String
    let places: Int
    // The format taken apart once (Foundation's string search is slow on a hot path).
    private let prefix: String
    private let suffix: String
    private let commaDecimal: Bool
    private let noDecimals: Bool

    init(currency: String) {
        self.currency = currency.uppercased()
        format = MoneyFormats.forCurrency(currency).money
        commaDecimal = format.contains("comma_separator")
        noDecimals = format.contains("no_decimals")
        if let open = format.range(of: "{{"), let close = format.range(of: "}}", range: open.upperBound..<format.endIndex) {
            prefix = String(format[..<open.lowerBound])
            suffix = String(format[close.upperBound...])
        } else {
            prefix = ""
            suffix = " " + currency.uppercased()
        }
        switch self.currency {
        case "JPY", "KRW", "VND", "CLP", "ISK", "UGX", "XAF", "XOF", "PYG": places = 0
        case "KWD", "BHD", "JOD", "OMR", "TND": places = 3
        default: places = 2
        }
    }

    /// `1234567` → `$12,345.67` (or `€12.345,67`).
    func string(_ minor: Int64) -> String { render(minor, decimals: true) }

    /// Whole units, for axis labels: `$12,346`.
    func wholeUnits(_ minor: Int64) -> String { render(minor, decimals: false) }

    private func render(_ minor: Int64, decimals: Bool) -> String {
        let thousands = commaDecimal ? "." : ","
        let decimalMark = commaDecimal ? "," : "."
        var divisor: UInt64 = 1
        for _ in 0..<places { divisor *= 10 }
        let magnitude = minor.magnitude
        var whole = magnitude / divisor
        var fraction = magnitude % divisor
        let showDecimals = decimals && places > 0 && !noDecimals
        if !showDecimals, fraction * 2 >= divisor, places > 0 { whole += 1; fraction = 0 }
        let digits = Array(String(whole))
        var text = minor < 0 ? "-" : ""
        for (i, d) in digits.enumerated() {
            if i > 0, (digits.count - i) % 3 == 0 { text += thousands }
            text.append(d)
        }
        if showDecimals {
            let f = String(fraction)
            text += decimalMark + String(repeating: "0", count: places - f.count) + f
        }
        return prefix + text + suffix
    }
}
