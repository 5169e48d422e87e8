/// Why an order action (mark paid, fulfil, refund, cancel) was refused. Nothing was changed when
/// this is thrown; `message` is written for the merchant and shown next to the form.
public struct OrderActionError: Error, Sendable, CustomStringConvertible {
    public enum Code: String, Sendable {
        /// No order with that id or number.
        case notFound = "not_found"
        /// The action does not apply to the order as it stands (e.g. cancel a fulfilled order).
        case notAllowed = "not_allowed"
        /// The merchant's input is wrong (e.g. refund more than was paid); `field` names it.
        case invalid
        /// The payment provider refused or could not be reached; nothing was recorded.
        case gateway
    }

    public let code: Code
    public let message: String
    /// The form field the message belongs next to, when there is one.
    public let field: String?

    public init(_ code: Code, _ message: String, field: String? = nil) {
        self.code = code
        self.message = message
        self.field = field
    }

    public static let notFound = OrderActionError(.notFound, "That order does not exist.")

    public var description: String { "order action refused (\(code.rawValue)): \(message)" }
}

extension String {
    /// Without leading and trailing spaces and newlines (merchant input).
    var orderTrimmed: String {
        let scalars = unicodeScalars
        guard let start = scalars.firstIndex(where: { !$0.properties.isWhitespace }) else { return "" }
        let end = scalars.lastIndex(where: { !$0.properties.isWhitespace })!
        return String(scalars[start...end])
    }
}
