import Crypto
import Foundation

/// The encodings a mail needs to cross SMTP intact: RFC 2047 words for non-ASCII header text,
/// quoted-printable bodies (lines of at most 76 characters), RFC 5322 dates. All output uses CRLF.
enum MIMEEncoding {
    static let crlf = "\r\n"

    // MARK: Headers

    /// `Name: value` with long or non-ASCII values folded onto continuation lines.
    static func headerField(_ name: String, unstructured value: String) -> String {
        if isPlainASCII(value) && !value.contains("=?") {
            return fold(name + ": " + value)
        }
        return name + ": " + encodedWords(value)
    }

    /// An address for From/To/Cc/Reply-To: `Name <a@b>`, the name quoted or encoded as needed.
    static func mailbox(_ address: MailAddress) -> String {
        guard let name = address.name, !name.isEmpty else { return address.address }
        return phrase(name) + " <" + address.address + ">"
    }

    /// A display name: as is when it is only atoms, quoted when it holds specials, RFC 2047
    /// words when it is not ASCII.
    static func phrase(_ name: String) -> String {
        if !isPlainASCII(name) || name.contains("=?") { return encodedWords(name) }
        let atext = Set("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789!#$%&'*+-/=?^_`{|}~ ".utf8)
        if name.utf8.allSatisfy({ atext.contains($0) }) && !name.hasPrefix(" ") && !name.hasSuffix(" ") { return name }
        return "\"" + name.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "\"", with: "\\\"") + "\""
    }

    /// `=?UTF-8?B?...?=` words of at most 75 characters, never splitting a character, joined by
    /// folding whitespace (which decoders drop between adjacent words).
    static func encodedWords(_ text: String) -> String {
        let maxPayloadBytes = 45                    // 60 base64 characters + 12 of framing = 72
        var words: [String] = []
        var chunk: [UInt8] = []
        for character in text {
            let bytes = Array(String(character).utf8)
            if !chunk.isEmpty && chunk.count + bytes.count > maxPayloadBytes {
                words.append("=?UTF-8?B?" + Base64.encode(chunk) + "?=")
                chunk = []
            }
            chunk += bytes
        }
        if !chunk.isEmpty || words.isEmpty { words.append("=?UTF-8?B?" + Base64.encode(chunk) + "?=") }
        return words.joined(separator: crlf + " ")
    }

    /// Folds a header line at spaces so lines stay near 78 characters (998 at most: a word
    /// longer than that is left whole, which only a broken caller produces).
    static func fold(_ line: String) -> String {
        guard line.utf8.count > 78 else { return line }
        var out: [String] = []
        var current = ""
        for word in line.split(separator: " ", omittingEmptySubsequences: false) {
            if current.isEmpty {
                current = String(word)
            } else if current.utf8.count + 1 + word.utf8.count > 78 {
                out.append(current)
                current = " " + word
            } else {
                current += " " + word
            }
        }
        out.append(current)
        return out.joined(separator: crlf)
    }

    static func isPlainASCII(_ s: String) -> Bool { s.utf8.allSatisfy { $0 >= 0x20 && $0 < 0x7F || $0 == 0x09 } }

    // MARK: Bodies

    /// Quoted-printable (RFC 2045 §6.7) of UTF-8 text. Line breaks of any style become CRLF;
    /// encoded lines are at most 76 characters, soft breaks (`=`) never split an escape.
    static func quotedPrintable(_ text: String) -> String {
        let hex = Array("0123456789ABCDEF".utf8)
        var out: [UInt8] = []
        let lines = normalizedLines(text)
        for (index, line) in lines.enumerated() {
            var column = 0
            for (i, byte) in line.enumerated() {
                let isLast = i == line.count - 1
                var piece: [UInt8]
                switch byte {
                case 0x09, 0x20:
                    // Trailing whitespace would be stripped in transit: escape it.
                    piece = isLast ? [0x3D, hex[Int(byte >> 4)], hex[Int(byte & 15)]] : [byte]
                case 0x21...0x7E where byte != 0x3D:
                    piece = [byte]
                default:
                    piece = [0x3D, hex[Int(byte >> 4)], hex[Int(byte & 15)]]
                }
                // "From " at a line start is mangled by mbox tools; escaping F keeps it intact.
                if i == 0 && byte == UInt8(ascii: "F") && line.starts(with: Array("From ".utf8)) {
                    piece = Array("=46".utf8)
                }
                // Room for the piece plus a soft break "=" must stay within 76.
                let limit = isLast ? 76 : 75
                if column + piece.count > limit {
                    out += Array("=\r\n".utf8)
                    column = 0
                }
                out += piece
                column += piece.count
            }
            if index < lines.count - 1 { out += Array(crlf.utf8) }
        }
        return String(decoding: out, as: UTF8.self)
    }

    /// The text's lines as UTF-8, split at CRLF, LF or a lone CR.
    static func normalizedLines(_ text: String) -> [[UInt8]] {
        var lines: [[UInt8]] = [[]]
        var previousWasCR = false
        for byte in text.utf8 {
            if byte == 0x0A && previousWasCR { previousWasCR = false; continue }
            previousWasCR = byte == 0x0D
            if byte == 0x0A || byte == 0x0D { lines.append([]) } else { lines[lines.count - 1].append(byte) }
        }
        return lines
    }

    // MARK: Dates

    /// RFC 5322 date-time in UTC: `Wed, 25 Nov 2026 17:00:00 +0000`.
    static func date(_ date: Date) -> String {
        var seconds = time_t(date.timeIntervalSince1970.rounded(.down))
        var parts = tm()
        gmtime_r(&seconds, &parts)
        let days = ["Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"]
        let months = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]
        func two(_ n: Int32) -> String { n < 10 ? "0\(n)" : "\(n)" }
        return "\(days[Int(parts.tm_wday)]), \(two(parts.tm_mday)) \(months[Int(parts.tm_mon)]) \(parts.tm_year + 1900) "
            + "\(two(parts.tm_hour)):\(two(parts.tm_min)):\(two(parts.tm_sec)) +0000"
    }
}
