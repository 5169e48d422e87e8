/// An HTTP status code with its reason phrase.
public struct Status: Hashable, Sendable, CustomStringConvertible {
    public let code: Int
    public let reason: String

    public init(code: Int, reason: String) {
        self.code = code
        self.reason = reason
    }

    /// A status by code, with the standard reason phrase when we know it.
    public init(code: Int) {
        self.code = code
        self.reason = Status.knownReasons[code] ?? (code < 400 ? "OK" : "Error")
    }

    public var description: String { "\(code) \(reason)" }
    public var isServerError: Bool { code >= 500 }
    public var isClientError: Bool { code >= 400 && code < 500 }

    public static func == (a: Status, b: Status) -> Bool { a.code == b.code }
    public func hash(into h: inout Hasher) { h.combine(code) }

    public static let ok = Status(code: 200)
    public static let created = Status(code: 201)
    public static let accepted = Status(code: 202)
    public static let noContent = Status(code: 204)
    public static let movedPermanently = Status(code: 301)
    public static let found = Status(code: 302)
    public static let seeOther = Status(code: 303)
    public static let notModified = Status(code: 304)
    public static let temporaryRedirect = Status(code: 307)
    public static let permanentRedirect = Status(code: 308)
    public static let badRequest = Status(code: 400)
    public static let unauthorized = Status(code: 401)
    public static let forbidden = Status(code: 403)
    public static let notFound = Status(code: 404)
    public static let methodNotAllowed = Status(code: 405)
    public static let conflict = Status(code: 409)
    public static let gone = Status(code: 410)
    public static let payloadTooLarge = Status(code: 413)
    public static let uriTooLong = Status(code: 414)
    public static let unsupportedMediaType = Status(code: 415)
    public static let unprocessableContent = Status(code: 422)
    public static let tooManyRequests = Status(code: 429)
    public static let internalServerError = Status(code: 500)
    public static let badGateway = Status(code: 502)
    public static let serviceUnavailable = Status(code: 503)

    static let knownReasons: [Int: String] = [
        200: "OK", 201: "Created", 202: "Accepted", 204: "No Content",
        301: "Moved Permanently", 302: "Found", 303: "See Other", 304: "Not Modified",
        307: "Temporary Redirect", 308: "Permanent Redirect",
        400: "Bad Request", 401: "Unauthorized", 403: "Forbidden", 404: "Not Found",
        405: "Method Not Allowed", 409: "Conflict", 410: "Gone", 413: "Content Too Large",
        414: "URI Too Long", 415: "Unsupported Media Type", 422: "Unprocessable Content",
        429: "Too Many Requests", 500: "Internal Server Error", 502: "Bad Gateway",
        503: "Service Unavailable",
    ]
}
