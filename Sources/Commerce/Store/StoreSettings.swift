import Postgres

/// The store's own settings (the one row of `store_settings`). The registry keeps the routing
/// copy of name, currency, locale and timezone; this row is what checkout, emails and themes read.
public struct StoreSettings: Sendable, Hashable {
    public var name: String
    public var contactEmail: String
    /// ISO 4217, upper case.
    public var currency: String
    /// Liquid-style, e.g. `${{amount}}`, `€{{amount_with_comma_separator}}`.
    public var moneyFormat: String
    public var moneyWithCurrencyFormat: String
    /// IANA name, e.g. `Europe/Paris`.
    public var timezone: String
    public var locale: String
    /// ISO 3166-1 alpha-2: where the store ships from and is taxed.
    public var countryCode: String
    /// `g`, `kg`, `lb` or `oz`, for display; weights are stored in grams.
    public var weightUnit: String
    /// EU style: shown prices include tax.
    public var pricesIncludeTax: Bool
    public var taxShipping: Bool
    /// How long an unpaid card order holds its stock.
    public var orderHoldMinutes: Int

    /// Reads the row (every migrated tenant database has exactly one).
    public static func load(on db: Connection) throws -> StoreSettings {
        guard let row = try db.queryFirst("""
            SELECT name, contact_email, currency, money_format, money_with_currency_format, timezone,
                   locale, country_code, weight_unit, prices_include_tax, tax_shipping, order_hold_minutes
            FROM store_settings
            """) else { throw CommerceError.missingResult("store_settings") }
        return StoreSettings(
            name: try row.decode("name"), contactEmail: try row.decode("contact_email"),
            currency: try row.decode("currency"), moneyFormat: try row.decode("money_format"),
            moneyWithCurrencyFormat: try row.decode("money_with_currency_format"),
            timezone: try row.decode("timezone"), locale: try row.decode("locale"),
            countryCode: try row.decode("country_code"), weightUnit: try row.decode("weight_unit"),
            pricesIncludeTax: try row.decode("prices_include_tax"), taxShipping: try row.decode("tax_shipping"),
            orderHoldMinutes: try row.decode("order_hold_minutes"))
    }

    /// Writes every field back. The schema refuses a malformed currency or country code.
    public func save(on db: Connection) throws {
        try db.execute("""
            UPDATE store_settings SET name = \(name), contact_email = \(contactEmail), currency = \(currency),
                money_format = \(moneyFormat), money_with_currency_format = \(moneyWithCurrencyFormat),
                timezone = \(timezone), locale = \(locale), country_code = \(countryCode),
                weight_unit = \(weightUnit), prices_include_tax = \(pricesIncludeTax),
                tax_shipping = \(taxShipping), order_hold_minutes = \(Int32(clamping: orderHoldMinutes))
            """)
    }
}
