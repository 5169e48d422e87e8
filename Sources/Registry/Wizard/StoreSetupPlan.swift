/// Everything the wizard collected about a new store: the `store.provision` job's payload.
/// Validated by the App before it gets here; the registry's checks (slug, currency, country)
/// apply again when the row is written.
public struct StoreSetupPlan: Codable, Sendable, Equatable {
    /// A product the merchant typed in the wizard; money in the store currency's minor units.
    public struct FirstProduct: Codable, Sendable, Equatable {
        public var title: String
        public var priceMinor: Int64

        public init(title: String, priceMinor: Int64) {
            self.title = title
            self.priceMinor = priceMinor
        }

        enum CodingKeys: String, CodingKey {
            case title
            case priceMinor = "price_minor"
        }
    }

    public var name: String
    public var slug: String
    /// A theme folder of `templates/themes/`.
    public var theme: String
    /// Sample products, collections and pages.
    public var sampleData: Bool
    /// ISO 3166-1 alpha-2, upper case.
    public var country: String
    /// ISO 4217, upper case.
    public var currency: String
    /// IANA time zone.
    public var timezone: String
    /// Language code (`en`, `de`, `pt-BR`).
    public var locale: String
    public var firstProduct: FirstProduct?
    /// Who created the store (for the audit log).
    public var userId: Int64?

    public init(name: String, slug: String, theme: String, sampleData: Bool, country: String, currency: String,
                timezone: String, locale: String, firstProduct: FirstProduct? = nil, userId: Int64? = nil) {
        self.name = name
        self.slug = slug
        self.theme = theme
        self.sampleData = sampleData
        self.country = country
        self.currency = currency
        self.timezone = timezone
        self.locale = locale
        self.firstProduct = firstProduct
        self.userId = userId
    }

    enum CodingKeys: String, CodingKey {
        case name, slug, theme, country, currency, timezone, locale
        case sampleData = "sample_data"
        case firstProduct = "first_product"
        case userId = "user_id"
    }
}
