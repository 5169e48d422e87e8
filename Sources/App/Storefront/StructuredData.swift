import Commerce
import Foundation
import Liquid

/// schema.org JSON-LD for product pages, as Google's Product (merchant listing) structured data
/// asks: `name`, `image`, `description`, `sku`, `gtin`, `brand`, and `offers` — one `Offer` per
/// variant with `price` as a decimal string, `priceCurrency` (ISO 4217) and `availability` as a
/// schema.org URL.
enum StructuredData {
    static func product(_ p: ProductDetail, selected: ProductVariant?, baseURL: String, mediaPrefix: String,
                        currency: String, description: String) -> Value {
        let url = baseURL + "/products/" + StoreURLs.encode(p.handle)
        var product: [String: Value] = [
            "@context": "https://schema.org",
            "@type": "Product",
            "name": .string(p.title),
            "url": .string(url),
        ]
        let images = p.images.map { StoreURLs.absolute($0.reference.publicPath(mediaPrefix: mediaPrefix), base: baseURL) }
        if !images.isEmpty { product["image"] = .array(images.map { .string($0) }) }
        if !description.isEmpty { product["description"] = .string(description) }
        if !p.vendor.isEmpty { product["brand"] = ["@type": "Brand", "name": .string(p.vendor)] }
        if let v = selected ?? p.variants.first {
            if let sku = v.sku { product["sku"] = .string(sku) }
            if let gtin = gtin(v.barcode) { product["gtin"] = .string(gtin) }
            if let mpn = v.mpn { product["mpn"] = .string(mpn) }
        }
        let offers: [Value] = p.variants.map { v in
            var offer: [String: Value] = [
                "@type": "Offer",
                "price": .string(decimalPrice(v.priceMinor, currency: currency)),
                "priceCurrency": .string(currency.uppercased()),
                "availability": .string(availability(v)),
                "itemCondition": .string(itemCondition(p.condition)),
                "url": .string(p.variants.count > 1 ? url + "?variant=\(v.id)" : url),
            ]
            if p.variants.count > 1 { offer["name"] = .string(v.title) }
            if let sku = v.sku { offer["sku"] = .string(sku) }
            if let gtin = gtin(v.barcode) { offer["gtin"] = .string(gtin) }
            return .dictionary(offer)
        }
        if !offers.isEmpty { product["offers"] = .array(offers) }
        return .dictionary(product)
    }

    /// `https://schema.org/InStock`, `OutOfStock` or `BackOrder` (sold out but still selling).
    static func availability(_ v: ProductVariant) -> String {
        if !v.inventoryTracked || v.inventoryQuantity > 0 { return "https://schema.org/InStock" }
        return v.sellsWhenSoldOut ? "https://schema.org/BackOrder" : "https://schema.org/OutOfStock"
    }

    static func itemCondition(_ condition: String) -> String {
        switch condition {
        case "used": return "https://schema.org/UsedCondition"
        case "refurbished": return "https://schema.org/RefurbishedCondition"
        default: return "https://schema.org/NewCondition"
        }
    }

    /// A barcode that is a GTIN (8, 12, 13 or 14 digits); other barcodes are not claimed as one.
    static func gtin(_ barcode: String?) -> String? {
        guard let b = barcode?.trimmingCharacters(in: .whitespaces), [8, 12, 13, 14].contains(b.count),
              b.allSatisfy({ $0.isASCII && $0.isNumber }) else { return nil }
        return b
    }

    /// Minor units as a decimal string with the currency's places: `1250` USD → `12.50`.
    static func decimalPrice(_ minor: Int64, currency: String) -> String {
        let places = decimals(currency)
        guard places > 0 else { return String(minor) }
        var divisor: Int64 = 1
        for _ in 0..<places { divisor *= 10 }
        let sign = minor < 0 ? "-" : ""
        let m = minor.magnitude
        let frac = String(m % UInt64(divisor))
        return sign + String(m / UInt64(divisor)) + "." + String(repeating: "0", count: places - frac.count) + frac
    }

    /// Decimal places of an ISO 4217 currency (as the `money` filters use them).
    static func decimals(_ currency: String) -> Int {
        Currency.decimals(currency.uppercased())
    }
}
