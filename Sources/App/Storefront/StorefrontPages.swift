import Commerce
import Foundation
import HTTP
import Liquid
import Postgres

/// The storefront's pages: home, collections, products, search, static pages and policies.
extension Storefront {
    /// `GET /`: hero and the featured collection (theme setting), else the newest products.
    func home(_ request: Request, _ site: StoreSite, app: StorefleetApp) throws -> Response {
        try respond(request, site, app: app) { c in
            var collection: CollectionInfo?
            var products: [ProductSummary]
            let limit = max(1, min(50, ThemeSettingsSchema.integer(c.look.settings.member("featured_product_count") ?? .nil)
                                    ?? Storefront.homeProductLimit))
            if let handle = c.look.featuredCollection, let found = try Catalog.collection(handle: handle, on: c.db) {
                collection = found
                products = try Catalog.collectionProducts(found.id, on: c.db, limit: limit, sort: found.defaultSort).products
            } else {
                products = try Catalog.activeProducts(on: c.db, limit: limit).products
            }
            var seo = PageSEO(title: c.site.route.name,
                              description: "Shop " + c.site.route.name + " online.",
                              canonicalURL: c.baseURL + "/")
            seo.openGraph(type: "website", siteName: c.site.route.name, image: nil)
            return .page(try render(c.look.theme.index, c,
                                    assigns: homeAssigns(c.look, products: products, collection: collection), seo: seo))
        }
    }

    func homeAssigns(_ look: StoreLook, products: [ProductSummary], collection: CollectionInfo?) -> [String: Value] {
        let mediaPrefix = look.options.imageBaseURL
        var assigns: [String: Value] = [
            "products": .array(products.map { ProductDrops.value($0, mediaPrefix: mediaPrefix) }),
            "template": "index",
        ]
        if let collection {
            assigns["featured_collection"] = [
                "title": .string(collection.title), "handle": .string(collection.handle),
                "url": .string("/collections/" + collection.handle),
                "products_count": .int(collection.productCount),
            ]
        }
        return assigns
    }

    /// `GET /pages/:handle`: a published page; `contact` falls back to the store's details.
    func page(_ request: Request, _ site: StoreSite, handle: String, app: StorefleetApp) throws -> Response {
        try respond(request, site, app: app) { c in
            let canonical = c.baseURL + "/pages/" + StoreURLs.encode(handle)
            if let page = try StorePage.published(handle: handle, on: c.db) {
                var seo = PageSEO(title: (page.seoTitle ?? page.title) + " – " + c.site.route.name,
                                  description: page.seoDescription ?? nonEmpty(StorefrontText.plainText(fromHTML: page.bodyHTML, limit: 160)),
                                  canonicalURL: canonical)
                seo.openGraph(type: "website", siteName: c.site.route.name, image: nil)
                return .page(try render(c.look.theme.page, c, assigns: [
                    "template": "page",
                    "page": ["title": .string(page.title), "handle": .string(page.handle),
                             "content": .string(page.bodyHTML), "url": .string("/pages/" + page.handle)],
                ], seo: seo))
            }
            guard handle == "contact" else { return .notFound }
            let title = StorefrontText.translate("contact.title", c.look, fallback: "Contact us")
            let seo = PageSEO(title: title + " – " + c.site.route.name, canonicalURL: canonical)
            return .page(try render(c.look.theme.page, c, assigns: [
                "template": "page",
                "page": ["title": .string(title), "handle": "contact", "url": "/pages/contact", "contact": c.look.contact],
            ], seo: seo))
        }
    }

    /// `GET /policies/:handle`: the refund, privacy, terms or shipping policy from store settings.
    func policy(_ request: Request, _ site: StoreSite, handle: String, app: StorefleetApp) throws -> Response {
        try respond(request, site, app: app) { c in
            guard let policy = c.look.policies[handle] else { return .notFound }
            let paragraphs = policy.body.components(separatedBy: "\n\n")
                .map { $0.trimmingCharacters(in: .whitespacesAndNewlines) }.filter { !$0.isEmpty }
            let seo = PageSEO(title: policy.title + " – " + c.site.route.name,
                              description: StorefrontText.truncate(paragraphs.first ?? "", 160),
                              canonicalURL: c.baseURL + "/policies/" + handle)
            return .page(try render(c.look.theme.page, c, assigns: [
                "template": "page",
                "page": ["title": .string(policy.title), "handle": .string(handle), "url": .string("/policies/" + handle),
                         "paragraphs": .array(paragraphs.map { .string($0) })],
            ], seo: seo))
        }
    }

    /// `GET /search?q=`: active products matching the words, 24 a page (`?page=`).
    func search(_ request: Request, _ site: StoreSite, app: StorefleetApp) throws -> Response {
        try respond(request, site, app: app) { c in
            let q = String((request.query["q"] ?? "").trimmingCharacters(in: .whitespacesAndNewlines).prefix(200))
            let pageSize = 24
            let maxPage = Catalog.maximumSearchOffset / pageSize + 1
            let page = min(max(Int(request.query["page"] ?? "") ?? 1, 1), maxPage)
            var results: [ProductSummary] = []
            if !q.isEmpty {
                results = try Catalog.searchActiveProducts(q, on: c.db, limit: pageSize + 1, offset: (page - 1) * pageSize)
            }
            let hasNext = results.count > pageSize && page < maxPage
            if hasNext { results.removeLast() }
            let label = StorefrontText.translate("search.title", c.look, fallback: "Search")
            let seo = PageSEO(title: (q.isEmpty ? label : label + ": " + q) + " – " + c.site.route.name,
                              canonicalURL: c.baseURL + "/search", robots: "noindex")
            let mediaPrefix = c.look.options.imageBaseURL
            return .page(try render(c.look.theme.search, c, assigns: [
                "template": "search",
                "search": [
                    "terms": .string(q),
                    "performed": .bool(!q.isEmpty),
                    "results": .array(results.map { ProductDrops.value($0, mediaPrefix: mediaPrefix) }),
                    "results_count": .int(results.count),
                    "page": .int(page),
                    "next_url": hasNext ? .string(StoreURLs.path("/search", [("q", q), ("page", String(page + 1))])) : .nil,
                    "previous_url": page > 1 ? .string(StoreURLs.path("/search", [("q", q), ("page", page == 2 ? "" : String(page - 1))])) : .nil,
                ],
            ], seo: seo))
        }
    }
}

func nonEmpty(_ s: String) -> String? { s.isEmpty ? nil : s }
