import Commerce
import Foundation
import HTTP
import Liquid
import Postgres

/// What a shopper asked of a collection list, from the GET form's fields (Shopify's names):
/// `sort_by`, `filter.v.price.gte`, `filter.v.price.lte` (in the currency's major unit),
/// `filter.p.vendor` and `filter.p.product_type` (repeatable), `filter.v.availability=1`, and
/// `after` (the keyset cursor of the next page).
struct CollectionQuery {
    var sort: ProductSort?
    var filter = ProductFilter()
    var priceMinText = ""
    var priceMaxText = ""
    var after: CatalogCursor?

    static let sortChoices: [(ProductSort, String, String)] = [
        (.manual, "collections.sort.featured", "Featured"),
        (.priceAscending, "collections.sort.price_ascending", "Price, low to high"),
        (.priceDescending, "collections.sort.price_descending", "Price, high to low"),
        (.newest, "collections.sort.newest", "Newest"),
        (.title, "collections.sort.title", "Alphabetically, A–Z"),
    ]

    init(_ query: FormData, currency: String) {
        sort = query["sort_by"].flatMap(ProductSort.init(sortBy:))
        priceMinText = String((query["filter.v.price.gte"] ?? "").prefix(20))
        priceMaxText = String((query["filter.v.price.lte"] ?? "").prefix(20))
        filter.minPriceMinor = CollectionQuery.minorUnits(priceMinText, currency: currency)
        filter.maxPriceMinor = CollectionQuery.minorUnits(priceMaxText, currency: currency)
        if filter.minPriceMinor == nil { priceMinText = "" }
        if filter.maxPriceMinor == nil { priceMaxText = "" }
        filter.vendors = Array(query.all("filter.p.vendor").filter { !$0.isEmpty }.prefix(20))
        filter.productTypes = Array(query.all("filter.p.product_type").filter { !$0.isEmpty }.prefix(20))
        filter.availableOnly = query["filter.v.availability"] == "1"
        after = query["after"].flatMap(CatalogCursor.init(token:))
    }

    var isFiltered: Bool { filter != ProductFilter() }

    /// The form's fields, to rebuild links (next page, sort) with the same filters.
    func fields(sort: ProductSort) -> [(String, String)] {
        var f: [(String, String)] = [("sort_by", sort.sortBy)]
        for v in filter.vendors { f.append(("filter.p.vendor", v)) }
        for t in filter.productTypes { f.append(("filter.p.product_type", t)) }
        if filter.availableOnly { f.append(("filter.v.availability", "1")) }
        f.append(("filter.v.price.gte", priceMinText))
        f.append(("filter.v.price.lte", priceMaxText))
        return f
    }

    /// `12`, `12.5`, `12,50` in the major unit → minor units; nil when empty or not a price.
    static func minorUnits(_ text: String, currency: String) -> Int64? {
        let t = text.trimmingCharacters(in: .whitespaces).replacingOccurrences(of: ",", with: ".")
        guard !t.isEmpty, t.count <= 15, let d = Decimal(string: t, locale: Locale(identifier: "en_US_POSIX")),
              d >= 0, t.allSatisfy({ $0.isNumber || $0 == "." }) else { return nil }
        var scaled = d * pow(10, StructuredData.decimals(currency))
        var rounded = Decimal()
        NSDecimalRound(&rounded, &scaled, 0, .plain)
        return Int64(exactly: NSDecimalNumber(decimal: rounded).int64Value)
    }
}

extension Storefront {
    /// Products a collection page shows at once.
    static let collectionPageSize = 24

    /// `GET /collections/:handle` (and `/collections/all`): products with filters, sorting and
    /// keyset pagination, all as plain links and a GET form.
    func collection(_ request: Request, _ site: StoreSite, handle: String, app: StorefleetApp) throws -> Response {
        try respond(request, site, app: app) { c in
            var info: CollectionInfo?
            if handle != "all" {
                guard let found = try Catalog.collection(handle: handle, on: c.db) else { return .notFound }
                info = found
            }
            var q = CollectionQuery(request.query, currency: c.site.route.currency)
            let defaultSort: ProductSort = info?.defaultSort ?? .manual
            let sort = q.sort ?? defaultSort
            // Outside a collection the merchant's order is newest first, and so is its cursor.
            let listSort: ProductSort = info == nil && sort == .manual ? .newest : sort
            if let after = q.after, after.sort != listSort { q.after = nil }
            let page = try info.map {
                try Catalog.collectionProducts($0.id, on: c.db, limit: Storefront.collectionPageSize, after: q.after,
                                               sort: sort, filter: q.filter)
            } ?? Catalog.activeProducts(on: c.db, limit: Storefront.collectionPageSize, after: q.after,
                                        sort: sort, filter: q.filter)
            let facets = try Catalog.facets(collectionId: info?.id, on: c.db, limit: 30)
            let count = try Catalog.countActiveProducts(collectionId: info?.id, filter: q.filter, on: c.db)

            let path = "/collections/" + handle
            let title = info?.title ?? StorefrontText.translate("collections.all_title", c.look, fallback: "All products")
            let mediaPrefix = c.look.options.imageBaseURL
            let description = info.map { StorefrontText.plainText(fromHTML: $0.descriptionHTML, limit: 160) } ?? ""
            var seo = PageSEO(title: (info?.seoTitle ?? title) + " – " + c.site.route.name,
                              description: info?.seoDescription ?? nonEmpty(description)
                                  ?? "\(title) at \(c.site.route.name).",
                              canonicalURL: c.baseURL + path,
                              robots: q.isFiltered || q.sort != nil || q.after != nil ? "noindex, follow" : nil)
            let image = info?.image.map { StoreURLs.absolute($0.publicPath(mediaPrefix: mediaPrefix), base: c.baseURL) }
            seo.openGraph(type: "website", siteName: c.site.route.name, image: image)

            var collection: [String: Value] = [
                "title": .string(title),
                "handle": .string(handle),
                "url": .string(path),
                "description": .string(info?.descriptionHTML ?? ""),
                "products": .array(page.products.map { ProductDrops.value($0, mediaPrefix: mediaPrefix) }),
                "products_count": .int(count),
                "all_products_count": .int(info?.productCount ?? count),
                "sort_by": .string(sort.sortBy),
                "filtered": .bool(q.isFiltered),
                "clear_url": .string(StoreURLs.path(path, q.sort.map { [("sort_by", $0.sortBy)] } ?? [])),
                "sort_options": .array(CollectionQuery.sortChoices.map { choice in
                    ["value": .string(choice.0.sortBy),
                     "name": .string(StorefrontText.translate(choice.1, c.look, fallback: choice.2)),
                     "selected": .bool(choice.0 == sort)]
                }),
                "filters": filterDrops(q, facets: facets),
            ]
            collection["next_url"] = page.next.map { .string(StoreURLs.path(path, q.fields(sort: sort) + [("after", $0.token)])) } ?? .nil
            collection["first_url"] = q.after != nil ? .string(StoreURLs.path(path, q.fields(sort: sort))) : .nil
            return .page(try render(c.look.theme.collection, c,
                                    assigns: ["template": "collection", "collection": .dictionary(collection)], seo: seo))
        }
    }

    private func filterDrops(_ q: CollectionQuery, facets: ProductFacets) -> Value {
        func list(_ counts: [ProductFacets.Count], chosen: [String]) -> Value {
            var values = counts.map { c in
                Value.dictionary(["value": .string(c.value), "count": .int(c.count), "checked": .bool(chosen.contains(c.value))])
            }
            // A chosen value the facets no longer list stays visible, so it can be unticked.
            for v in chosen where !counts.contains(where: { $0.value == v }) {
                values.append(["value": .string(v), "count": 0, "checked": true])
            }
            return .array(values)
        }
        return [
            "vendors": list(facets.vendors, chosen: q.filter.vendors),
            "types": list(facets.productTypes, chosen: q.filter.productTypes),
            "available_only": .bool(q.filter.availableOnly),
            "available_count": .int(facets.availableCount),
            "price_min": .string(q.priceMinText),
            "price_max": .string(q.priceMaxText),
            "price_range_min": facets.minPriceMinor.map { .int(Int($0)) } ?? .nil,
            "price_range_max": facets.maxPriceMinor.map { .int(Int($0)) } ?? .nil,
        ]
    }
}
