/// The store a feed describes: where its pages live and what the feed falls back on.
public struct FeedStore: Sendable, Hashable {
    /// The store's name (the Google feed's channel title).
    public var name: String
    /// The storefront's origin on its primary domain, e.g. `https://shop.example.com` (no
    /// trailing slash). Every link and image in a feed is absolute on it.
    public var baseURL: String
    /// Where the store's media are served, e.g. `/media/sf_store_12`.
    public var mediaPrefix: String
    /// ISO 4217, upper case.
    public var currency: String
    /// Used as the brand of products without a vendor (empty: none).
    public var brandFallback: String
    /// Google product category for products without their own (empty or nil: none).
    public var googleProductCategory: String?

    public init(name: String, baseURL: String, mediaPrefix: String, currency: String,
                brandFallback: String = "", googleProductCategory: String? = nil) {
        self.name = name
        self.baseURL = baseURL.hasSuffix("/") ? String(baseURL.dropLast()) : baseURL
        self.mediaPrefix = mediaPrefix
        self.currency = currency
        self.brandFallback = brandFallback
        self.googleProductCategory = googleProductCategory
    }
}

/// In stock or not, in each channel's wording.
public enum FeedAvailability: Sendable, Hashable {
    case inStock, outOfStock

    /// Google: `in_stock`, `out_of_stock`.
    public var google: String { self == .inStock ? "in_stock" : "out_of_stock" }
    /// Meta and TikTok: `in stock`, `out of stock`.
    public var words: String { self == .inStock ? "in stock" : "out of stock" }
}

/// One line of a feed: one variant, every value cleaned and cut to its channel's limits.
public struct FeedItem: Sendable, Hashable {
    public var id: String
    public var title: String
    public var description: String
    public var link: String
    public var imageLink: String
    public var additionalImageLinks: [String]
    public var availability: FeedAvailability
    /// `15.00 USD`: the regular price (the compare-at price while on sale).
    public var price: String
    /// The price actually charged, while it is below the regular one.
    public var salePrice: String?
    public var condition: String
    public var brand: String?
    public var gtin: String?
    public var mpn: String?
    /// Google's `identifier_exists`: false when there is no GTIN and no brand + MPN pair.
    public var identifierExists: Bool
    /// The product's id when it has several variants.
    public var itemGroupId: String?
    public var productType: String?
    public var googleProductCategory: String?
    /// `350 g`, when the variant has a weight.
    public var shippingWeight: String?
    public var color: String?
    public var size: String?
    public var material: String?
    public var pattern: String?
}

/// A problem with a product that keeps it (or one of its variants) out of a feed, or hurts how
/// it shows. The codes are the ones `shopping_feed_warnings.code` allows.
public struct FeedWarning: Sendable, Hashable {
    public enum Code: String, Sendable, CaseIterable {
        case noImage = "no_image"
        case noBrandNoIdentifier = "no_brand_no_identifier"
        case titleCut = "title_cut"
        case descriptionCut = "description_cut"
        case noPrice = "no_price"
        case outOfStock = "out_of_stock"
        case other
    }

    public var productId: Int64
    public var variantId: Int64?
    public var code: Code
    /// For the merchant, e.g. "No image: the product is left out of the feed."
    public var message: String

    public init(productId: Int64, variantId: Int64?, code: Code, message: String) {
        self.productId = productId
        self.variantId = variantId
        self.code = code
        self.message = message
    }
}
