import Commerce
import Foundation
import HTTP
import Liquid
import Postgres

extension Storefront {
    /// `GET /products/:handle`: gallery, variant picker, price, stock and the add-to-cart form.
    /// Drafts, archived and unknown products are 404; a renamed handle answers 301.
    ///
    /// The picker is a GET form (`option1`, `option2`, `option3`, or `variant=<id>`) so it works
    /// without JavaScript: the page comes back with that variant's price, stock and image.
    func product(_ request: Request, _ site: StoreSite, handle: String, app: StorefleetApp) throws -> Response {
        try respond(request, site, app: app) { c in
            let product: ProductDetail
            switch try Catalog.activeProduct(handle: handle, on: c.db) {
            case .found(let found): product = found
            case .moved(let newHandle):
                let query = c.request.rawQuery.isEmpty ? "" : "?" + c.request.rawQuery
                return .redirect("/products/" + StoreURLs.encode(newHandle) + query)
            case .notFound: return .notFound
            }
            let reviews = try ProductReviews.summary(c.db, productId: product.id)
            let choice = ProductView.selection(product, query: request.query)
            let view = ProductView(product: product, look: c.look, baseURL: c.baseURL)
            let description = product.seoDescription
                ?? StorefrontText.plainText(fromHTML: product.descriptionHTML, limit: 160)
            var seo = PageSEO(title: (product.seoTitle ?? product.title) + " – " + c.site.route.name,
                              description: nonEmpty(description) ?? product.title + " at " + c.site.route.name + ".",
                              canonicalURL: c.baseURL + "/products/" + StoreURLs.encode(product.handle))
            let image = view.image(for: choice.variant)
            seo.openGraph(type: "product", siteName: c.site.route.name,
                          image: image.map { StoreURLs.absolute($0.publicPath(mediaPrefix: view.mediaPrefix), base: c.baseURL) },
                          imageAlt: image.map { $0.alt.isEmpty ? product.title : $0.alt })
            let jsonLD = StructuredData.product(
                product, selected: choice.variant, baseURL: c.baseURL, mediaPrefix: view.mediaPrefix,
                currency: c.site.route.currency,
                description: StorefrontText.plainText(fromHTML: product.descriptionHTML))
            seo.structuredData = ProductReviewDrops.addingStructuredData(reviews, to: jsonLD).htmlSafeJSONString
            return .page(try render(c.look.theme.product, c, assigns: [
                "template": "product",
                "product": ProductReviewDrops.adding(reviews, to: view.drop(choice), timezone: c.site.route.timezone),
            ], seo: seo))
        }
    }
}

/// A product as its page shows it: variants with their stock state, options with the chosen
/// values, the gallery.
struct ProductView {
    let product: ProductDetail
    let look: StoreLook
    let baseURL: String
    var mediaPrefix: String { look.options.imageBaseURL }

    /// The variant the shopper picked, the option values they picked, and whether that
    /// combination exists.
    struct Selection {
        let variant: ProductVariant?
        let values: [String]
        let exists: Bool
    }

    static func selection(_ p: ProductDetail, query: FormData) -> Selection {
        if let id = query["variant"].flatMap(Int64.init), let v = p.variants.first(where: { $0.id == id }) {
            return Selection(variant: v, values: v.optionValues, exists: true)
        }
        let asked = p.options.indices.map { query["option\($0 + 1)"] ?? "" }
        if !p.options.isEmpty, asked.allSatisfy({ !$0.isEmpty }) {
            if let v = p.variants.first(where: { $0.optionValues == asked }) {
                return Selection(variant: v, values: asked, exists: true)
            }
            return Selection(variant: nil, values: asked, exists: false)
        }
        let v = p.selectedVariant
        return Selection(variant: v, values: v?.optionValues ?? [], exists: v != nil)
    }

    /// The highest stock count a page shows (`stock_quantity`); above it a page shows only the
    /// variant's state. A sale that leaves a count above it does not move the storefront's cache
    /// key (tenant migration 0020, which spells the same number), so cached pages stay valid.
    static let exactStockLimit = 50

    /// Stock at or under this many is "low" (theme setting `low_stock_threshold`, default 5, at
    /// most `exactStockLimit`).
    var lowStockThreshold: Int {
        min(ThemeSettingsSchema.integer(look.settings.member("low_stock_threshold") ?? .nil) ?? 5, Self.exactStockLimit)
    }

    func image(for variant: ProductVariant?) -> ImageReference? {
        if let id = variant?.imageId, let image = product.images.first(where: { $0.id == id }) { return image.reference }
        return product.featuredImage?.reference
    }

    /// `in_stock`, `low_stock`, `sold_out`, or `backorder` (sold out, still selling).
    func stockState(_ v: ProductVariant) -> String {
        if !v.inventoryTracked { return "in_stock" }
        if v.inventoryQuantity <= 0 { return v.sellsWhenSoldOut ? "backorder" : "sold_out" }
        return v.inventoryQuantity <= lowStockThreshold ? "low_stock" : "in_stock"
    }

    func imageDrop(_ image: ImageReference, id: Int64?) -> Value {
        var d: [String: Value] = [
            "src": .string(image.publicPath(mediaPrefix: mediaPrefix)),
            "alt": .string(image.alt.isEmpty ? product.title : image.alt),
            "width": image.width.map { .int($0) } ?? .nil,
            "height": image.height.map { .int($0) } ?? .nil,
            "sized": .bool(ProductDrops.hasSizedCopies(image)),
        ]
        if let id { d["id"] = .int(Int(id)) }
        return .dictionary(d)
    }

    func variantDrop(_ v: ProductVariant, selected: Bool) -> Value {
        let url = "/products/" + product.handle + "?variant=\(v.id)"
        var d: [String: Value] = [
            "id": .int(Int(v.id)),
            "title": .string(v.title),
            "url": .string(url),
            "options": .array(v.optionValues.map { .string($0) }),
            "options_key": .string(v.optionValues.joined(separator: " / ")),
            "price": .int(Int(v.priceMinor)),
            "compare_at_price": v.compareAtMinor.map { .int(Int($0)) } ?? .nil,
            "on_sale": .bool(v.isOnSale),
            "available": .bool(v.available),
            "stock": .string(stockState(v)),
            "stock_quantity": v.inventoryTracked && v.inventoryQuantity <= Self.exactStockLimit
                ? .int(v.inventoryQuantity) : .nil,
            "sku": v.sku.map { .string($0) } ?? .nil,
            "barcode": v.barcode.map { .string($0) } ?? .nil,
            "selected": .bool(selected),
        ]
        for (i, value) in v.optionValues.enumerated() { d["option\(i + 1)"] = .string(value) }
        if let id = v.imageId, let image = product.images.first(where: { $0.id == id }) {
            d["featured_image"] = imageDrop(image.reference, id: image.id)
        }
        return .dictionary(d)
    }

    func drop(_ choice: Selection) -> Value {
        let p = product
        let selected = choice.variant
        let options: [Value] = p.options.enumerated().map { index, option in
            let values: [Value] = option.values.map { value in
                // A value can be bought when some available variant has it with the other
                // values chosen so far; otherwise the picker marks it unavailable.
                let available = p.variants.contains { v in
                    v.available && v.optionValues.count == p.options.count && v.optionValues[index] == value
                        && v.optionValues.indices.allSatisfy { $0 == index || choice.values.count <= $0 || v.optionValues[$0] == choice.values[$0] }
                }
                return ["value": .string(value),
                        "selected": .bool(choice.values.count > index && choice.values[index] == value),
                        "available": .bool(available)]
            }
            return ["name": .string(option.name), "position": .int(index + 1), "field": .string("option\(index + 1)"),
                    "values": .array(values)]
        }
        let featured = image(for: selected)
        var d: [String: Value] = [:]
        d["id"] = .int(Int(p.id))
        d["handle"] = .string(p.handle)
        d["title"] = .string(p.title)
        d["url"] = .string("/products/" + p.handle)
        d["vendor"] = .string(p.vendor)
        d["type"] = .string(p.productType)
        d["tags"] = .array(p.tags.map { .string($0) })
        // Sanitised when stored: the one field a theme outputs with `html_safe`.
        d["description"] = .string(p.descriptionHTML)
        d["available"] = .bool(p.available)
        d["price_min"] = p.minPriceMinor.map { .int(Int($0)) } ?? .nil
        d["price_max"] = p.maxPriceMinor.map { .int(Int($0)) } ?? .nil
        d["price_varies"] = .bool(p.minPriceMinor != p.maxPriceMinor)
        d["has_only_default_variant"] = .bool(p.options.isEmpty && p.variants.count <= 1)
        d["options"] = .array(options)
        d["variants"] = .array(p.variants.map { variantDrop($0, selected: $0.id == selected?.id) })
        d["selected_variant"] = selected.map { variantDrop($0, selected: true) } ?? .nil
        d["selection_exists"] = .bool(choice.exists)
        d["images"] = .array(p.images.map { imageDrop($0.reference, id: $0.id) })
        d["featured_image"] = featured.map { imageDrop($0, id: nil) } ?? .nil
        let featuredId: Int64? = selected?.imageId ?? p.images.first?.id
        d["featured_image_id"] = featuredId.map { .int(Int($0)) } ?? .nil
        d["low_stock_threshold"] = .int(lowStockThreshold)
        return .dictionary(d)
    }
}
