import Crypto

/// One outbound HTTP call, as a value. Printing it shows the method, host and path only: headers
/// (Authorization), the query and the body may hold secrets and are never part of its description.
public struct OutboundRequest: Sendable, CustomStringConvertible {
    public enum Method: String, Sendable {
        case get = "GET", head = "HEAD", post = "POST", put = "PUT", patch = "PATCH", delete = "DELETE"
    }

    /// Credentials sent in the Authorization header.
    public enum Authorization: Sendable {
        /// `Authorization: Basic base64(username:password)` (Stripe: the secret key as username).
        case basic(username: String, password: String)
        /// `Authorization: Bearer <token>`.
        case bearer(String)
    }

    public var method: Method
    /// Absolute `http://` or `https://` URL.
    public var url: String
    /// Sent in this order; a name may repeat. Names and values may not contain line breaks.
    public var headers: [(name: String, value: String)]
    public var body: [UInt8]
    public var authorization: Authorization?
    /// Time allowed to open the connection (TCP and TLS).
    public var connectTimeout: Duration
    /// Time allowed for the whole call, connecting included.
    public var timeout: Duration
    /// A longer response body fails the call with `.responseTooLarge`; the rest is not read.
    public var maxResponseBytes: Int
    /// How many redirects to follow; 0 (the default) returns the 3xx response itself.
    public var maxRedirects: Int

    public init(_ method: Method = .get, url: String, headers: [(name: String, value: String)] = [],
                body: [UInt8] = [], authorization: Authorization? = nil,
                connectTimeout: Duration = .seconds(5), timeout: Duration = .seconds(30),
                maxResponseBytes: Int = 8 << 20, maxRedirects: Int = 0) {
        self.method = method
        self.url = url
        self.headers = headers
        self.body = body
        self.authorization = authorization
        self.connectTimeout = connectTimeout
        self.timeout = timeout
        self.maxResponseBytes = maxResponseBytes
        self.maxRedirects = maxRedirects
    }

    /// A POST (or `method`) with an `application/x-www-form-urlencoded` body, as Stripe takes it.
    public static func form(_ method: Method = .post, url: String, fields: FormFields,
                            authorization: Authorization? = nil) -> OutboundRequest {
        OutboundRequest(method, url: url,
                        headers: [("Content-Type", "application/x-www-form-urlencoded")],
                        body: Array(fields.encoded().utf8), authorization: authorization)
    }

    /// A request with a JSON body already serialised by the caller.
    public static func json(_ method: Method = .post, url: String, body: [UInt8],
                            authorization: Authorization? = nil) -> OutboundRequest {
        OutboundRequest(method, url: url,
                        headers: [("Content-Type", "application/json"), ("Accept", "application/json")],
                        body: body, authorization: authorization)
    }

    /// The value of the first header named `name` (case-insensitive).
    public func header(_ name: String) -> String? {
        headers.first { $0.name.lowercased() == name.lowercased() }?.value
    }

    public var description: String {
        let target = try? CurlURLTarget(url, allowedSchemes: OutboundHTTPClient.schemes)
        return "\(method.rawValue) \(target.map { "\($0.scheme)://\($0.host)" } ?? "<invalid URL>")"
    }

    /// The header lines libcurl sends, Authorization included; validated against header injection.
    func headerLines() throws(IntegrationError) -> [String] {
        var lines: [String] = []
        for (name, value) in headers {
            guard HeaderSyntax.isToken(name) else { throw .invalidRequest(reason: "header name is not a token") }
            guard !HeaderSyntax.hasLineBreakOrNul(value) else {
                throw .invalidRequest(reason: "the value of header \(name) contains a line break")
            }
            // "Name;" is libcurl's way to send a header with an empty value.
            lines.append(value.isEmpty ? "\(name);" : "\(name): \(value)")
        }
        switch authorization {
        case .basic(let username, let password):
            guard !username.contains(":") else { throw .invalidRequest(reason: "a basic-auth username cannot contain ':'") }
            lines.append("Authorization: Basic " + Base64.encode(Array("\(username):\(password)".utf8)))
        case .bearer(let token):
            guard !HeaderSyntax.hasLineBreakOrNul(token) else { throw .invalidRequest(reason: "the bearer token contains a line break") }
            lines.append("Authorization: Bearer \(token)")
        case nil:
            break
        }
        // libcurl adds `Expect: 100-continue` to larger bodies, which costs a round trip; most
        // APIs answer at once, so it is turned off unless the caller asks for it.
        if header("Expect") == nil { lines.append("Expect:") }
        return lines
    }
}

/// Header syntax checks shared by HTTP and mail.
enum HeaderSyntax {
    /// RFC 9110 token: what a header name may be.
    static func isToken(_ s: String) -> Bool {
        !s.isEmpty && s.utf8.allSatisfy { c in
            (c >= 0x30 && c <= 0x39) || (c >= 0x41 && c <= 0x5A) || (c >= 0x61 && c <= 0x7A)
                || "!#$%&'*+-.^_`|~".utf8.contains(c)
        }
    }

    static func hasLineBreakOrNul(_ s: String) -> Bool {
        s.utf8.contains { $0 == 0x0D || $0 == 0x0A || $0 == 0 }
    }
}

extension Duration {
    /// Whole milliseconds, at least 1 (libcurl reads 0 as "no limit").
    var clampedMilliseconds: Int {
        let (seconds, attoseconds) = components
        let ms = seconds * 1000 + attoseconds / 1_000_000_000_000_000
        return Int(max(1, min(ms, Int64(Int32.max))))
    }
}
