import Commerce
import Liquid

/// The `product` a theme sees in a list, in Shopify's shape: prices in minor units (the `money`
/// filters format them), `url`, `featured_image` with `src`, `alt`, `width`, `height`, `sized`.
enum ProductDrops {
    static func value(_ p: ProductSummary, mediaPrefix: String) -> Value {
        var d: [String: Value] = [
            "id": .int(Int(p.id)),
            "handle": .string(p.handle),
            "title": .string(p.title),
            "url": .string("/products/" + p.handle),
            "vendor": .string(p.vendor),
            "type": .string(p.productType),
            "available": .bool(p.available),
            "price": money(p.priceMinor),
            "compare_at_price": money(p.compareAtMinor),
            "price_min": money(p.minPriceMinor),
            "price_max": money(p.maxPriceMinor),
            "price_varies": .bool(p.hasPriceRange),
        ]
        if let image = p.image {
            let src = Value.string(image.publicPath(mediaPrefix: mediaPrefix))
            d["featured_image"] = .dictionary([
                "src": src,
                // Shopify falls back to the product title; an image is never without alt text.
                "alt": .string(image.alt.isEmpty ? p.title : image.alt),
                "width": image.width.map { .int($0) } ?? .nil,
                "height": image.height.map { .int($0) } ?? .nil,
                "sized": .bool(hasSizedCopies(image)),
            ])
        }
        return .dictionary(d)
    }

    /// Whether the `media.resize` job makes `img_url: '<W>x'` copies of this image (the `sized`
    /// field themes check before asking for them): uploads under the store's media folder do;
    /// bundled sample images (`/assets/sample/*.svg`) and SVGs have only the original.
    static func hasSizedCopies(_ image: ImageReference) -> Bool {
        image.storageKey.hasPrefix("products/") && !image.storageKey.lowercased().hasSuffix(".svg")
    }

    private static func money(_ minor: Int64?) -> Value {
        minor.map { .int(Int($0)) } ?? .nil
    }
}
