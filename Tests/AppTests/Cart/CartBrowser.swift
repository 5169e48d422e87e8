import Foundation
import HTTP
import Postgres
@testable import App

/// A shopper's browser on a store's host for the in-process handler: keeps cookies, sends an
/// `Origin` naming the store on POSTs (as browsers do), picks up the `_csrf` of the last page.
final class CartBrowser {
    let handle: (Request) -> Response
    let host: String
    var cookies: [String: String] = [:]
    var csrf: String?
    /// Every `Set-Cookie` of the last response, raw.
    var lastSetCookies: [String] = []

    init(handler: @escaping (Request) -> Response, host: String) {
        handle = handler
        self.host = host
    }

    @discardableResult
    func get(_ path: String, headers: [(String, String)] = []) throws -> Response {
        try send(.get, path, body: [], headers: headers)
    }

    /// POSTs a form. `_csrf` is added from the last page unless `csrf` is given ("" sends none);
    /// `origin` nil sends no Origin header.
    @discardableResult
    func post(_ path: String, _ fields: [(String, String)], csrf token: String? = nil,
              origin: String? = "self", headers: [(String, String)] = []) throws -> Response {
        var all = fields
        let t = token ?? csrf ?? ""
        if !t.isEmpty { all.insert(("_csrf", t), at: 0) }
        let body = all.map { CartBrowser.encode($0.0) + "=" + CartBrowser.encode($0.1) }.joined(separator: "&")
        var extra = headers + [("Content-Type", "application/x-www-form-urlencoded")]
        if let origin { extra.append(("Origin", origin == "self" ? "http://" + host : origin)) }
        return try send(.post, path, body: Array(body.utf8), headers: extra)
    }

    /// GET of the redirect's target (a 303 after a POST).
    @discardableResult
    func follow(_ response: Response) throws -> Response {
        guard let location = response.headers["Location"] else { return response }
        return try get(location)
    }

    func send(_ method: HTTP.Method, _ path: String, body: [UInt8], headers: [(String, String)]) throws -> Response {
        var all = headers
        if !cookies.isEmpty { all.append(("Cookie", cookies.map { "\($0.key)=\($0.value)" }.sorted().joined(separator: "; "))) }
        let response = handle(try Request(method: method, uri: path, host: host, headers: all, body: body))
        lastSetCookies = response.headers.values("Set-Cookie")
        for value in lastSetCookies {
            let pair = value.split(separator: ";", maxSplits: 1)[0]
            guard let eq = pair.firstIndex(of: "=") else { continue }
            let name = String(pair[..<eq]), v = String(pair[pair.index(after: eq)...])
            if value.contains("Max-Age=0") || v.isEmpty { cookies[name] = nil } else { cookies[name] = v }
        }
        if let html = try? response.bodyText(), let r = html.range(of: "name=\"_csrf\" value=\"") {
            let rest = html[r.upperBound...]
            if let end = rest.firstIndex(of: "\"") { csrf = String(rest[..<end]) }
        }
        return response
    }

    /// The raw `Set-Cookie` line for `name` in the last response.
    func setCookie(_ name: String) -> String? {
        lastSetCookies.first { $0.hasPrefix(name + "=") }
    }

    static func encode(_ s: String) -> String {
        var allowed = CharacterSet.alphanumerics
        allowed.insert(charactersIn: "-._~")
        return s.addingPercentEncoding(withAllowedCharacters: allowed) ?? s
    }
}
