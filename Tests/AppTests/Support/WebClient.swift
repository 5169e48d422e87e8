import Crypto
import Foundation
import HTTP
import Postgres
import Registry
@testable import App

/// A browser for the in-process handler: keeps cookies, finds the `_csrf` token on the last
/// page, posts forms, optionally follows redirects. For tests of the platform host's pages.
final class WebClient {
    let handle: (Request) -> Response
    let host: String
    var cookies: [String: String] = [:]
    /// The `_csrf` value of the last HTML page that had a form.
    var csrf: String?
    var lastResponse: Response?

    init(handler: @escaping (Request) -> Response, host: String) {
        handle = handler
        self.host = host
    }

    /// GET `path`; follows up to 5 redirects when `follow`.
    @discardableResult
    func get(_ path: String, follow: Bool = false) throws -> Response {
        try send(.get, path, body: [], contentType: nil, follow: follow)
    }

    /// POST a form. `_csrf` is added from the last page unless `csrf` is given ("" sends none).
    @discardableResult
    func post(_ path: String, _ fields: [(String, String)], csrf token: String? = nil, follow: Bool = false) throws -> Response {
        var all = fields
        let t = token ?? csrf ?? ""
        if !t.isEmpty { all.insert(("_csrf", t), at: 0) }
        let body = all.map { WebClient.encode($0.0) + "=" + WebClient.encode($0.1) }.joined(separator: "&")
        return try send(.post, path, body: Array(body.utf8), contentType: "application/x-www-form-urlencoded", follow: follow)
    }

    /// A raw request with this client's cookies (multipart uploads and the like).
    @discardableResult
    func send(_ method: HTTP.Method, _ path: String, body: [UInt8], contentType: String?, follow: Bool = false) throws -> Response {
        var headers: [(String, String)] = []
        if !cookies.isEmpty { headers.append(("Cookie", cookies.map { "\($0.key)=\($0.value)" }.sorted().joined(separator: "; "))) }
        if let contentType { headers.append(("Content-Type", contentType)) }
        let response = handle(try Request(method: method, uri: path, host: host, headers: headers, body: body))
        absorb(response)
        if follow, response.status.code >= 300, response.status.code < 400, let location = response.headers["Location"] {
            return try get(WebClient.pathOf(location), follow: true)
        }
        return response
    }

    private func absorb(_ response: Response) {
        lastResponse = response
        for value in response.headers.values("Set-Cookie") {
            let pair = value.split(separator: ";", maxSplits: 1)[0]
            guard let eq = pair.firstIndex(of: "=") else { continue }
            let name = String(pair[..<eq]), v = String(pair[pair.index(after: eq)...])
            if value.contains("Max-Age=0") || v.isEmpty { cookies[name] = nil } else { cookies[name] = v }
        }
        if let html = try? response.bodyText(), let token = WebClient.csrfToken(in: html) { csrf = token }
    }

    static func csrfToken(in html: String) -> String? {
        guard let r = html.range(of: "name=\"_csrf\" value=\"") else { return nil }
        let rest = html[r.upperBound...]
        guard let end = rest.firstIndex(of: "\"") else { return nil }
        return String(rest[..<end])
    }

    /// `/stores` from `http://storefleet.localhost:8080/stores` or `/stores`.
    static func pathOf(_ location: String) -> String {
        guard location.hasPrefix("http") else { return location }
        guard let scheme = location.range(of: "://") else { return location }
        let afterHost = location[scheme.upperBound...].firstIndex(of: "/") ?? location.endIndex
        return afterHost == location.endIndex ? "/" : String(location[afterHost...])
    }

    static func encode(_ s: String) -> String {
        var allowed = CharacterSet.alphanumerics
        allowed.insert(charactersIn: "-._~")
        return s.addingPercentEncoding(withAllowedCharacters: allowed) ?? s
    }
}

extension AppStack {
    /// A user with an organization they own, made directly in the registry (as the owner role).
    /// `verified` marks the email verified when the registry has that column.
    func createUser(name: String = "Test Merchant", email: String? = nil, password: String = "correct horse battery",
                    verified: Bool = true) throws -> (userId: Int64, orgId: Int64, email: String) {
        let owner = try ownerConnection()
        let address = email ?? "merchant-\(Hex.encode(SecureRandom.bytes(6)))@example.com"
        let row = try owner.queryFirst("""
            INSERT INTO users (email, name, password_hash) VALUES (\(address), \(name), \(PasswordHasher.hash(password)))
            RETURNING id
            """)!
        let userId: Int64 = try row.decode("id")
        let org = try owner.queryFirst("SELECT storefleet_create_organization(\(name + "'s organization"), \(userId)) AS id")!
        if verified, try owner.queryFirst("""
            SELECT 1 FROM information_schema.columns WHERE table_name = 'users' AND column_name = 'email_verified_at'
            """) != nil {
            try owner.execute("UPDATE users SET email_verified_at = now() WHERE id = \(userId)")
        }
        return (userId, try org.decode("id"), address)
    }

    /// A client signed in as `userId` (a session made through the registry's own API).
    func signedInClient(userId: Int64) throws -> WebClient {
        let client = WebClient(handler: try handler(), host: platformDomain)
        let (token, _) = try Sessions.create(try ownerConnection(), userId: userId)
        client.cookies["sf_session"] = token
        return client
    }
}
