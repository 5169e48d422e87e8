/// Why a Stripe call failed. The description carries Stripe's error type, code and message
/// (never the key, a client secret or a request body), so it is safe to log and, for `.api`,
/// to show the merchant.
public enum StripeError: Error, Equatable, Sendable, CustomStringConvertible {
    /// Stripe answered with an error object (4xx/5xx): `type` such as `invalid_request_error`
    /// or `card_error`, an optional `code`, and its human message.
    case api(status: Int, type: String, code: String?, message: String)
    /// Stripe could not be reached or the transfer failed (nothing is known to have happened).
    case transport(IntegrationError)
    /// A success status with a body that is not the object we asked for.
    case malformedResponse(String)
    /// The client is missing its secret key or base URL.
    case notConfigured(String)

    public var description: String {
        switch self {
        case .api(let status, let type, let code, let message):
            return "Stripe \(status) \(type)\(code.map { " (\($0))" } ?? ""): \(message)"
        case .transport(let error): return "Stripe unreachable: \(error)"
        case .malformedResponse(let what): return "Stripe sent an unexpected answer: \(what)"
        case .notConfigured(let what): return "Stripe is not configured: \(what)"
        }
    }

    /// Whether the same call may succeed later (network, rate limit, Stripe's own 5xx).
    public var isTemporary: Bool {
        switch self {
        case .transport: return true
        case .api(let status, _, _, _): return status == 429 || status >= 500
        default: return false
        }
    }
}
