/// Shopify-style money formats for a store's currency, as the `money` filters print them.
struct MoneyFormats: Sendable {
    let money: String
    let moneyWithCurrency: String

    /// The formats merchants expect for the common currencies; others print the amount and code.
    static func forCurrency(_ code: String) -> MoneyFormats {
        let code = code.uppercased()
        let money: String
        switch code {
        case "USD", "CAD", "AUD", "NZD", "SGD", "HKD", "MXN": money = "${{amount}}"
        case "EUR": money = "€{{amount_with_comma_separator}}"
        case "GBP": money = "£{{amount}}"
        case "JPY": money = "¥{{amount_no_decimals}}"
        case "CNY": money = "¥{{amount}}"
        case "INR": money = "₹{{amount}}"
        case "CHF": money = "CHF {{amount}}"
        case "SEK", "NOK", "DKK": money = "{{amount_with_comma_separator}} kr"
        case "PLN": money = "{{amount_with_comma_separator}} zł"
        case "BRL": money = "R$ {{amount_with_comma_separator}}"
        default: money = "{{amount}} " + code
        }
        let withCurrency = money.hasSuffix(code) ? money : money + " " + code
        return MoneyFormats(money: money, moneyWithCurrency: withCurrency)
    }
}
