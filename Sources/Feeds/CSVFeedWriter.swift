/// Meta and TikTok catalogs: CSV (RFC 4180: comma-separated, CRLF line ends, fields quoted
/// when needed), a header line naming the columns, one line per variant.
public struct CSVFeedWriter: FeedWriter, Sendable {
    /// Column name and how an item fills it ("" when it has no value).
    public let columns: [(name: String, value: @Sendable (FeedItem) -> String)]

    public func begin(_ store: FeedStore, to out: FeedOutput) throws {
        try line(columns.map(\.name), out)
    }

    public func write(_ item: FeedItem, to out: FeedOutput) throws {
        try line(columns.map { $0.value(item) }, out)
    }

    public func end(to out: FeedOutput) throws {}

    private func line(_ fields: [String], _ out: FeedOutput) throws {
        for (i, field) in fields.enumerated() {
            if i > 0 { try out.write(",") }
            try out.writeCSVField(field)
        }
        try out.write("\r\n")
    }

    /// Meta: the required `id,title,description,availability,condition,price,link,image_link,brand`
    /// then the optional columns we have. Availability in Meta's words (`in stock`); extra
    /// images comma-separated in one field.
    public static let meta = CSVFeedWriter(columns: [
        ("id", { $0.id }),
        ("title", { $0.title }),
        ("description", { $0.description }),
        ("availability", { $0.availability.words }),
        ("condition", { $0.condition }),
        ("price", { $0.price }),
        ("link", { $0.link }),
        ("image_link", { $0.imageLink }),
        ("brand", { $0.brand ?? "" }),
        ("sale_price", { $0.salePrice ?? "" }),
        ("item_group_id", { $0.itemGroupId ?? "" }),
        ("gtin", { $0.gtin ?? "" }),
        ("mpn", { $0.mpn ?? "" }),
        ("additional_image_link", { $0.additionalImageLinks.joined(separator: ",") }),
        ("google_product_category", { $0.googleProductCategory ?? "" }),
        ("product_type", { $0.productType ?? "" }),
        ("color", { $0.color ?? "" }),
        ("size", { $0.size ?? "" }),
        ("material", { $0.material ?? "" }),
        ("pattern", { $0.pattern ?? "" }),
        ("shipping_weight", { $0.shippingWeight ?? "" }),
    ])

    /// TikTok: the nine required fields (`sku_id` first) then the optional ones we have.
    public static let tiktok = CSVFeedWriter(columns: [
        ("sku_id", { $0.id }),
        ("title", { $0.title }),
        ("description", { $0.description }),
        ("availability", { $0.availability.words }),
        ("condition", { $0.condition }),
        ("price", { $0.price }),
        ("link", { $0.link }),
        ("image_link", { $0.imageLink }),
        ("brand", { $0.brand ?? "" }),
        ("item_group_id", { $0.itemGroupId ?? "" }),
        ("sale_price", { $0.salePrice ?? "" }),
        ("additional_image_link", { $0.additionalImageLinks.joined(separator: ",") }),
        ("gtin", { $0.gtin ?? "" }),
        ("mpn", { $0.mpn ?? "" }),
        ("color", { $0.color ?? "" }),
        ("size", { $0.size ?? "" }),
        ("material", { $0.material ?? "" }),
        ("pattern", { $0.pattern ?? "" }),
        ("product_type", { $0.productType ?? "" }),
        ("google_product_category", { $0.googleProductCategory ?? "" }),
    ])
}

/// Writes a feed in one channel's format: `begin`, `write` per item, `end`.
public protocol FeedWriter {
    func begin(_ store: FeedStore, to out: FeedOutput) throws
    func write(_ item: FeedItem, to out: FeedOutput) throws
    func end(to out: FeedOutput) throws
}

extension FeedChannel {
    /// The writer of this channel's format.
    public var writer: any FeedWriter {
        switch self {
        case .google: return GoogleFeedWriter()
        case .meta: return CSVFeedWriter.meta
        case .tiktok: return CSVFeedWriter.tiktok
        }
    }
}
