/// The Commerce module's own errors (database errors arrive as `PostgresError`).
public enum CommerceError: Error, CustomStringConvertible, Sendable {
    /// A statement that always returns a row returned none.
    case missingResult(String)
    /// The store's media folder cannot be written (a server problem, never the merchant's).
    case mediaUnavailable(String)

    public var description: String {
        switch self {
        case .missingResult(let what): return "commerce: no result for \(what)"
        case .mediaUnavailable(let what): return "commerce: media folder: \(what)"
        }
    }
}
