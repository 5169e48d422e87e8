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
        // A browser sends it encoded twice: by `cookie(request:)`, then by `SetCookie`, which
        // escapes `%` (an encoded `:` never looks like the separator, so once is tried first).
        func parse(_ text: String?) -> (Kind, Substring)? {
            guard let text, let colon = text.firstIndex(of: ":"),
                  let kind = Kind(rawValue: String(text[..<colon])) else { return nil }
            return (kind, text[text.index(after: colon)...])
        }
        let once = FormEncoding.decode(cookieValue)
        guard let (kind, text) = parse(once) ?? parse(once.flatMap(FormEncoding.decode)) else { return nil }
        self.kind = kind
        message = String(text.prefix(500))
    }

    func cookie(request: Request) -> SetCookie {
        WebCookie.make(WebCookie.flash, value: FormEncoding.encode(kind.rawValue + ":" + message),
                       request: request, maxAge: 300)
    }

    var liquidValue: Value { ["kind": .string(kind.rawValue), "message": .string(message)] }
}
