/// The Commerce module's own errors (database errors arrive as `PostgresError`).
public enum CommerceError: Error, CustomStringConvertible, Sendable {
    /// A statement that always returns a row returned none.
    case missingResult(String)

    public var description: String {
        switch self {
        case .missingResult(let what): return "commerce: no result for \(what)"
        }
    }
}
