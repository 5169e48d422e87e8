import Crypto
import Foundation

extension Mail {
    /// The headers this type writes itself; `headers` may not repeat them.
    static let reservedHeaders: Set<String> = [
        "from", "to", "cc", "bcc", "reply-to", "subject", "date", "message-id", "mime-version",
        "content-type", "content-transfer-encoding",
    ]

    /// Checks everything that would make the message malformed or let input inject headers.
    func validate() throws(IntegrationError) {
        guard !to.isEmpty || !cc.isEmpty || !bcc.isEmpty else { throw .invalidRequest(reason: "a mail needs a recipient") }
        try from.validate()
        for address in to + cc + bcc { try address.validate() }
        try replyTo?.validate()
        guard !HeaderSyntax.hasLineBreakOrNul(subject) else { throw .invalidRequest(reason: "the subject contains a line break") }
        // Folding breaks lines at spaces only; one unbroken ASCII run must fit a 998-byte line.
        for (name, value) in [("Subject", subject)] + headers
        where value.split(separator: " ").contains(where: { $0.utf8.count > 900 }) {
            throw .invalidRequest(reason: "header \(name) has a word longer than 900 bytes")
        }
        for (name, value) in headers {
            guard HeaderSyntax.isToken(name), !name.contains(":") else { throw .invalidRequest(reason: "header name is not a token") }
            guard !Mail.reservedHeaders.contains(name.lowercased()) else {
                throw .invalidRequest(reason: "header \(name) is set from the mail's fields")
            }
            guard !HeaderSyntax.hasLineBreakOrNul(value) else {
                throw .invalidRequest(reason: "the value of header \(name) contains a line break")
            }
        }
        if let messageID {
            guard messageID.utf8.allSatisfy({ $0 > 0x20 && $0 < 0x7F }), !messageID.contains("<"), !messageID.contains(">"),
                  messageID.contains("@")
            else { throw .invalidRequest(reason: "Message-ID must look like id@domain, without brackets") }
        }
    }

    /// A fresh Message-ID: 144 random bits at the sender's domain.
    func generatedMessageID() -> String {
        SecureRandom.token(bytes: 18) + "@" + from.domain
    }

    /// The whole message as sent after DATA: CRLF line ends, every line ≤ 998 bytes (bodies are
    /// quoted-printable), no Bcc header. `boundary` is fixed by tests; it starts with `=_`,
    /// which quoted-printable text can never contain, so it cannot collide with a body.
    func rendered(messageID: String, date: Date, boundary: String = "=_sf" + SecureRandom.token(bytes: 12)) -> [UInt8] {
        let crlf = MIMEEncoding.crlf
        var lines: [String] = [
            "Date: " + MIMEEncoding.date(date),
            Mail.addressField("From", [from]),
        ]
        if !to.isEmpty { lines.append(Mail.addressField("To", to)) }
        if !cc.isEmpty { lines.append(Mail.addressField("Cc", cc)) }
        if let replyTo { lines.append(Mail.addressField("Reply-To", [replyTo])) }
        lines.append(MIMEEncoding.headerField("Subject", unstructured: subject))
        lines.append("Message-ID: <" + messageID + ">")
        lines.append("MIME-Version: 1.0")
        for (name, value) in headers { lines.append(MIMEEncoding.headerField(name, unstructured: value)) }

        let textPart = "Content-Type: text/plain; charset=utf-8" + crlf
            + "Content-Transfer-Encoding: quoted-printable" + crlf + crlf
            + MIMEEncoding.quotedPrintable(text)
        var message: String
        if let html {
            let htmlPart = "Content-Type: text/html; charset=utf-8" + crlf
                + "Content-Transfer-Encoding: quoted-printable" + crlf + crlf
                + MIMEEncoding.quotedPrintable(html)
            lines.append("Content-Type: multipart/alternative; boundary=\"\(boundary)\"")
            message = lines.joined(separator: crlf) + crlf + crlf
                + "This is a multipart message in MIME format." + crlf
                + "--" + boundary + crlf + textPart + crlf
                + "--" + boundary + crlf + htmlPart + crlf
                + "--" + boundary + "--" + crlf
        } else {
            message = lines.joined(separator: crlf) + crlf + textPart + crlf
        }
        if !message.hasSuffix(crlf) { message += crlf }
        return Array(message.utf8)
    }

    /// `To: a@b, "Name" <c@d>`, one address per line when they do not fit on one.
    static func addressField(_ name: String, _ addresses: [MailAddress]) -> String {
        let mailboxes = addresses.map(MIMEEncoding.mailbox)
        let oneLine = name + ": " + mailboxes.joined(separator: ", ")
        if oneLine.utf8.count <= 78 && !oneLine.contains("\r\n") { return oneLine }
        return name + ": " + mailboxes.joined(separator: "," + MIMEEncoding.crlf + " ")
    }
}
