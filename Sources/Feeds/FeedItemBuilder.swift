/// Turns variant rows into channel-ready items. Rows of one product arrive together, so what is
/// costly per product (the description's HTML, image URLs) is worked out once per product, and
/// each warning is reported once per product.
public struct FeedItemBuilder {
    public let channel: FeedChannel
    public let store: FeedStore
    let limits: FeedFieldLimits

    private var productId: Int64? = nil
    private var product = ProductParts()
    private var warned: Set<FeedWarning.Code> = []

    public init(channel: FeedChannel, store: FeedStore) {
        self.channel = channel
        self.store = store
        self.limits = channel.limits
    }

    /// The item for `record`, or nil when it cannot be listed (no price, no image); either way
    /// problems go to `warn`.
    public mutating func item(for record: FeedVariantRecord, warn: (FeedWarning) -> Void) -> FeedItem? {
        if record.productId != productId {
            productId = record.productId
            product = ProductParts(record, store: store, limits: limits)
            warned = []
        }
        func report(_ code: FeedWarning.Code, _ message: String) {
            if warned.insert(code).inserted {
                warn(FeedWarning(productId: record.productId, variantId: record.variantId, code: code, message: message))
            }
        }

        guard let variantId = record.variantId, let priceMinor = record.priceMinor else {
            report(.noPrice, "The product has no variant, so no price: it is left out of the feed.")
            return nil
        }
        if priceMinor <= 0 {
            report(.noPrice, "A variant has no price (0): it is left out of the feed.")
            return nil
        }
        let variantImage = record.variantImageKey.map { url(forImage: $0) }
        guard let imageLink = variantImage ?? product.images.first else {
            report(.noImage, "The product has no image: it is left out of the feed.")
            return nil
        }

        var fullTitle = product.title
        let variantTitle = FeedText.singleLine(record.variantTitle)
        if record.variantCount > 1, !variantTitle.isEmpty, variantTitle != "Default Title" {
            fullTitle += " - " + variantTitle
        }
        let title = FeedText.cut(fullTitle, to: limits.title)
        if title.wasCut {
            report(.titleCut, "The title is longer than \(limits.title) characters and was cut.")
        }
        if product.descriptionWasCut {
            report(.descriptionCut, "The description is longer than \(limits.description) characters and was cut.")
        }

        let gtin = record.barcode.flatMap(FeedItemBuilder.validGTIN)
        if record.barcode != nil, gtin == nil {
            report(.other, "The barcode is not a valid GTIN (8, 12, 13 or 14 digits with a correct check digit), so it is not sent.")
        }
        let mpn = record.mpn.map(FeedText.singleLine).flatMap { $0.isEmpty || $0.unicodeScalars.count > limits.mpn ? nil : $0 }
        let brand = product.brand
        if brand == nil, gtin == nil, mpn == nil {
            report(.noBrandNoIdentifier, "No brand and no GTIN or MPN: channels show such products less, or not at all.")
        }

        let available = record.available
        if !available {
            report(.outOfStock, "Out of stock: listed as out of stock.")
        }

        var price = FeedMoney.format(minor: priceMinor, currency: store.currency)
        var salePrice: String? = nil
        if let compareAt = record.compareAtMinor, compareAt > priceMinor {
            salePrice = price
            price = FeedMoney.format(minor: compareAt, currency: store.currency)
        }

        var additional = product.images.filter { $0 != imageLink }
        if additional.count > limits.additionalImages { additional.removeLast(additional.count - limits.additionalImages) }

        var link = product.link
        if record.variantCount > 1 { link += "?variant=\(variantId)" }

        var item = FeedItem(
            id: "v\(variantId)", title: title.text, description: product.description, link: link,
            imageLink: imageLink, additionalImageLinks: additional,
            availability: available ? .inStock : .outOfStock, price: price, salePrice: salePrice,
            condition: product.condition, brand: brand, gtin: gtin, mpn: mpn,
            identifierExists: gtin != nil || (brand != nil && mpn != nil),
            itemGroupId: record.variantCount > 1 ? "p\(record.productId)" : nil,
            productType: product.productType, googleProductCategory: product.googleProductCategory,
            shippingWeight: record.weightGrams > 0 ? "\(record.weightGrams) g" : nil)
        for option in record.options {
            let value = FeedText.cut(FeedText.singleLine(option.value), to: 100).text
            guard !value.isEmpty else { continue }
            switch option.name.lowercased() {
            case "color", "colour", "farbe", "couleur", "colore", "kleur": item.color = value
            case "size", "größe", "grösse", "taille", "taglia", "talla", "maat": item.size = value
            case "material", "matériau", "materiale", "materiaal": item.material = value
            case "pattern", "muster", "motif": item.pattern = value
            default: break
            }
        }
        return item
    }

    func url(forImage key: String) -> String {
        FeedURL.absolute(FeedURL.imagePath(key, mediaPrefix: store.mediaPrefix), base: store.baseURL)
    }

    /// `barcode` if it is a GTIN-8/12/13/14 with a correct GS1 check digit.
    public static func validGTIN(_ barcode: String) -> String? {
        let digits = barcode.utf8.filter { $0 != 0x20 && $0 != UInt8(ascii: "-") }
        guard [8, 12, 13, 14].contains(digits.count), digits.allSatisfy({ $0 >= 0x30 && $0 <= 0x39 }) else { return nil }
        var sum = 0
        for (offset, d) in digits.dropLast().reversed().enumerated() {
            sum += Int(d - 0x30) * (offset % 2 == 0 ? 3 : 1)
        }
        guard (10 - sum % 10) % 10 == Int(digits.last! - 0x30) else { return nil }
        return String(decoding: digits, as: UTF8.self)
    }
}

/// What every variant of one product shares, cleaned and cut once.
private struct ProductParts {
    var title = ""
    var description = ""
    var descriptionWasCut = false
    var brand: String? = nil
    var condition = "new"
    var productType: String? = nil
    var googleProductCategory: String? = nil
    var link = ""
    /// Gallery URLs, absolute, in order.
    var images: [String] = []

    init() {}

    init(_ r: FeedVariantRecord, store: FeedStore, limits: FeedFieldLimits) {
        title = FeedText.singleLine(r.title)
        var text = FeedText.plainText(fromHTML: r.descriptionHTML)
        if text.isEmpty { text = title }   // every channel requires a description
        let cut = FeedText.cut(text, to: limits.description)
        description = cut.text
        descriptionWasCut = cut.wasCut
        let vendor = FeedText.singleLine(r.vendor)
        let fallback = FeedText.singleLine(store.brandFallback)
        let brandText = vendor.isEmpty ? fallback : vendor
        brand = brandText.isEmpty ? nil : FeedText.cut(brandText, to: limits.brand).text
        condition = ["new", "refurbished", "used"].contains(r.condition) ? r.condition : "new"
        let type = FeedText.singleLine(r.productType)
        productType = type.isEmpty ? nil : FeedText.cut(type, to: limits.productType).text
        let category = FeedText.singleLine(r.googleProductCategory ?? store.googleProductCategory ?? "")
        googleProductCategory = category.isEmpty ? nil : category
        link = FeedURL.absolute("/products/" + r.handle, base: store.baseURL)
        images = r.imageKeys.map { FeedURL.absolute(FeedURL.imagePath($0, mediaPrefix: store.mediaPrefix), base: store.baseURL) }
    }
}

/// Absolute URLs on the store's primary domain.
enum FeedURL {
    /// A storage key under the store's media prefix; an absolute public path (bundled sample
    /// images under `/assets/`) or a full URL as it is.
    static func imagePath(_ key: String, mediaPrefix: String) -> String {
        if key.hasPrefix("/") || key.hasPrefix("http://") || key.hasPrefix("https://") { return key }
        return mediaPrefix.hasSuffix("/") ? mediaPrefix + key : mediaPrefix + "/" + key
    }

    /// `base` + `path`, the path percent-encoded where URLs do not allow its bytes as they are.
    static func absolute(_ path: String, base: String) -> String {
        if path.hasPrefix("http://") || path.hasPrefix("https://") { return path }
        var out = base
        out.reserveCapacity(base.utf8.count + path.utf8.count)
        let hex = Array("0123456789ABCDEF".utf8)
        var bytes: [UInt8] = []
        bytes.reserveCapacity(path.utf8.count)
        for b in path.utf8 {
            if isAllowedInPath(b) {
                bytes.append(b)
            } else {
                bytes.append(UInt8(ascii: "%"))
                bytes.append(hex[Int(b >> 4)])
                bytes.append(hex[Int(b & 0x0F)])
            }
        }
        out += String(decoding: bytes, as: UTF8.self)
        return out
    }

    static func isAllowedInPath(_ b: UInt8) -> Bool {
        switch b {
        case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"),
             UInt8(ascii: "0")...UInt8(ascii: "9"):
            return true
        case UInt8(ascii: "-"), UInt8(ascii: "."), UInt8(ascii: "_"), UInt8(ascii: "~"), UInt8(ascii: "/"),
             UInt8(ascii: "!"), UInt8(ascii: "$"), UInt8(ascii: "&"), UInt8(ascii: "'"), UInt8(ascii: "("),
             UInt8(ascii: ")"), UInt8(ascii: "*"), UInt8(ascii: "+"), UInt8(ascii: ","), UInt8(ascii: ";"),
             UInt8(ascii: "="), UInt8(ascii: ":"), UInt8(ascii: "@"):
            return true
        default:
            return false
        }
    }
}
