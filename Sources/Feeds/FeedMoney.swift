import Commerce

/// Prices as the channels write them: the amount with the currency's own number of decimals,
/// a space, the ISO 4217 code (`15.00 USD`, `1500 JPY`, `1.250 KWD`).
public enum FeedMoney {
    public static func format(minor: Int64, currency: String) -> String {
        Currency.plain(minor, currency)
    }

    /// ISO 4217 minor-unit digits (see `Currency.decimals`).
    public static func decimals(_ currency: String) -> Int {
        Currency.decimals(currency)
    }
}
