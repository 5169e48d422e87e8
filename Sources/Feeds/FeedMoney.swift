import Commerce

/// Prices as the channels write them: the amount with the currency's own number of decimals,
/// a space, the ISO 4217 code (`15.00 USD`, `1500 JPY`, `1.250 KWD`).
public enum FeedMoney {
    public static func format(minor: Int64, currency: String) -> String {
        let digits = decimals(currency)
        if digits == 0 { return "\(minor) \(currency)" }
        var scale: Int64 = 1
        for _ in 0..<digits { scale *= 10 }
        let whole = minor / scale
        var fraction = String(minor % scale)
        while fraction.count < digits { fraction = "0" + fraction }
        return "\(whole).\(fraction) \(currency)"
    }

    /// ISO 4217 minor-unit digits (see `Currency.decimals`).
    public static func decimals(_ currency: String) -> Int {
        Currency.decimals(currency)
    }
}
