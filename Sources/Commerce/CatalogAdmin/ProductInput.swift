/// A product as the admin's editor or a CSV import submits it: everything the product row, its
/// options and its variants hold. Amounts are minor units of the store's currency.
public struct ProductInput: Sendable, Hashable {
    public var title: String
    /// Sanitised before it is stored (`HTMLSanitizer`).
    public var descriptionHTML: String
    public var vendor: String
    public var productType: String
    public var tags: [String]
    public var seoTitle: String?
    public var seoDescription: String?
    /// nil or empty: made from the title (and made unique).
    public var handle: String?
    public var status: ProductStatus
    public var categoryId: Int64?
    /// Up to three (Size, Colour, Material); none for a product with one plain variant.
    public var options: [OptionInput]
    /// At least one. Each has one value per option, in the options' order.
    public var variants: [VariantInput]

    public init(title: String, descriptionHTML: String = "", vendor: String = "", productType: String = "",
                tags: [String] = [], seoTitle: String? = nil, seoDescription: String? = nil, handle: String? = nil,
                status: ProductStatus = .draft, categoryId: Int64? = nil, options: [OptionInput] = [],
                variants: [VariantInput] = [VariantInput()]) {
        self.title = title
        self.descriptionHTML = descriptionHTML
        self.vendor = vendor
        self.productType = productType
        self.tags = tags
        self.seoTitle = seoTitle
        self.seoDescription = seoDescription
        self.handle = handle
        self.status = status
        self.categoryId = categoryId
        self.options = options
        self.variants = variants
    }
}

public enum ProductStatus: String, Sendable, Hashable, CaseIterable {
    case draft, active, archived
}

public enum InventoryPolicy: String, Sendable, Hashable, CaseIterable {
    /// Stop selling at zero.
    case deny
    /// Keep selling when sold out (stock may go below zero).
    case `continue`
}

public struct OptionInput: Sendable, Hashable {
    public var name: String
    /// In display order; values no variant uses are kept (a colour that is coming soon).
    public var values: [String]

    public init(name: String, values: [String] = []) {
        self.name = name
        self.values = values
    }
}

public struct VariantInput: Sendable, Hashable {
    /// The variant being edited; nil for a new one. Variants of the product not submitted are deleted.
    public var id: Int64?
    public var optionValues: [String]
    public var sku: String?
    public var barcode: String?
    public var priceMinor: Int64
    public var compareAtMinor: Int64?
    public var costMinor: Int64?
    public var weightGrams: Int
    public var inventoryQuantity: Int
    public var inventoryPolicy: InventoryPolicy
    public var inventoryTracked: Bool
    public var requiresShipping: Bool
    public var taxable: Bool

    public init(id: Int64? = nil, optionValues: [String] = [], sku: String? = nil, barcode: String? = nil,
                priceMinor: Int64 = 0, compareAtMinor: Int64? = nil, costMinor: Int64? = nil, weightGrams: Int = 0,
                inventoryQuantity: Int = 0, inventoryPolicy: InventoryPolicy = .deny, inventoryTracked: Bool = true,
                requiresShipping: Bool = true, taxable: Bool = true) {
        self.id = id
        self.optionValues = optionValues
        self.sku = sku
        self.barcode = barcode
        self.priceMinor = priceMinor
        self.compareAtMinor = compareAtMinor
        self.costMinor = costMinor
        self.weightGrams = weightGrams
        self.inventoryQuantity = inventoryQuantity
        self.inventoryPolicy = inventoryPolicy
        self.inventoryTracked = inventoryTracked
        self.requiresShipping = requiresShipping
        self.taxable = taxable
    }

    /// "M / Red", or Shopify's "Default Title" for a product without options.
    var title: String { optionValues.isEmpty ? "Default Title" : optionValues.joined(separator: " / ") }
}
