/// What came back: any status (a 4xx or 5xx is a response, not an error), headers, body.
public struct OutboundResponse: Sendable {
    public var status: Int
    /// In the order received; names as the server spelled them.
    public var headers: [(name: String, value: String)]
    public var body: [UInt8]

    public init(status: Int, headers: [(name: String, value: String)], body: [UInt8]) {
        self.status = status
        self.headers = headers
        self.body = body
    }

    /// The first header named `name` (case-insensitive).
    public func header(_ name: String) -> String? {
        let wanted = name.lowercased()
        return headers.first { $0.name.lowercased() == wanted }?.value
    }

    /// The body as UTF-8 text, nil when it is not valid UTF-8.
    public var text: String? { String(validating: body, as: UTF8.self) }

    /// 200–299.
    public var isSuccess: Bool { (200..<300).contains(status) }
}
