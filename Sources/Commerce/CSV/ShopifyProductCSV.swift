/// Shopify's product CSV format (help.shopify.com, "Using CSV files to import and export
/// products"): one row per variant (and per extra image), grouped by `Handle`; product fields on
/// the group's first row; option names on the first row only.
public enum ShopifyProductCSV {
    /// The columns we write, in Shopify's export order. On import, columns are found by header
    /// name in any order; unknown ones (Google Shopping, markets, metafields) are ignored.
    public static let columns = [
        "Handle", "Title", "Body (HTML)", "Vendor", "Product Category", "Type", "Tags", "Published",
        "Option1 Name", "Option1 Value", "Option2 Name", "Option2 Value", "Option3 Name", "Option3 Value",
        "Variant SKU", "Variant Grams", "Variant Inventory Tracker", "Variant Inventory Qty",
        "Variant Inventory Policy", "Variant Fulfillment Service", "Variant Price", "Variant Compare At Price",
        "Variant Requires Shipping", "Variant Taxable", "Variant Barcode", "Image Src", "Image Position",
        "Image Alt Text", "Gift Card", "SEO Title", "SEO Description", "Variant Image", "Variant Weight Unit",
        "Cost per item", "Status",
    ]

    /// Column names of the variant part of a row: a row with any of them filled is a variant.
    static let variantColumns = [
        "Option1 Value", "Option2 Value", "Option3 Value", "Variant SKU", "Variant Grams", "Variant Inventory Qty",
        "Variant Price", "Variant Compare At Price", "Variant Barcode", "Cost per item",
    ]

    /// A row's fields by column name.
    struct Record {
        let line: Int
        let fields: [String]
        let index: [String: Int]

        subscript(_ column: String) -> String {
            guard let i = index[column], i < fields.count else { return "" }
            return fields[i].trimmedWhitespace()
        }

        /// The field as written (descriptions keep their own spacing).
        func raw(_ column: String) -> String {
            guard let i = index[column], i < fields.count else { return "" }
            return fields[i]
        }

        func has(_ column: String) -> Bool { index[column] != nil }

        var isBlank: Bool { fields.allSatisfy { $0.trimmedWhitespace().isEmpty } }
    }
}

/// What was wrong with one row of an imported file.
public struct CatalogImportRowError: Codable, Sendable, Hashable, CustomStringConvertible {
    /// The line the row starts on; the header is line 1.
    public let row: Int
    /// The column at fault, when one is.
    public let column: String?
    public let message: String

    public init(row: Int, column: String?, message: String) {
        self.row = row
        self.column = column
        self.message = message
    }

    public var description: String { "row \(row)" + (column.map { " (\($0))" } ?? "") + ": " + message }
}
