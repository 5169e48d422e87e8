/// Money in cart notices ("changed from $10.00 to $12.00"). The theme's `money` filter prints
/// prices on pages; notices are sentences built here, so they carry their own formatting, with
/// the same symbols as the storefront's formats for the common currencies.
public enum CartMoney {
    public static func format(_ minor: Int64, currency: String) -> String {
        let code = currency.uppercased()
        let decimals = Currency.decimals(code)
        let comma = commaDecimal.contains(code)
        let negative = minor < 0
        let magnitude = minor.magnitude
        var amount: String
        if decimals == 0 {
            amount = String(magnitude)
        } else {
            var scale: UInt64 = 1
            for _ in 0..<decimals { scale *= 10 }
            var fraction = String(magnitude % scale)
            while fraction.count < decimals { fraction = "0" + fraction }
            amount = String(magnitude / scale) + (comma ? "," : ".") + fraction
        }
        if negative { amount = "-" + amount }
        switch code {
        case "USD", "CAD", "AUD", "NZD", "SGD", "HKD", "MXN": return "$" + amount
        case "EUR": return "€" + amount
        case "GBP": return "£" + amount
        case "JPY", "CNY": return "¥" + amount
        case "INR": return "₹" + amount
        case "CHF": return "CHF " + amount
        case "SEK", "NOK", "DKK": return amount + " kr"
        case "PLN": return amount + " zł"
        case "BRL": return "R$ " + amount
        default: return amount + " " + code
        }
    }

    private static let commaDecimal: Set<String> = ["EUR", "SEK", "NOK", "DKK", "PLN", "BRL"]
}
