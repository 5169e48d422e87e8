/// ISO 4217 facts the platform needs about a currency code.
public enum Currency {
    /// Minor-unit digits: 0 and 3 for the currencies listed, 2 for all others (`1500 JPY`,
    /// `15.00 USD`, `1.250 KWD`). Amounts are stored in these minor units everywhere.
    public static func decimals(_ code: String) -> Int {
        switch code {
        case "JPY", "KRW", "VND", "CLP", "ISK", "UGX", "XAF", "XOF", "XPF", "PYG", "RWF", "KMF",
             "GNF", "DJF", "BIF", "VUV":
            return 0
        case "KWD", "BHD", "JOD", "OMR", "TND", "LYD", "IQD":
            return 3
        default:
            return 2
        }
    }

    /// `whole` units of the currency in minor units (5 → 500 cents, 5 → 5 yen, 5 → 5000 fils).
    public static func minor(whole: Int64, _ code: String) -> Int64 {
        var amount = whole
        for _ in 0..<decimals(code) { amount *= 10 }
        return amount
    }

    /// `12.34 USD`, `1500 JPY`, `1.250 KWD`, `-5.00 EUR`: the amount with the currency's own
    /// decimals and its code, for feeds, timelines and admin hints (no locale).
    public static func plain(_ minor: Int64, _ code: String) -> String {
        let digits = decimals(code)
        let sign = minor < 0 ? "-" : ""
        let magnitude = minor.magnitude
        if digits == 0 { return sign + String(magnitude) + " " + code }
        var scale: UInt64 = 1
        for _ in 0..<digits { scale *= 10 }
        var fraction = String(magnitude % scale)
        while fraction.count < digits { fraction = "0" + fraction }
        return sign + String(magnitude / scale) + "." + fraction + " " + code
    }
}
