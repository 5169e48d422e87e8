/// What a handler returns. The FastCGI worker adds `X-Request-Id` and `Content-Length`
/// (for byte bodies) and drops the body of a HEAD response.
public struct Response {
    public enum Body {
        case bytes([UInt8])
        /// Written in chunks as the closure produces them (feeds, exports); no Content-Length.
        case stream((BodyWriter) throws -> Void)

        public static var empty: Body { .bytes([]) }
    }

    public var status: Status
    public var headers: Headers
    public var body: Body
    /// The store that served this request, for the access log only; never sent.
    public var storeForLog: String?

    public init(status: Status = .ok, headers: Headers = Headers(), body: Body = .empty) {
        self.status = status
        self.headers = headers
        self.body = body
    }

    /// An HTML page, `text/html; charset=utf-8`.
    public static func html(_ s: String, status: Status = .ok) -> Response {
        Response(status: status, headers: ["Content-Type": "text/html; charset=utf-8"], body: .bytes(Array(s.utf8)))
    }

    /// Plain text, `text/plain; charset=utf-8`.
    public static func text(_ s: String, status: Status = .ok) -> Response {
        Response(status: status, headers: ["Content-Type": "text/plain; charset=utf-8"], body: .bytes(Array(s.utf8)))
    }

    /// Already-encoded JSON text, `application/json`.
    public static func json(_ encoded: String, status: Status = .ok) -> Response {
        Response(status: status, headers: ["Content-Type": "application/json"], body: .bytes(Array(encoded.utf8)))
    }

    /// A redirect; 303 by default (the answer to a form POST).
    public static func redirect(to location: String, status: Status = .seeOther) -> Response {
        Response(status: status, headers: ["Location": location], body: .empty)
    }

    /// A body streamed by `write`, e.g. a product feed.
    public static func stream(contentType: String, status: Status = .ok, _ write: @escaping (BodyWriter) throws -> Void) -> Response {
        Response(status: status, headers: ["Content-Type": contentType], body: .stream(write))
    }

    /// Adds a `Set-Cookie` header.
    public mutating func setCookie(_ cookie: SetCookie) {
        headers.add("Set-Cookie", cookie.headerValue)
    }

    /// The whole body as bytes, running a stream to completion (tests, small bodies).
    public func collectBody() throws -> [UInt8] {
        switch body {
        case .bytes(let b):
            return b
        case .stream(let write):
            let sink = ByteSink()
            try write(BodyWriter { chunk in sink.bytes.append(contentsOf: chunk) })
            return sink.bytes
        }
    }

    /// The body as UTF-8 text (tests).
    public func bodyText() throws -> String { String(decoding: try collectBody(), as: UTF8.self) }
}

private final class ByteSink { var bytes: [UInt8] = [] }

/// Receives a streamed body chunk by chunk. A write error (client gone) is thrown to the stream.
public struct BodyWriter {
    private let sink: (UnsafeRawBufferPointer) throws -> Void

    public init(_ sink: @escaping (UnsafeRawBufferPointer) throws -> Void) { self.sink = sink }

    public func write(_ bytes: [UInt8]) throws {
        try bytes.withUnsafeBytes { try sink($0) }
    }

    public func write(_ text: String) throws {
        var text = text
        try text.withUTF8 { try sink(UnsafeRawBufferPointer($0)) }
    }
}
