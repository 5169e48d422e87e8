/// An error a client may see: it knows its status and a message safe to show anyone.
/// Every other error becomes a plain 500 page and a log line with the request id.
public protocol HTTPErrorRepresentable: Error {
    var status: Status { get }
    /// Shown on the error page; never internals (no SQL, paths, stack traces).
    var publicMessage: String { get }
    /// Extra response headers, e.g. `Allow` on 405 or `WWW-Authenticate` on 401.
    var headers: Headers { get }
}

extension HTTPErrorRepresentable {
    public var headers: Headers { Headers() }
}

/// The HTTP layer's own errors: malformed or oversized requests, unknown routes.
public struct HTTPError: HTTPErrorRepresentable, Equatable, CustomStringConvertible {
    public let status: Status
    public let publicMessage: String
    public var headers: Headers

    public init(_ status: Status, _ publicMessage: String? = nil, headers: Headers = Headers()) {
        self.status = status
        self.publicMessage = publicMessage ?? ErrorPage.defaultMessage(for: status)
        self.headers = headers
    }

    public var description: String { "HTTP \(status.code): \(publicMessage)" }

    public static func == (a: HTTPError, b: HTTPError) -> Bool {
        a.status == b.status && a.publicMessage == b.publicMessage
    }

    public static func badRequest(_ message: String) -> HTTPError { HTTPError(.badRequest, message) }
    public static func tooLarge(_ message: String) -> HTTPError { HTTPError(.payloadTooLarge, message) }
    public static let notFound = HTTPError(.notFound)
    public static let bodyTooLarge = HTTPError(.payloadTooLarge, "The request body is too large.")
    public static let invalidUTF8 = HTTPError(.badRequest, "The request contains text that is not valid UTF-8.")

    public static func methodNotAllowed(allowed: [Method]) -> HTTPError {
        var h = Headers()
        h["Allow"] = allowed.map(\.rawValue).joined(separator: ", ")
        return HTTPError(.methodNotAllowed, nil, headers: h)
    }
}
