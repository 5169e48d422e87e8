import HTTP
import Integrations
import Liquid

/// `/dev/mail`: the mail the local SMTP catcher kept, so links in it can be followed while
/// developing. Only when `STOREFLEET_DEV_MAIL=1` (set by `scripts/stack.sh` for the local
/// profiles, never in production); otherwise these paths are 404 like any unknown page.
extension StorefleetApp {
    func addDevMailRoutes(to router: inout SiteRouter<PlatformSite>) {
        router.get("/dev/mail") { [unowned self] _, _, site in
            let box = try devMailbox()
            let entries: [Value] = box.entries().reversed().prefix(200).map { e in
                ["id": .string(e.id), "subject": .string(e.subject), "to": .string(e.recipients.joined(separator: ", ")),
                 "from": .string(e.mailFrom), "received_at": .string(e.receivedAt)]
            }
            return try site.page("platform/account/dev_mail", title: "Caught mail", assigns: ["mails": .array(entries)])
        }

        router.get("/dev/mail/:id") { [unowned self] _, parameters, site in
            guard let message = try devMailbox().message(id: parameters["id"] ?? "") else { throw HTTPError.notFound }
            return try site.page("platform/account/dev_mail_message", title: message.entry.subject, assigns: [
                "mail": [
                    "id": .string(message.entry.id), "subject": .string(message.entry.subject),
                    "from": .string(message.header("From") ?? message.entry.mailFrom),
                    "to": .string(message.entry.recipients.joined(separator: ", ")),
                    "received_at": .string(message.entry.receivedAt),
                    "text_html": .safe(Linkify.html(message.text ?? "(no text part)")),
                    "html": .string(message.html ?? ""),
                ],
            ])
        }
    }

    /// The catcher's folder, or 404 when the development mail page is off.
    private func devMailbox() throws -> CaughtMailbox {
        let env = config.environment
        guard env["STOREFLEET_DEV_MAIL"] == "1", let dir = env["STOREFLEET_MAIL_DIR"], !dir.isEmpty else {
            throw HTTPError.notFound
        }
        return CaughtMailbox(folder: dir)
    }
}

/// Plain text as HTML with `http(s)://` links made clickable, line breaks kept; everything
/// else escaped.
enum Linkify {
    static func html(_ text: String) -> String {
        var out = ""
        var rest = Substring(text)
        while let s = [rest.range(of: "http://"), rest.range(of: "https://")].compactMap({ $0 })
                .min(by: { $0.lowerBound < $1.lowerBound }) {
            out += escape(rest[..<s.lowerBound])
            let end = rest[s.lowerBound...].firstIndex { $0.isWhitespace || $0 == "<" || $0 == ">" || $0 == "\"" } ?? rest.endIndex
            var url = rest[s.lowerBound..<end]
            while let last = url.last, ".,;:)!?".contains(last) { url = url.dropLast() }
            let href = escape(url)
            out += "<a href=\"\(href)\">\(href)</a>"
            rest = rest[url.endIndex...]
        }
        out += escape(rest)
        return out.replacingOccurrences(of: "\n", with: "<br>\n")
    }

    static func escape(_ s: Substring) -> String {
        var out = ""
        for c in s {
            switch c {
            case "&": out += "&amp;"
            case "<": out += "&lt;"
            case ">": out += "&gt;"
            case "\"": out += "&quot;"
            case "'": out += "&#39;"
            default: out.append(c)
            }
        }
        return out
    }
}
