import HTTP
import Liquid

/// One message shown on the next page after a redirect ("Settings saved.").
struct Flash: Equatable {
    enum Kind: String { case success, error, info }
    let kind: Kind
    let message: String

    static func success(_ message: String) -> Flash { Flash(kind: .success, message: message) }
    static func error(_ message: String) -> Flash { Flash(kind: .error, message: message) }
    static func info(_ message: String) -> Flash { Flash(kind: .info, message: message) }

    init(kind: Kind, message: String) {
        self.kind = kind
        self.message = message
    }

    /// Parses `kind:message` (percent-encoded); nil for anything else.
    init?(cookieValue: String) {
        guard let text = FormEncoding.decode(cookieValue), let colon = text.firstIndex(of: ":"),
              let kind = Kind(rawValue: String(text[..<colon])) else { return nil }
        self.kind = kind
        message = String(text[text.index(after: colon)...].prefix(500))
    }

    func cookie(request: Request) -> SetCookie {
        WebCookie.make(WebCookie.flash, value: FormEncoding.encode(kind.rawValue + ":" + message),
                       request: request, maxAge: 300)
    }

    var liquidValue: Value { ["kind": .string(kind.rawValue), "message": .string(message)] }
}
