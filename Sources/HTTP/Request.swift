/// An HTTP request as a handler sees it, built from the FastCGI (CGI) params and the body.
/// Parsing validates everything a handler would otherwise trust: the host, the path, the
/// query string and cookies (UTF-8, limits). The form body is parsed on demand by `form()`.
public struct Request: Sendable {
    public var method: Method
    /// The path, percent-decoded (`/products/caf%C3%A9` → `/products/café`).
    public var path: String
    /// The path as sent, still percent-encoded; the router matches on its segments.
    public var rawPath: String
    /// The query string as sent, without `?`.
    public var rawQuery: String
    /// Normalised host: lower-case, no port, no trailing dot (see `HostName.normalize`).
    public var host: String
    public var headers: Headers
    public var query: FormData
    public var cookies: [String: String]
    public var body: [UInt8]
    /// The incoming `X-Request-Id` if it is sane, else a fresh random id.
    public var requestId: String
    public var remoteAddress: String
    /// Whether the client reached nginx over TLS (`HTTPS=on`).
    public var isSecure: Bool
    /// Path parameters filled in by the `Router` (`:handle`, `*tail`).
    public var parameters: Parameters = Parameters()
    public var limits: RequestLimits

    /// Builds a request from CGI params (`REQUEST_METHOD`, `REQUEST_URI`, `QUERY_STRING`,
    /// `HTTP_HOST`, `HTTP_*`, `CONTENT_TYPE`, `CONTENT_LENGTH`, `REMOTE_ADDR`, `HTTPS`).
    /// Throws 400 for a malformed method, path, host, query or cookie (including invalid
    /// UTF-8), 413 for a body or fields over `limits`, 414 for an over-long URI.
    public init(cgi params: [String: String], body: [UInt8], limits: RequestLimits = .default) throws(HTTPError) {
        self.limits = limits
        let methodName = params["REQUEST_METHOD"] ?? "GET"
        guard Method.isValidToken(methodName) else { throw .badRequest("The request method is malformed.") }
        method = Method(rawValue: methodName)

        var uri = params["REQUEST_URI"] ?? params["DOCUMENT_URI"] ?? "/"
        if uri.hasPrefix("http://") || uri.hasPrefix("https://") {
            // Absolute-form request target: keep only the path and query.
            let afterScheme = uri[uri.index(uri.firstIndex(of: ":")!, offsetBy: 3)...]
            uri = afterScheme.firstIndex(of: "/").map { String(afterScheme[$0...]) } ?? "/"
        }
        guard uri.utf8.count <= limits.maxQueryBytes + 8192 else { throw HTTPError(.uriTooLong) }
        let pathPart: Substring
        var queryPart: Substring = ""
        if let q = uri.firstIndex(of: "?") {
            pathPart = uri[..<q]
            queryPart = uri[uri.index(after: q)...]
        } else {
            pathPart = uri[...]
        }
        guard pathPart.first == "/" else { throw .badRequest("The request path is malformed.") }
        rawPath = String(pathPart)
        path = try PercentDecoding.decode(pathPart, plusAsSpace: false, maxBytes: 8192)

        rawQuery = params["QUERY_STRING"] ?? String(queryPart)
        guard rawQuery.utf8.count <= limits.maxQueryBytes else { throw HTTPError(.uriTooLong) }
        query = try URLEncodedForm.parse(rawQuery[...], limits: limits)

        var headers = Headers()
        for (key, value) in params where key.hasPrefix("HTTP_") {
            headers.add(Request.headerName(fromCGI: key), value)
        }
        if let ct = params["CONTENT_TYPE"], !ct.isEmpty { headers["content-type"] = ct }
        if let cl = params["CONTENT_LENGTH"], !cl.isEmpty { headers["content-length"] = cl }
        self.headers = headers

        guard let host = HostName.normalize(params["HTTP_HOST"] ?? params["SERVER_NAME"] ?? "") else {
            throw .badRequest("The request's host name is missing or malformed.")
        }
        self.host = host

        cookies = try params["HTTP_COOKIE"].map { (c: String) throws(HTTPError) in try CookieParser.parse(c, limits: limits) } ?? [:]

        guard body.count <= limits.maxBodyBytes else { throw .tooLarge("The request body is too large.") }
        self.body = body
        requestId = RequestID.sanitize(params["HTTP_X_REQUEST_ID"]) ?? RequestID.generate()
        remoteAddress = params["REMOTE_ADDR"] ?? ""
        let https = params["HTTPS"]?.lowercased()
        isSecure = https == "on" || https == "1"
    }

    /// A request for tests and internal dispatch: `uri` is a path with an optional query.
    public init(
        method: Method = .get, uri: String, host: String = "localhost",
        headers: [(String, String)] = [], body: [UInt8] = [], limits: RequestLimits = .default
    ) throws(HTTPError) {
        var params = ["REQUEST_METHOD": method.rawValue, "REQUEST_URI": uri, "HTTP_HOST": host,
                      "REMOTE_ADDR": "127.0.0.1"]
        if let q = uri.firstIndex(of: "?") { params["QUERY_STRING"] = String(uri[uri.index(after: q)...]) }
        for (name, value) in headers {
            let lower = name.lowercased()
            if lower == "content-type" { params["CONTENT_TYPE"] = value; continue }
            if lower == "content-length" { params["CONTENT_LENGTH"] = value; continue }
            params[Request.cgiName(forHeader: name)] = value
        }
        if !body.isEmpty, params["CONTENT_LENGTH"] == nil { params["CONTENT_LENGTH"] = String(body.count) }
        try self.init(cgi: params, body: body, limits: limits)
    }

    /// The first value of a request header (case-insensitive).
    public func header(_ name: String) -> String? { headers[name] }

    /// The media type of the body, lower-cased, without parameters (`multipart/form-data`).
    public var mediaType: String? {
        guard let ct = headers["content-type"] else { return nil }
        return ct.split(separator: ";", maxSplits: 1).first.map { String($0.trimmingSpaces()).lowercased() }
    }

    /// The form in the body: `application/x-www-form-urlencoded` or `multipart/form-data`.
    /// An empty body is an empty form; any other media type with a body is 415.
    public func form() throws(HTTPError) -> FormData {
        switch mediaType {
        case "application/x-www-form-urlencoded":
            let text = try validUTF8(body)
            return try URLEncodedForm.parse(text[...], limits: limits)
        case "multipart/form-data":
            guard let ct = headers["content-type"], let boundary = MultipartForm.boundary(fromContentType: ct) else {
                throw .badRequest("The form upload is malformed.")
            }
            return try MultipartForm.parse(body, boundary: boundary, limits: limits)
        default:
            if body.isEmpty { return FormData() }
            throw HTTPError(.unsupportedMediaType, "The request body is not a form.")
        }
    }

    /// `HTTP_ACCEPT_LANGUAGE` → `accept-language`.
    static func headerName(fromCGI key: String) -> String {
        var bytes = Array(key.utf8.dropFirst(5))
        for i in bytes.indices {
            if bytes[i] == UInt8(ascii: "_") { bytes[i] = UInt8(ascii: "-") } else { bytes[i] = asciiLower(bytes[i]) }
        }
        return String(decoding: bytes, as: UTF8.self)
    }

    /// `Accept-Language` → `HTTP_ACCEPT_LANGUAGE`.
    static func cgiName(forHeader name: String) -> String {
        "HTTP_" + String(name.uppercased().map { $0 == "-" ? "_" : $0 })
    }
}
