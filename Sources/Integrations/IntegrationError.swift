/// Why an outbound call (HTTP or SMTP) failed. The description names the host and the kind of
/// failure only: never a URL's path or query, a header, credentials or a body, so it is safe to
/// log and to show in the admin's job list.
public enum IntegrationError: Error, Equatable, Sendable, CustomStringConvertible {
    /// The URL cannot be used: malformed, or a scheme this client does not speak.
    case invalidURL(reason: String)
    /// The request or mail cannot be sent as built (a header with a line break, no recipient, ...).
    case invalidRequest(reason: String)
    /// The host name did not resolve.
    case couldNotResolve(host: String)
    /// Nothing accepted the connection (refused, unreachable).
    case couldNotConnect(host: String)
    /// The connect or the total time limit passed.
    case timedOut(host: String, milliseconds: Int)
    /// The TLS handshake or the certificate check failed.
    case tls(host: String, summary: String)
    /// The response body was larger than the request allowed; the rest was not read.
    case responseTooLarge(host: String, limitBytes: Int)
    /// The server refused the credentials (SMTP AUTH).
    case authenticationFailed(host: String)
    /// The SMTP server refused the sender, a recipient or the message, with this reply code.
    case mailRejected(host: String, replyCode: Int)
    /// Any other transport failure; `curlCode` is libcurl's `CURLcode`, for logs.
    case transport(host: String, curlCode: Int, summary: String)

    public var description: String {
        switch self {
        case .invalidURL(let reason): return "invalid URL: \(reason)"
        case .invalidRequest(let reason): return "invalid request: \(reason)"
        case .couldNotResolve(let host): return "could not resolve \(host)"
        case .couldNotConnect(let host): return "could not connect to \(host)"
        case .timedOut(let host, let ms): return "\(host) did not answer within \(ms) ms"
        case .tls(let host, let summary): return "TLS with \(host) failed: \(summary)"
        case .responseTooLarge(let host, let limit): return "response from \(host) exceeds \(limit) bytes"
        case .authenticationFailed(let host): return "\(host) refused the credentials"
        case .mailRejected(let host, let code): return "\(host) refused the mail (SMTP \(code))"
        case .transport(let host, let code, let summary): return "transfer with \(host) failed: \(summary) (curl \(code))"
        }
    }

    /// Whether trying again later may succeed: network trouble, time-outs and SMTP 4xx replies.
    /// The job queue retries these with back-off and dead-letters the rest.
    public var isTransient: Bool {
        switch self {
        case .couldNotResolve, .couldNotConnect, .timedOut, .transport: return true
        case .mailRejected(_, let code): return (400..<500).contains(code)
        case .invalidURL, .invalidRequest, .tls, .responseTooLarge, .authenticationFailed: return false
        }
    }
}
