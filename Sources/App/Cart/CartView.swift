import Commerce
import Foundation
import Liquid

/// The cart as themes and scripts see it, in Shopify's shape: money in minor units (the `money`
/// filter formats it), `items` with `url`, `image`, `variant_title`.
struct CartView {
    let contents: CartContents?
    /// `/media/sf_store_<id>/`, where a relative `storage_key` is served from.
    let mediaPrefix: String

    init(_ contents: CartContents?, storeId: Int64) {
        self.contents = contents
        mediaPrefix = "/media/sf_store_\(storeId)/"
    }

    /// `cart` for `templates/cart.liquid`.
    var liquid: Value {
        let lines = contents?.lines ?? []
        let items: [Value] = lines.enumerated().map { index, line in
            var d: [String: Value] = [
                "id": .int(Int(line.variantId)),
                "variant_id": .int(Int(line.variantId)),
                "product_id": .int(Int(line.productId)),
                "key": .string(String(line.variantId)),
                "index": .int(index + 1),
                "title": .string(line.displayName),
                "product_title": .string(line.productTitle),
                "variant_title": line.isDefaultVariant ? .nil : .string(line.variantTitle),
                "sku": line.sku.map { .string($0) } ?? .nil,
                "url": .string("/products/" + StoreURLs.encode(line.handle)),
                "quantity": .int(line.quantity),
                "price": .int(Int(line.unitPriceMinor)),
                "compare_at_price": line.compareAtMinor.map { .int(Int($0)) } ?? .nil,
                "on_sale": .bool((line.compareAtMinor ?? 0) > line.unitPriceMinor),
                "line_price": .int(Int(line.lineTotalMinor)),
                "available": line.available.map { .int($0) } ?? .nil,
                "max_quantity": .int(min(line.available ?? Carts.maxQuantity, Carts.maxQuantity)),
                "requires_shipping": .bool(line.requiresShipping),
            ]
            if let key = line.imageKey {
                d["image"] = .dictionary([
                    "src": .string(imagePath(key)),
                    "alt": .string(line.productTitle),
                    "sized": .bool(key.hasPrefix("products/") && !key.lowercased().hasSuffix(".svg")),
                ])
            }
            return .dictionary(d)
        }
        return .dictionary([
            "items": .array(items),
            "item_count": .int(contents?.itemCount ?? 0),
            "total_price": .int(Int(contents?.subtotalMinor ?? 0)),
            "items_subtotal_price": .int(Int(contents?.subtotalMinor ?? 0)),
            "note": .string(contents?.note ?? ""),
            "currency": .string(contents?.currency ?? ""),
            "empty": .bool(items.isEmpty),
        ])
    }

    /// `GET /cart.js` and JSON answers to the cart's POSTs.
    func json() -> String {
        let lines = contents?.lines ?? []
        let payload = CartJSON(
            item_count: contents?.itemCount ?? 0,
            total_price: contents?.subtotalMinor ?? 0,
            items_subtotal_price: contents?.subtotalMinor ?? 0,
            currency: contents?.currency ?? "",
            note: contents?.note ?? "",
            notices: (contents?.notices ?? []).map(\.message),
            items: lines.map { line in
                CartJSON.Item(id: line.variantId, variant_id: line.variantId, product_id: line.productId,
                              title: line.displayName, product_title: line.productTitle,
                              variant_title: line.isDefaultVariant ? nil : line.variantTitle,
                              sku: line.sku, quantity: line.quantity, price: line.unitPriceMinor,
                              line_price: line.lineTotalMinor,
                              url: "/products/" + StoreURLs.encode(line.handle),
                              image: line.imageKey.map(imagePath), available: line.available)
            })
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return (try? String(decoding: encoder.encode(payload), as: UTF8.self)) ?? "{}"
    }

    private func imagePath(_ key: String) -> String {
        key.hasPrefix("/") ? key : mediaPrefix + key
    }
}

/// The JSON body of `/cart.js` (field names are Shopify's, so theme scripts carry over).
private struct CartJSON: Encodable {
    struct Item: Encodable {
        let id: Int64
        let variant_id: Int64
        let product_id: Int64
        let title: String
        let product_title: String
        let variant_title: String?
        let sku: String?
        let quantity: Int
        let price: Int64
        let line_price: Int64
        let url: String
        let image: String?
        let available: Int?
    }
    let item_count: Int
    let total_price: Int64
    let items_subtotal_price: Int64
    let currency: String
    let note: String
    let notices: [String]
    let items: [Item]
}
