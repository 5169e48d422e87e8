import Foundation

/// An email address with an optional display name: `MailAddress("ana@example.com", name: "Ana")`.
public struct MailAddress: Sendable, Equatable, ExpressibleByStringLiteral, CustomStringConvertible {
    /// `local@domain`, ASCII (internationalised addresses need SMTPUTF8, which we do not send).
    public var address: String
    /// Any text; encoded (RFC 2047) or quoted in the header as needed.
    public var name: String?

    public init(_ address: String, name: String? = nil) {
        self.address = address
        self.name = name
    }

    public init(stringLiteral value: String) { self.init(value) }

    public var description: String { address }

    /// The part after `@`.
    public var domain: Substring { address[address.index(after: address.lastIndex(of: "@") ?? address.startIndex)...] }

    /// Throws when the address could not be sent as given: not ASCII, no `@`, spaces, brackets,
    /// line breaks (which would let a caller inject SMTP commands or headers).
    func validate() throws(IntegrationError) {
        let bytes = Array(address.utf8)
        guard bytes.count <= 254, bytes.allSatisfy({ $0 > 0x20 && $0 < 0x7F }),
              !bytes.contains(where: { "<>()[]\\,;:\"".utf8.contains($0) }),
              let at = bytes.lastIndex(of: UInt8(ascii: "@")), at > 0, at < bytes.count - 1,
              bytes.filter({ $0 == UInt8(ascii: "@") }).count == 1
        else { throw .invalidRequest(reason: "not a usable email address") }
        if let name, HeaderSyntax.hasLineBreakOrNul(name) {
            throw .invalidRequest(reason: "a display name contains a line break")
        }
    }
}

/// One email. `text` is always sent; with `html` as well the mail is `multipart/alternative`
/// (text first, so clients that cannot show HTML show the text). `Date` and `Message-ID` are
/// filled in when sent unless set here.
public struct Mail: Sendable {
    public var from: MailAddress
    public var to: [MailAddress]
    public var cc: [MailAddress]
    /// Receive the mail but appear in no header.
    public var bcc: [MailAddress]
    public var replyTo: MailAddress?
    public var subject: String
    public var text: String
    public var html: String?
    /// Extra headers (`List-Unsubscribe`, `X-Storefleet-Kind`, ...). Non-ASCII values are
    /// encoded; the headers this type writes itself (From, To, Subject, Content-Type, ...) are
    /// refused here.
    public var headers: [(name: String, value: String)]
    /// Without angle brackets, e.g. `abc123@storefleet.example`; generated when nil.
    public var messageID: String?
    public var date: Date?

    public init(from: MailAddress, to: [MailAddress], cc: [MailAddress] = [], bcc: [MailAddress] = [],
                replyTo: MailAddress? = nil, subject: String, text: String, html: String? = nil,
                headers: [(name: String, value: String)] = [], messageID: String? = nil, date: Date? = nil) {
        self.from = from
        self.to = to
        self.cc = cc
        self.bcc = bcc
        self.replyTo = replyTo
        self.subject = subject
        self.text = text
        self.html = html
        self.headers = headers
        self.messageID = messageID
        self.date = date
    }

    /// Everyone the SMTP server is asked to deliver to (To, Cc, Bcc), each once.
    public var envelopeRecipients: [String] {
        var seen = Set<String>()
        return (to + cc + bcc).map(\.address).filter { seen.insert($0.lowercased()).inserted }
    }
}
