import Foundation

/// Reads the folder that the development SMTP catcher (`scripts/smtp-catcher.py`) fills, for the
/// development-only mail page of `make run` and for tests that follow a link in a mail. The
/// catcher writes `<id>.eml` (complete, renamed into place) and then one line of `index.jsonl`.
public struct CaughtMailbox: Sendable {
    /// One line of index.jsonl.
    public struct Entry: Sendable, Decodable {
        public let id: String
        public let file: String
        /// `2026-11-25T17:01:02.123Z`.
        public let receivedAt: String
        public let mailFrom: String
        /// The envelope recipients (Bcc included).
        public let recipients: [String]
        /// Decoded by the catcher.
        public let subject: String

        enum CodingKeys: String, CodingKey {
            case id, file, subject
            case receivedAt = "received_at", mailFrom = "mail_from", recipients = "rcpt_tos"
        }
    }

    public let folder: String

    public init(folder: String) { self.folder = folder }

    /// Every stored mail, oldest first; empty when the catcher has stored none. Lines that do
    /// not parse are skipped.
    public func entries() -> [Entry] {
        guard let text = try? String(contentsOfFile: folder + "/index.jsonl", encoding: .utf8) else { return [] }
        let decoder = JSONDecoder()
        return text.split(separator: "\n").compactMap { try? decoder.decode(Entry.self, from: Data($0.utf8)) }
    }

    /// The mail with this id, looked up in the index, so an id from a URL can never name another
    /// file.
    public func message(id: String) -> CaughtMessage? {
        guard let entry = entries().first(where: { $0.id == id }),
              let data = FileManager.default.contents(atPath: folder + "/" + entry.file)
        else { return nil }
        return CaughtMessage(entry: entry, raw: [UInt8](data))
    }
}

/// A stored mail, parsed far enough to show it: headers (unfolded, not decoded) and the text
/// and HTML bodies, quoted-printable or base64 decoded.
public struct CaughtMessage: Sendable {
    public let entry: CaughtMailbox.Entry
    public let raw: [UInt8]
    public let headers: [(name: String, value: String)]
    public let text: String?
    public let html: String?

    init(entry: CaughtMailbox.Entry, raw: [UInt8]) {
        self.entry = entry
        self.raw = raw
        let (headers, body) = MIMEPart.split(String(decoding: raw, as: UTF8.self))
        self.headers = headers
        var leaves: [(type: String, text: String)] = []
        MIMEPart.collect(headers: headers, body: body, into: &leaves)
        text = leaves.first { $0.type == "text/plain" }?.text
        html = leaves.first { $0.type == "text/html" }?.text
    }

    public func header(_ name: String) -> String? {
        headers.first { $0.name.lowercased() == name.lowercased() }?.value
    }
}

/// Just enough MIME reading for the catcher's page: nested multiparts, QP and base64 leaves.
enum MIMEPart {
    /// Headers (continuation lines joined) and the body after the first empty line.
    static func split(_ message: String) -> ([(name: String, value: String)], String) {
        let text = message.replacingOccurrences(of: "\r\n", with: "\n")
        let parts = text.components(separatedBy: "\n\n")
        let head = parts.first ?? ""
        let body = parts.dropFirst().joined(separator: "\n\n")
        var headers: [(name: String, value: String)] = []
        for line in head.split(separator: "\n", omittingEmptySubsequences: false) {
            if let first = line.first, first == " " || first == "\t", !headers.isEmpty {
                headers[headers.count - 1].value += String(line)
            } else if let colon = line.firstIndex(of: ":") {
                headers.append((String(line[..<colon]), line[line.index(after: colon)...].trimmingWhitespace()))
            }
        }
        return (headers, body)
    }

    static func collect(headers: [(name: String, value: String)], body: String, into leaves: inout [(type: String, text: String)]) {
        let contentType = headers.first { $0.name.lowercased() == "content-type" }?.value ?? "text/plain"
        let type = contentType.split(separator: ";").first.map { $0.trimmingWhitespace().lowercased() } ?? "text/plain"
        if type.hasPrefix("multipart/"), let boundary = parameter("boundary", in: contentType) {
            let sections = body.components(separatedBy: "--" + boundary)
            for section in sections.dropFirst() where !section.hasPrefix("--") {
                let (partHeaders, partBody) = split(String(section.drop { $0 == "\n" }))
                collect(headers: partHeaders, body: partBody, into: &leaves)
            }
            return
        }
        let encoding = headers.first { $0.name.lowercased() == "content-transfer-encoding" }?.value.lowercased() ?? "7bit"
        let bytes: [UInt8]
        switch encoding {
        case "quoted-printable": bytes = decodeQuotedPrintable(body)
        case "base64": bytes = Base64Lines.decode(body)
        default: bytes = Array(body.utf8)
        }
        var text = String(decoding: bytes, as: UTF8.self)
        while text.hasSuffix("\n") { text.removeLast() }
        leaves.append((type, text))
    }

    static func parameter(_ name: String, in value: String) -> String? {
        for piece in value.split(separator: ";").dropFirst() {
            let pair = piece.split(separator: "=", maxSplits: 1)
            guard pair.count == 2, pair[0].trimmingWhitespace().lowercased() == name else { continue }
            var v = pair[1].trimmingWhitespace()
            if v.hasPrefix("\"") && v.hasSuffix("\"") && v.count >= 2 { v = String(v.dropFirst().dropLast()) }
            return v
        }
        return nil
    }

    /// `=\n` joins lines, `=XX` is a byte; lines end in `\n` here.
    static func decodeQuotedPrintable(_ text: String) -> [UInt8] {
        let input = Array(text.utf8)
        var out: [UInt8] = []
        var i = 0
        func hexValue(_ c: UInt8) -> UInt8? {
            switch c {
            case 0x30...0x39: return c - 0x30
            case 0x41...0x46: return c - 0x41 + 10
            case 0x61...0x66: return c - 0x61 + 10
            default: return nil
            }
        }
        while i < input.count {
            if input[i] == 0x3D {
                if i + 1 < input.count && input[i + 1] == 0x0A { i += 2; continue }
                if i + 2 < input.count, let hi = hexValue(input[i + 1]), let lo = hexValue(input[i + 2]) {
                    out.append(hi << 4 | lo)
                    i += 3
                    continue
                }
            }
            out.append(input[i])
            i += 1
        }
        return out
    }
}

/// Base64 spread over lines.
enum Base64Lines {
    static func decode(_ text: String) -> [UInt8] {
        Data(base64Encoded: text.filter { !$0.isWhitespace }).map { [UInt8]($0) } ?? []
    }
}
