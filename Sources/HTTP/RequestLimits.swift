/// Size limits applied while a request is parsed. Over a limit: 413 (bodies, forms, files),
/// 414 (query string) or 400 (cookies, headers).
public struct RequestLimits: Sendable {
    /// Whole body; nginx's `client_max_body_size` should be at or below this.
    public var maxBodyBytes: Int = 16 << 20
    /// Fields in a query string or form (files included).
    public var maxFields: Int = 1000
    /// One text field's name or value, decoded.
    public var maxFieldBytes: Int = 1 << 20
    /// File parts in one multipart form.
    public var maxFiles: Int = 20
    /// One uploaded file.
    public var maxFileBytes: Int = 16 << 20
    /// The raw query string.
    public var maxQueryBytes: Int = 16 << 10
    /// Cookies in the Cookie header, and the header's length.
    public var maxCookies: Int = 64
    public var maxCookieHeaderBytes: Int = 8 << 10

    public init() {}
    public static let `default` = RequestLimits()
}
