import Foundation

/// The wizard's choices for where a store sells: countries with the currency, time zone and
/// language a store there usually starts with, and the currencies, languages and time zones a
/// merchant may pick instead.
enum WizardCatalog {
    struct Country: Sendable {
        let code: String
        let name: String
        let currency: String
        let timezone: String
        let language: String
    }

    static let countries: [Country] = [
        Country(code: "AR", name: "Argentina", currency: "ARS", timezone: "America/Argentina/Buenos_Aires", language: "es"),
        Country(code: "AU", name: "Australia", currency: "AUD", timezone: "Australia/Sydney", language: "en"),
        Country(code: "AT", name: "Austria", currency: "EUR", timezone: "Europe/Vienna", language: "de"),
        Country(code: "BE", name: "Belgium", currency: "EUR", timezone: "Europe/Brussels", language: "nl"),
        Country(code: "BR", name: "Brazil", currency: "BRL", timezone: "America/Sao_Paulo", language: "pt-BR"),
        Country(code: "CA", name: "Canada", currency: "CAD", timezone: "America/Toronto", language: "en"),
        Country(code: "CL", name: "Chile", currency: "CLP", timezone: "America/Santiago", language: "es"),
        Country(code: "CN", name: "China", currency: "CNY", timezone: "Asia/Shanghai", language: "zh"),
        Country(code: "CZ", name: "Czechia", currency: "CZK", timezone: "Europe/Prague", language: "cs"),
        Country(code: "DK", name: "Denmark", currency: "DKK", timezone: "Europe/Copenhagen", language: "da"),
        Country(code: "EE", name: "Estonia", currency: "EUR", timezone: "Europe/Tallinn", language: "et"),
        Country(code: "FI", name: "Finland", currency: "EUR", timezone: "Europe/Helsinki", language: "fi"),
        Country(code: "FR", name: "France", currency: "EUR", timezone: "Europe/Paris", language: "fr"),
        Country(code: "DE", name: "Germany", currency: "EUR", timezone: "Europe/Berlin", language: "de"),
        Country(code: "GR", name: "Greece", currency: "EUR", timezone: "Europe/Athens", language: "el"),
        Country(code: "HK", name: "Hong Kong", currency: "HKD", timezone: "Asia/Hong_Kong", language: "zh"),
        Country(code: "HU", name: "Hungary", currency: "HUF", timezone: "Europe/Budapest", language: "hu"),
        Country(code: "IN", name: "India", currency: "INR", timezone: "Asia/Kolkata", language: "en"),
        Country(code: "IE", name: "Ireland", currency: "EUR", timezone: "Europe/Dublin", language: "en"),
        Country(code: "IL", name: "Israel", currency: "ILS", timezone: "Asia/Jerusalem", language: "he"),
        Country(code: "IT", name: "Italy", currency: "EUR", timezone: "Europe/Rome", language: "it"),
        Country(code: "JP", name: "Japan", currency: "JPY", timezone: "Asia/Tokyo", language: "ja"),
        Country(code: "MX", name: "Mexico", currency: "MXN", timezone: "America/Mexico_City", language: "es"),
        Country(code: "NL", name: "Netherlands", currency: "EUR", timezone: "Europe/Amsterdam", language: "nl"),
        Country(code: "NZ", name: "New Zealand", currency: "NZD", timezone: "Pacific/Auckland", language: "en"),
        Country(code: "NO", name: "Norway", currency: "NOK", timezone: "Europe/Oslo", language: "nb"),
        Country(code: "PL", name: "Poland", currency: "PLN", timezone: "Europe/Warsaw", language: "pl"),
        Country(code: "PT", name: "Portugal", currency: "EUR", timezone: "Europe/Lisbon", language: "pt"),
        Country(code: "RO", name: "Romania", currency: "RON", timezone: "Europe/Bucharest", language: "ro"),
        Country(code: "SG", name: "Singapore", currency: "SGD", timezone: "Asia/Singapore", language: "en"),
        Country(code: "ZA", name: "South Africa", currency: "ZAR", timezone: "Africa/Johannesburg", language: "en"),
        Country(code: "KR", name: "South Korea", currency: "KRW", timezone: "Asia/Seoul", language: "ko"),
        Country(code: "ES", name: "Spain", currency: "EUR", timezone: "Europe/Madrid", language: "es"),
        Country(code: "SE", name: "Sweden", currency: "SEK", timezone: "Europe/Stockholm", language: "sv"),
        Country(code: "CH", name: "Switzerland", currency: "CHF", timezone: "Europe/Zurich", language: "de"),
        Country(code: "TR", name: "Türkiye", currency: "TRY", timezone: "Europe/Istanbul", language: "tr"),
        Country(code: "AE", name: "United Arab Emirates", currency: "AED", timezone: "Asia/Dubai", language: "en"),
        Country(code: "GB", name: "United Kingdom", currency: "GBP", timezone: "Europe/London", language: "en"),
        Country(code: "US", name: "United States", currency: "USD", timezone: "America/New_York", language: "en"),
    ]

    /// Currency code, name, and digits after the decimal point (ISO 4217 minor units).
    static let currencies: [(code: String, name: String, digits: Int)] = [
        ("AED", "UAE dirham", 2), ("ARS", "Argentine peso", 2), ("AUD", "Australian dollar", 2),
        ("BRL", "Brazilian real", 2), ("CAD", "Canadian dollar", 2), ("CHF", "Swiss franc", 2),
        ("CLP", "Chilean peso", 0), ("CNY", "Chinese yuan", 2), ("CZK", "Czech koruna", 2),
        ("DKK", "Danish krone", 2), ("EUR", "Euro", 2), ("GBP", "British pound", 2),
        ("HKD", "Hong Kong dollar", 2), ("HUF", "Hungarian forint", 2), ("ILS", "Israeli new shekel", 2),
        ("INR", "Indian rupee", 2), ("JPY", "Japanese yen", 0), ("KRW", "South Korean won", 0),
        ("MXN", "Mexican peso", 2), ("NOK", "Norwegian krone", 2), ("NZD", "New Zealand dollar", 2),
        ("PLN", "Polish złoty", 2), ("RON", "Romanian leu", 2), ("SEK", "Swedish krona", 2),
        ("SGD", "Singapore dollar", 2), ("TRY", "Turkish lira", 2), ("USD", "US dollar", 2),
        ("ZAR", "South African rand", 2),
    ]

    /// Languages a store's storefront may start in (its `locale`).
    static let languages: [(code: String, name: String)] = [
        ("cs", "Čeština"), ("da", "Dansk"), ("de", "Deutsch"), ("el", "Ελληνικά"), ("en", "English"),
        ("es", "Español"), ("et", "Eesti"), ("fi", "Suomi"), ("fr", "Français"), ("he", "עברית"),
        ("hu", "Magyar"), ("it", "Italiano"), ("ja", "日本語"), ("ko", "한국어"), ("nb", "Norsk bokmål"),
        ("nl", "Nederlands"), ("pl", "Polski"), ("pt", "Português"), ("pt-BR", "Português (Brasil)"),
        ("ro", "Română"), ("sv", "Svenska"), ("tr", "Türkçe"), ("zh", "中文"),
    ]

    static func country(_ code: String) -> Country? { countries.first { $0.code == code } }

    static func currencyDigits(_ code: String) -> Int {
        currencies.first { $0.code == code }?.digits ?? 2
    }

    /// IANA time zones: `Area/Place` names from the system's zoneinfo, plus UTC.
    static let timezones: [String] = {
        let areas: Set<String> = ["Africa", "America", "Antarctica", "Asia", "Atlantic", "Australia", "Europe",
                                  "Indian", "Pacific"]
        let names = TimeZone.knownTimeZoneIdentifiers.filter { name in
            guard let slash = name.firstIndex(of: "/") else { return false }
            return areas.contains(String(name[..<slash]))
        }
        var all = Set(names)
        all.formUnion(countries.map(\.timezone))   // a system without zoneinfo still offers these
        return ["UTC"] + all.sorted()
    }()

    /// The country to suggest first: the region of the browser's preferred language
    /// (`Accept-Language: en-GB` → GB), else the United States.
    static func suggestedCountry(acceptLanguage: String?) -> String {
        for part in (acceptLanguage ?? "").split(separator: ",") {
            let tag = part.split(separator: ";")[0].trimmingCharacters(in: .whitespaces)
            let pieces = tag.split(separator: "-")
            if pieces.count >= 2, pieces[1].count == 2, let c = country(pieces[1].uppercased()) { return c.code }
        }
        return "US"
    }
}
