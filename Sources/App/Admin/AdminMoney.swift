/// Money as the admin prints it in Swift-built markup (the chart): the store's Shopify-style
/// format from `MoneyFormats`, amounts grouped in thousands. Templates use the `money` filter.
struct AdminMoney: Sendable {
    let currency: String
    let format: String
    let places: Int

    init(currency: String) {
        self.currency = currency.uppercased()
        format = MoneyFormats.forCurrency(currency).money
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
        let commaDecimal = format.contains("comma_separator")
        let thousands = commaDecimal ? "." : ","
        let decimalMark = commaDecimal ? "," : "."
        var divisor: UInt64 = 1
        for _ in 0..<places { divisor *= 10 }
        let magnitude = minor.magnitude
        var whole = magnitude / divisor
        var fraction = magnitude % divisor
        let showDecimals = decimals && places > 0 && !format.contains("no_decimals")
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
        // Put the number where the format's placeholder is.
        guard let open = format.range(of: "{{"), let close = format.range(of: "}}", range: open.upperBound..<format.endIndex) else {
            return text + " " + currency
        }
        return String(format[..<open.lowerBound]) + text + String(format[close.upperBound...])
    }
}
