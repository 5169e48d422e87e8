import Foundation

/// Everything a product page shows: the product, its options, variants and gallery.
public struct ProductDetail: Sendable, Hashable {
    public let id: Int64
    public let handle: String
    public let title: String
    /// Sanitised when stored; safe to output unescaped.
    public let descriptionHTML: String
    public let vendor: String
    public let productType: String
    public let tags: [String]
    public let seoTitle: String?
    public let seoDescription: String?
    /// `new`, `refurbished` or `used` (schema.org / Google wording).
    public let condition: String
    public let googleProductCategory: String?
    public let publishedAt: Date?
    public let createdAt: Date
    public let updatedAt: Date
    /// In display order; empty for a product with a single "Default Title" variant.
    public let options: [ProductOption]
    /// In display order (`position`).
    public let variants: [ProductVariant]
    /// The gallery, in order.
    public let images: [ProductImage]

    /// The variant a page preselects: the first one that can be bought, else the first.
    public var selectedVariant: ProductVariant? { variants.first(where: \.available) ?? variants.first }
    public var available: Bool { variants.contains(where: \.available) }
    public var minPriceMinor: Int64? { variants.map(\.priceMinor).min() }
    public var maxPriceMinor: Int64? { variants.map(\.priceMinor).max() }
    public var featuredImage: ProductImage? { images.first }
}

public struct ProductOption: Sendable, Hashable, Codable {
    public let name: String
    /// In display order.
    public let values: [String]

    public init(name: String, values: [String]) {
        self.name = name
        self.values = values
    }
}

public struct ProductVariant: Sendable, Hashable {
    public let id: Int64
    /// "M / Red", or "Default Title".
    public let title: String
    /// One value per product option, in the options' order.
    public let optionValues: [String]
    public let sku: String?
    /// GTIN (UPC/EAN/ISBN).
    public let barcode: String?
    public let mpn: String?
    public let priceMinor: Int64
    public let compareAtMinor: Int64?
    public let weightGrams: Int
    public let requiresShipping: Bool
    public let taxable: Bool
    public let inventoryTracked: Bool
    public let inventoryQuantity: Int
    /// Keeps selling when sold out (`inventory_policy = 'continue'`).
    public let sellsWhenSoldOut: Bool
    public let imageId: Int64?

    /// Can be bought now.
    public var available: Bool { !inventoryTracked || sellsWhenSoldOut || inventoryQuantity > 0 }
    public var isOnSale: Bool { compareAtMinor.map { $0 > priceMinor } ?? false }
}

public struct ProductImage: Sendable, Hashable {
    public let id: Int64
    public let reference: ImageReference
}

/// What a storefront finds under `/products/<handle>`.
public enum ProductLookup: Sendable, Hashable {
    case found(ProductDetail)
    /// The handle used to belong to an active product that now has this one: answer 301.
    case moved(toHandle: String)
    case notFound
}
