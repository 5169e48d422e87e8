import Foundation

/// A product as a list shows it: a storefront collection grid, search results, the home page.
/// Prices are minor units (cents) in the store's currency, from the product's first variant.
public struct ProductSummary: Sendable, Hashable {
    public let id: Int64
    public let handle: String
    public let title: String
    public let vendor: String
    public let productType: String
    public let tags: [String]
    public let createdAt: Date
    /// The first variant (lowest `position`), which a list links to and prices with.
    public let firstVariantId: Int64?
    public let priceMinor: Int64?
    public let compareAtMinor: Int64?
    /// Lowest and highest price over all variants ("from $12.00").
    public let minPriceMinor: Int64?
    public let maxPriceMinor: Int64?
    /// The first image of the gallery.
    public let image: ImageReference?
    /// True when at least one variant can be bought now: in stock, not tracked, or allowed to
    /// sell when sold out.
    public let available: Bool

    /// The first variant is offered below its compare-at price.
    public var isOnSale: Bool {
        guard let priceMinor, let compareAtMinor else { return false }
        return compareAtMinor > priceMinor
    }

    /// Variants differ in price, so a list should say "from".
    public var hasPriceRange: Bool {
        guard let minPriceMinor, let maxPriceMinor else { return false }
        return minPriceMinor != maxPriceMinor
    }
}

/// Where an image lives. `storageKey` is a path relative to the store's media folder, except for
/// bundled sample images, whose key is already a public path (`/assets/sample/mug.svg`).
public struct ImageReference: Sendable, Hashable {
    public let storageKey: String
    public let alt: String
    public let width: Int?
    public let height: Int?

    public init(storageKey: String, alt: String, width: Int?, height: Int?) {
        self.storageKey = storageKey
        self.alt = alt
        self.width = width
        self.height = height
    }

    /// The URL path to serve the original from, given the store's media prefix
    /// (e.g. `/media/sf_store_12`).
    public func publicPath(mediaPrefix: String) -> String {
        if storageKey.hasPrefix("/") { return storageKey }
        return mediaPrefix.hasSuffix("/") ? mediaPrefix + storageKey : mediaPrefix + "/" + storageKey
    }
}

/// One page of a product list and the cursor of the next one.
public struct ProductPage: Sendable, Hashable {
    public let products: [ProductSummary]
    /// Nil on the last page.
    public let next: CatalogCursor?
}

/// The orders a storefront list can be sorted in.
public enum ProductSort: String, Sendable, Hashable, CaseIterable {
    /// Newest first (`created_at` descending).
    case newest
    case oldest
    /// Alphabetical by title.
    case title
    case titleDescending
    /// Cheapest first, by the lowest variant price (products without variants are left out).
    case priceAscending
    /// Dearest first, by the lowest variant price (products without variants are left out).
    case priceDescending
    /// The merchant's order within a collection; outside a collection, the same as `.newest`.
    case manual

    /// Shopify's `sort_by` values, as themes put them in URLs (`?sort_by=price-ascending`).
    /// `best-selling` has no sales ranking yet and falls back to the merchant's order.
    public init?(sortBy: String) {
        switch sortBy {
        case "manual", "best-selling": self = .manual
        case "created-descending": self = .newest
        case "created-ascending": self = .oldest
        case "title-ascending": self = .title
        case "title-descending": self = .titleDescending
        case "price-ascending": self = .priceAscending
        case "price-descending": self = .priceDescending
        default: return nil
        }
    }

    /// The `sort_by` value a theme shows for this order.
    public var sortBy: String {
        switch self {
        case .manual: return "manual"
        case .newest: return "created-descending"
        case .oldest: return "created-ascending"
        case .title: return "title-ascending"
        case .titleDescending: return "title-descending"
        case .priceAscending: return "price-ascending"
        case .priceDescending: return "price-descending"
        }
    }

    /// A collection's stored `sort_order` (schema values: `title_asc`, `price_desc`, ...).
    init(collectionSortOrder: String) {
        switch collectionSortOrder {
        case "created_desc": self = .newest
        case "created_asc": self = .oldest
        case "title_asc": self = .title
        case "title_desc": self = .titleDescending
        case "price_asc": self = .priceAscending
        case "price_desc": self = .priceDescending
        default: self = .manual
        }
    }
}
