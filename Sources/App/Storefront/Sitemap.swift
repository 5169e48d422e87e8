import Commerce
import Foundation
import HTTP
import Postgres

/// The store's sitemap (sitemaps.org protocol 0.9): one `urlset` while everything fits in one
/// file, else a `sitemapindex` at `/sitemap.xml` pointing at `sitemap_products_<n>.xml` and
/// `sitemap_pages_<n>.xml` (home, collections, pages), each of at most `limit` URLs. Written a
/// chunk at a time from rows streamed out of the database, so a big catalog needs no big buffer.
struct Sitemap {
    /// The protocol's maximum URLs per file.
    static let protocolLimit = 50_000
    static let namespace = "http://www.sitemaps.org/schemas/sitemap/0.9"

    let baseURL: String
    let counts: SitemapCounts
    var limit: Int = Sitemap.protocolLimit

    /// Home, the collections and the pages.
    var pageURLCount: Int { 1 + counts.collections + counts.pages }
    var productFiles: Int { (counts.products + limit - 1) / limit }
    var pageFiles: Int { max(1, (pageURLCount + limit - 1) / limit) }
    var needsIndex: Bool { pageURLCount + counts.products > limit }

    /// The document for a sitemap path (`sitemap.xml`, `sitemap_products_2.xml`, ...), or nil
    /// when there is no such file.
    func writer(for file: String) -> ((Connection, (String) throws -> Void) throws -> Void)? {
        if file == "sitemap.xml" {
            return needsIndex ? { _, out in try writeIndex(out) } : { db, out in try writeEverything(db, out) }
        }
        guard needsIndex, file.hasSuffix(".xml") else { return nil }
        let stem = file.dropLast(4)
        for (prefix, files) in [("sitemap_products_", productFiles), ("sitemap_pages_", pageFiles)] {
            guard stem.hasPrefix(prefix), let n = Int(stem.dropFirst(prefix.count)), n >= 1, n <= files,
                  String(n) == stem.dropFirst(prefix.count) else { continue }
            if prefix == "sitemap_products_" {
                return { db, out in try writeURLSet(out) { emit in
                    try Catalog.streamSitemapProducts(on: db, offset: (n - 1) * limit, limit: limit, emit)
                } }
            }
            return { db, out in try writeURLSet(out) { emit in try pagesFile(n, db: db, emit) } }
        }
        return nil
    }

    private func pagesFile(_ n: Int, db: Connection, _ emit: (SitemapEntry) throws -> Void) throws {
        let start = (n - 1) * limit
        if start == 0 {
            try emit(SitemapEntry(path: "/", lastModified: nil))
            try Catalog.streamSitemapCollectionsAndPages(on: db, offset: 0, limit: limit - 1, emit)
        } else {
            try Catalog.streamSitemapCollectionsAndPages(on: db, offset: start - 1, limit: limit, emit)
        }
    }

    private func writeEverything(_ db: Connection, _ out: (String) throws -> Void) throws {
        try writeURLSet(out) { emit in
            try pagesFile(1, db: db, emit)
            try Catalog.streamSitemapProducts(on: db, offset: 0, limit: limit, emit)
        }
    }

    private func writeIndex(_ out: (String) throws -> Void) throws {
        var xml = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<sitemapindex xmlns=\"\(Sitemap.namespace)\">\n"
        for n in 1...pageFiles { xml += "<sitemap><loc>\(escape(baseURL))/sitemap_pages_\(n).xml</loc></sitemap>\n" }
        if productFiles > 0 {
            for n in 1...productFiles { xml += "<sitemap><loc>\(escape(baseURL))/sitemap_products_\(n).xml</loc></sitemap>\n" }
        }
        try out(xml + "</sitemapindex>\n")
    }

    /// A `urlset`, its entries written in chunks of about 64 KB.
    private func writeURLSet(_ out: (String) throws -> Void,
                             _ entries: ((SitemapEntry) throws -> Void) throws -> Void) throws {
        var chunk = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<urlset xmlns=\"\(Sitemap.namespace)\">\n"
        var written = 0
        try withoutActuallyEscaping(out) { out in try entries { entry in
            guard written < limit else { return }
            written += 1
            chunk += "<url><loc>" + escape(baseURL + Sitemap.encodePath(entry.path)) + "</loc>"
            if let date = entry.lastModified { chunk += "<lastmod>" + Sitemap.w3cDate(date) + "</lastmod>" }
            chunk += "</url>\n"
            if chunk.utf8.count >= 64 << 10 {
                try out(chunk)
                chunk = ""
            }
        } }
        try out(chunk + "</urlset>\n")
    }

    private func escape(_ s: String) -> String {
        var out = ""
        for ch in s {
            switch ch {
            case "&": out += "&amp;"
            case "<": out += "&lt;"
            case ">": out += "&gt;"
            case "\"": out += "&quot;"
            case "'": out += "&apos;"
            default: out.append(ch)
            }
        }
        return out
    }

    /// Percent-encodes a path's non-ASCII and reserved bytes (handles may be any script).
    static func encodePath(_ path: String) -> String {
        path.split(separator: "/", omittingEmptySubsequences: false).map { StoreURLs.encode(String($0)) }
            .joined(separator: "/")
    }

    /// `2026-11-25` (W3C Datetime, date precision), in UTC.
    static func w3cDate(_ date: Date) -> String {
        let days = Int((date.timeIntervalSince1970 / 86_400).rounded(.down))
        // Civil from days (Howard Hinnant's algorithm).
        let z = days + 719_468
        let era = (z >= 0 ? z : z - 146_096) / 146_097
        let doe = z - era * 146_097
        let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365
        let doy = doe - (365 * yoe + yoe / 4 - yoe / 100)
        let mp = (5 * doy + 2) / 153
        let d = doy - (153 * mp + 2) / 5 + 1
        let m = mp < 10 ? mp + 3 : mp - 9
        let y = yoe + era * 400 + (m <= 2 ? 1 : 0)
        func two(_ n: Int) -> String { n < 10 ? "0\(n)" : String(n) }
        return "\(y)-\(two(m))-\(two(d))"
    }
}

extension Storefront {
    /// `GET /sitemap.xml` and its child files, streamed.
    func sitemap(_ request: Request, _ site: StoreSite, file: String, app: StorefleetApp) throws -> Response {
        let baseURL = StoreURLs.baseURL(site, request: request)
        let counts = try app.withTenant(site.route) { db in try Catalog.sitemapCounts(on: db) }
        guard let write = Sitemap(baseURL: baseURL, counts: counts).writer(for: file) else {
            return try notFound(request, site, app: app)
        }
        let route = site.route
        return .stream(contentType: "application/xml; charset=utf-8") { writer in
            try app.withTenant(route) { db in try write(db) { try writer.write($0) } }
        }
    }

    /// `GET /robots.txt`: crawl everything but the cart, checkout, account and search pages,
    /// and where the sitemap is.
    func robots(_ request: Request, _ site: StoreSite) -> Response {
        let base = StoreURLs.baseURL(site, request: request)
        var response = Response.text("""
            User-agent: *
            Disallow: /admin
            Disallow: /cart
            Disallow: /checkout
            Disallow: /account
            Disallow: /search
            Disallow: /collections/*sort_by*
            Disallow: /collections/*filter*

            Sitemap: \(base)/sitemap.xml

            """)
        response.headers["Cache-Control"] = "public, max-age=3600"
        return response
    }
}
