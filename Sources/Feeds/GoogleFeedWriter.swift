/// Google Merchant Center: RSS 2.0 with the `g:` namespace (`http://base.google.com/ns/1.0`),
/// one `<item>` per variant.
public struct GoogleFeedWriter: FeedWriter {
    public init() {}

    public func begin(_ store: FeedStore, to out: FeedOutput) throws {
        try out.write("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<rss version=\"2.0\" xmlns:g=\"http://base.google.com/ns/1.0\">\n<channel>\n")
        try element("title", FeedText.singleLine(store.name), out, indent: "  ")
        try element("link", store.baseURL + "/", out, indent: "  ")
        try element("description", "Products of " + FeedText.singleLine(store.name), out, indent: "  ")
    }

    public func write(_ item: FeedItem, to out: FeedOutput) throws {
        try out.write("  <item>\n")
        try element("g:id", item.id, out)
        try element("title", item.title, out)
        try element("description", item.description, out)
        try element("link", item.link, out)
        try element("g:image_link", item.imageLink, out)
        for link in item.additionalImageLinks { try element("g:additional_image_link", link, out) }
        try element("g:availability", item.availability.google, out)
        try element("g:price", item.price, out)
        if let v = item.salePrice { try element("g:sale_price", v, out) }
        try element("g:condition", item.condition, out)
        if let v = item.brand { try element("g:brand", v, out) }
        if let v = item.gtin { try element("g:gtin", v, out) }
        if let v = item.mpn { try element("g:mpn", v, out) }
        if !item.identifierExists { try element("g:identifier_exists", "no", out) }
        if let v = item.itemGroupId { try element("g:item_group_id", v, out) }
        if let v = item.color { try element("g:color", v, out) }
        if let v = item.size { try element("g:size", v, out) }
        if let v = item.material { try element("g:material", v, out) }
        if let v = item.pattern { try element("g:pattern", v, out) }
        if let v = item.productType { try element("g:product_type", v, out) }
        if let v = item.googleProductCategory { try element("g:google_product_category", v, out) }
        if let v = item.shippingWeight { try element("g:shipping_weight", v, out) }
        try out.write("  </item>\n")
    }

    public func end(to out: FeedOutput) throws {
        try out.write("</channel>\n</rss>\n")
    }

    private func element(_ name: String, _ value: String, _ out: FeedOutput, indent: String = "    ") throws {
        try out.write(indent + "<" + name + ">")
        try out.writeXMLEscaped(value)
        try out.write("</" + name + ">\n")
    }
}
