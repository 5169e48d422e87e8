/// Where and how to hand mail over: `SMTPSettings(url: "smtp://127.0.0.1:2525")`.
public struct SMTPSettings: Sendable, CustomStringConvertible {
    /// When to upgrade an `smtp://` connection with STARTTLS (`smtps://` is TLS from the start).
    public enum StartTLS: Sendable {
        /// Never: plain text. Only for a catcher on this machine.
        case never
        /// When the server offers it; plain otherwise (open to a downgrade on the network).
        case ifOffered
        /// Always: fail with `.tls` rather than send in plain text.
        case always
    }

    /// `smtp://host:port` or `smtps://host:port`; an optional path names us in EHLO.
    public var url: String
    public var username: String?
    public var password: String?
    public var startTLS: StartTLS
    public var connectTimeout: Duration
    /// For the whole conversation, connecting included.
    public var timeout: Duration

    /// `startTLS` defaults to `.always`, except for a loopback host (127.x, ::1, localhost),
    /// where it is `.ifOffered` so the local catcher, which has no certificate, works.
    public init(url: String, username: String? = nil, password: String? = nil, startTLS: StartTLS? = nil,
                connectTimeout: Duration = .seconds(10), timeout: Duration = .seconds(60)) {
        self.url = url
        self.username = username
        self.password = password
        self.startTLS = startTLS ?? (SMTPSettings.isLoopback(url) ? .ifOffered : .always)
        self.connectTimeout = connectTimeout
        self.timeout = timeout
    }

    /// Scheme and host only: no credentials.
    public var description: String {
        guard let target = try? CurlURLTarget(url, allowedSchemes: Mailer.schemes) else { return "SMTP <invalid URL>" }
        return "\(target.scheme)://\(target.host)"
    }

    static func isLoopback(_ url: String) -> Bool {
        guard let target = try? CurlURLTarget(url, allowedSchemes: Mailer.schemes) else { return false }
        var host = target.host
        if host.hasPrefix("[") { host = String(host.dropFirst().prefix { $0 != "]" }) }
        else if let colon = host.lastIndex(of: ":") { host = String(host[..<colon]) }
        return host == "localhost" || host == "::1" || host.hasPrefix("127.")
    }
}
