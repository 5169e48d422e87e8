import Postgres

/// One variant of an active product, with what its product contributes, as a feed reads it.
/// A product without variants arrives once with `variantId == nil` (so it can be warned about).
public struct FeedVariantRecord: Sendable {
    public var productId: Int64
    public var handle: String
    public var title: String
    public var descriptionHTML: String
    public var vendor: String
    public var productType: String
    /// `new`, `refurbished` or `used`.
    public var condition: String
    public var googleProductCategory: String?
    /// How many variants the product has; more than one makes an item group.
    public var variantCount: Int

    public var variantId: Int64?
    /// "M / Red", or "Default Title".
    public var variantTitle: String
    public var sku: String?
    public var barcode: String?
    public var mpn: String?
    public var priceMinor: Int64?
    public var compareAtMinor: Int64?
    public var weightGrams: Int
    public var inventoryTracked: Bool
    public var inventoryQuantity: Int
    public var sellsWhenSoldOut: Bool
    /// Option names and this variant's values, in the options' order ("Size" → "M").
    public var options: [(name: String, value: String)]

    /// The variant's own image, if it has one.
    public var variantImageKey: String?
    /// The product's gallery in order (storage keys), the first few only.
    public var imageKeys: [String]

    public init(productId: Int64, handle: String, title: String, descriptionHTML: String = "",
                vendor: String = "", productType: String = "", condition: String = "new",
                googleProductCategory: String? = nil, variantCount: Int = 1, variantId: Int64?,
                variantTitle: String = "Default Title", sku: String? = nil, barcode: String? = nil,
                mpn: String? = nil, priceMinor: Int64?, compareAtMinor: Int64? = nil, weightGrams: Int = 0,
                inventoryTracked: Bool = true, inventoryQuantity: Int = 1, sellsWhenSoldOut: Bool = false,
                options: [(name: String, value: String)] = [], variantImageKey: String? = nil,
                imageKeys: [String] = []) {
        self.productId = productId
        self.handle = handle
        self.title = title
        self.descriptionHTML = descriptionHTML
        self.vendor = vendor
        self.productType = productType
        self.condition = condition
        self.googleProductCategory = googleProductCategory
        self.variantCount = variantCount
        self.variantId = variantId
        self.variantTitle = variantTitle
        self.sku = sku
        self.barcode = barcode
        self.mpn = mpn
        self.priceMinor = priceMinor
        self.compareAtMinor = compareAtMinor
        self.weightGrams = weightGrams
        self.inventoryTracked = inventoryTracked
        self.inventoryQuantity = inventoryQuantity
        self.sellsWhenSoldOut = sellsWhenSoldOut
        self.options = options
        self.variantImageKey = variantImageKey
        self.imageKeys = imageKeys
    }

    /// Can be bought now.
    public var available: Bool { !inventoryTracked || sellsWhenSoldOut || inventoryQuantity > 0 }
}

/// Where a feed's rows come from: every variant of every product the feed lists, grouped by
/// product (all rows of one product together, in variant order). Must not hold the catalog in
/// memory.
public protocol FeedSource {
    func forEachVariant(_ body: (FeedVariantRecord) throws -> Void) throws
}

/// Rows given up front (tests, previews).
public struct ListFeedSource: FeedSource {
    public let records: [FeedVariantRecord]
    public init(_ records: [FeedVariantRecord]) { self.records = records }
    public func forEachVariant(_ body: (FeedVariantRecord) throws -> Void) throws {
        for record in records { try body(record) }
    }
}
