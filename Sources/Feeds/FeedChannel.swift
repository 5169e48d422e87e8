/// A shopping channel a store can publish its catalog to.
public enum FeedChannel: String, CaseIterable, Sendable {
    /// Google Merchant Center: RSS 2.0 with the `g:` namespace.
    case google
    /// Meta (Facebook and Instagram) catalogs: CSV.
    case meta
    /// TikTok catalogs: CSV.
    case tiktok

    /// The longest value each field may have, in characters (Unicode scalars), per the channel's
    /// product data specification.
    public var limits: FeedFieldLimits {
        switch self {
        case .google:
            // Google Merchant Center product data specification.
            return FeedFieldLimits(id: 50, title: 150, description: 5000, brand: 70, mpn: 70,
                                   itemGroupId: 50, productType: 750, url: 2000, additionalImages: 10)
        case .meta:
            // Meta catalog fields: title 200, description 9999, id/brand/mpn 100; up to 20 extra images.
            return FeedFieldLimits(id: 100, title: 200, description: 9999, brand: 100, mpn: 100,
                                   itemGroupId: 100, productType: 750, url: 2000, additionalImages: 10)
        case .tiktok:
            // TikTok catalog product parameters; the Google-compatible limits TikTok also accepts.
            return FeedFieldLimits(id: 50, title: 150, description: 5000, brand: 70, mpn: 70,
                                   itemGroupId: 50, productType: 750, url: 2000, additionalImages: 10)
        }
    }

    /// The file a feed is served as.
    public var fileExtension: String { self == .google ? "xml" : "csv" }

    public var contentType: String {
        self == .google ? "application/xml; charset=utf-8" : "text/csv; charset=utf-8"
    }

    /// How people call it.
    public var displayName: String {
        switch self {
        case .google: return "Google Merchant Center"
        case .meta: return "Meta (Facebook & Instagram)"
        case .tiktok: return "TikTok"
        }
    }
}

/// Maximum lengths of a channel's fields (characters).
public struct FeedFieldLimits: Sendable, Hashable {
    public let id: Int
    public let title: Int
    public let description: Int
    public let brand: Int
    public let mpn: Int
    public let itemGroupId: Int
    public let productType: Int
    public let url: Int
    /// How many `additional_image_link` values an item may carry.
    public let additionalImages: Int
}
