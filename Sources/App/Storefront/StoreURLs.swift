import Foundation
import HTTP
import Liquid

/// Where a store's pages live, for canonical URLs, Open Graph, JSON-LD, sitemaps and robots.txt.
enum StoreURLs {
    /// `scheme://host[:port]` of the store: its primary custom domain when it has one, else its
    /// subdomain of the platform, with the scheme (and, locally, the port) of the request.
    static func baseURL(_ site: StoreSite, request: Request) -> String {
        let host = site.route.primaryHost ?? (site.route.slug + "." + site.links.platformDomain)
        let scheme = request.isSecure ? "https://" : "http://"
        return scheme + host + SiteLinks.port(ofHostHeader: request.headers["host"])
    }

    /// Path and query with the query's fields in a stable order: `?b=1&a=2` and `?a=2&b=1` are
    /// one page. Fields with the same name keep their order (they are a list).
    static func cacheKey(_ request: Request) -> String {
        let fields = request.query.fields
        guard !fields.isEmpty else { return request.path }
        let sorted = fields.enumerated().sorted { a, b in
            a.element.name != b.element.name ? a.element.name < b.element.name : a.offset < b.offset
        }
        return request.path + "?" + sorted.map { encode($0.element.name) + "=" + encode($0.element.value) }
            .joined(separator: "&")
    }

    /// An absolute URL for a path (`/assets/x.svg`) or an already absolute one.
    static func absolute(_ path: String, base: String) -> String {
        if path.hasPrefix("http://") || path.hasPrefix("https://") { return path }
        return base + (path.hasPrefix("/") ? path : "/" + path)
    }

    /// Percent-encodes everything but unreserved characters (query names and values).
    static func encode(_ s: String) -> String { FormEncoding.encode(s) }

    /// A path with query fields, empty values left out.
    static func path(_ path: String, _ fields: [(String, String)]) -> String {
        let query = fields.filter { !$0.1.isEmpty }.map { encode($0.0) + "=" + encode($0.1) }
        return query.isEmpty ? path : path + "?" + query.joined(separator: "&")
    }
}

/// A page's title and what search engines and link previews read from its `<head>`.
struct PageSEO {
    var title: String
    var description: String?
    var canonicalURL: String?
    var openGraph: Value = .nil
    /// JSON-LD text, already safe inside `<script>`.
    var structuredData: String?
    /// `noindex` for pages that should stay out of search results (404, filtered lists, search).
    var robots: String?

    init(title: String, description: String? = nil, canonicalURL: String? = nil, robots: String? = nil) {
        self.title = title
        self.description = description
        self.canonicalURL = canonicalURL
        self.robots = robots
    }

    /// Open Graph for a page: `og:type`, title, description, url, site name and image.
    mutating func openGraph(type: String, siteName: String, image: String?, imageAlt: String? = nil) {
        var og: [String: Value] = [
            "type": .string(type), "title": .string(title), "site_name": .string(siteName),
        ]
        if let description { og["description"] = .string(description) }
        if let canonicalURL { og["url"] = .string(canonicalURL) }
        if let image { og["image"] = .string(image) }
        if let imageAlt { og["image_alt"] = .string(imageAlt) }
        openGraph = .dictionary(og)
    }
}

/// Text for a page description or JSON-LD from sanitised HTML: tags dropped, the common
/// entities decoded, whitespace collapsed. Not a sanitiser: its output is always escaped.
enum StorefrontText {
    static func plainText(fromHTML html: String, limit: Int = 5000) -> String {
        var out = ""
        var inTag = false
        var pendingSpace = false
        for ch in html {
            if inTag {
                if ch == ">" { inTag = false; pendingSpace = true }
                continue
            }
            if ch == "<" { inTag = true; continue }
            if ch.isWhitespace { pendingSpace = true; continue }
            if pendingSpace, !out.isEmpty { out.append(" ") }
            pendingSpace = false
            out.append(ch)
        }
        for (entity, text) in [("&lt;", "<"), ("&gt;", ">"), ("&quot;", "\""), ("&#39;", "'"), ("&#039;", "'"),
                               ("&nbsp;", " "), ("&amp;", "&")] {
            out = out.replacingOccurrences(of: entity, with: text)
        }
        return truncate(out, limit)
    }

    /// At most `limit` characters, cut at a word boundary with an ellipsis.
    static func truncate(_ text: String, _ limit: Int) -> String {
        guard text.count > limit else { return text }
        var cut = String(text.prefix(limit - 1))
        if let space = cut.lastIndex(of: " "), cut.distance(from: cut.startIndex, to: space) > limit / 2 {
            cut = String(cut[..<space])
        }
        return cut + "…"
    }

    /// A string of the store's theme locale (`a.b.c`), or `fallback` when the theme lacks it.
    static func translate(_ key: String, _ look: StoreLook, fallback: String) -> String {
        var v: Value? = look.theme.translations
        for part in key.split(separator: ".") { v = v?.member(String(part)) }
        let text = v?.textValue ?? ""
        return text.isEmpty ? fallback : text
    }
}
