/// Text as the channels want it: plain (no HTML), no characters XML 1.0 forbids or that feeds
/// reject (C0/C1 controls other than tab and line breaks, U+FFFE, U+FFFF), and cut to a limit
/// on character boundaries — never inside a grapheme cluster, never past the limit in Unicode
/// scalars, which is how the channels count.
public enum FeedText {
    /// One line: whitespace runs (line breaks included) become one space, ends trimmed.
    public static func singleLine(_ text: String) -> String {
        var out: [UInt8] = []
        out.reserveCapacity(text.utf8.count)
        var pendingSpace = false
        for byte in text.utf8 {
            if isSpace(byte) {
                pendingSpace = true
                continue
            }
            if byte < 0x20 || byte == 0x7F { continue }   // controls XML forbids or feeds reject
            if pendingSpace && !out.isEmpty { out.append(0x20) }
            pendingSpace = false
            out.append(byte)
        }
        return removingForbiddenScalars(String(decoding: out, as: UTF8.self))
    }

    /// Plain text from merchant HTML: tags removed (script and style with their content),
    /// entities decoded, block elements turned into line breaks, whitespace collapsed, at most
    /// one empty line between paragraphs.
    public static func plainText(fromHTML html: String) -> String {
        var text = HTMLFlattener(Array(html.utf8))
        text.run()
        return removingForbiddenScalars(String(decoding: text.out, as: UTF8.self))
    }

    /// `text` cut to at most `limit` Unicode scalars at a grapheme-cluster boundary, trailing
    /// whitespace dropped; `wasCut` tells whether anything was removed.
    public static func cut(_ text: String, to limit: Int) -> (text: String, wasCut: Bool) {
        if text.utf8.count <= limit { return (text, false) }   // bytes ≥ scalars: nothing to count
        var scalars = 0
        var end = text.startIndex
        for index in text.indices {
            let width = text[index].unicodeScalars.count
            if scalars + width > limit { break }
            scalars += width
            end = text.index(after: index)
        }
        if end == text.endIndex { return (text, false) }
        var kept = text[..<end]
        while let last = kept.last, last.isWhitespace { kept.removeLast() }
        return (String(kept), true)
    }

    /// Without the scalars XML 1.0 forbids (U+FFFE, U+FFFF; Swift strings never hold surrogates)
    /// and without C0/C1 control characters other than tab, line feed and carriage return.
    public static func removingForbiddenScalars(_ text: String) -> String {
        guard text.unicodeScalars.contains(where: isForbidden) else { return text }
        var view = String.UnicodeScalarView()
        for scalar in text.unicodeScalars where !isForbidden(scalar) { view.append(scalar) }
        return String(view)
    }

    static func isForbidden(_ s: Unicode.Scalar) -> Bool {
        let v = s.value
        if v < 0x20 { return v != 0x09 && v != 0x0A && v != 0x0D }
        return (v >= 0x7F && v <= 0x9F) || v == 0xFFFE || v == 0xFFFF
    }

    static func isSpace(_ b: UInt8) -> Bool {
        b == 0x20 || b == 0x09 || b == 0x0A || b == 0x0D || b == 0x0C || b == 0x0B
    }
}

/// One pass over HTML bytes. Tags are ASCII, so working on UTF-8 bytes is exact.
private struct HTMLFlattener {
    let input: [UInt8]
    var out: [UInt8] = []
    /// What separates the last written text from the next: 0 nothing, 1 a space, 2 a line
    /// break, 3 an empty line.
    var pending = 0
    var i = 0

    init(_ input: [UInt8]) {
        self.input = input
        out.reserveCapacity(input.count)
    }

    mutating func run() {
        while i < input.count {
            let b = input[i]
            if b == UInt8(ascii: "<") {
                tag()
            } else if b == UInt8(ascii: "&") {
                entity()
            } else if FeedText.isSpace(b) {
                separate(1)
                i += 1
            } else if b < 0x20 || b == 0x7F {
                i += 1          // controls XML forbids or feeds reject
            } else if b == 0xEF, i + 2 < input.count, input[i + 1] == 0xBF, input[i + 2] >= 0xBE {
                i += 3          // U+FFFE, U+FFFF: XML forbids them
            } else {
                emit(b)
                i += 1
            }
        }
    }

    mutating func separate(_ level: Int) { pending = max(pending, level) }

    mutating func emit(_ b: UInt8) {
        if !out.isEmpty {
            switch pending {
            case 1: out.append(0x20)
            case 2: out.append(0x0A)
            case 3: out.append(0x0A); out.append(0x0A)
            default: break
            }
        }
        pending = 0
        out.append(b)
    }

    mutating func emit(_ scalar: Unicode.Scalar) {
        if scalar.value == 0xA0 || scalar.properties.isWhitespace { separate(1); return }
        if FeedText.isForbidden(scalar) { return }
        for b in String(scalar).utf8 { emit(b) }
    }

    mutating func tag() {
        let start = i
        // A comment runs to "-->".
        if starts(with: "<!--", at: i) {
            i = find("-->", from: i + 4).map { $0 + 3 } ?? input.count
            return
        }
        guard let close = input[(i + 1)...].firstIndex(of: UInt8(ascii: ">")) else {
            emit(UInt8(ascii: "<"))      // a lone "<" is text
            i += 1
            return
        }
        var j = i + 1
        let closing = j < close && input[j] == UInt8(ascii: "/")
        if closing { j += 1 }
        var name: [UInt8] = []
        while j < close, isNameByte(input[j]) {
            name.append(input[j] | 0x20)   // ASCII lower case
            j += 1
        }
        guard !name.isEmpty else {
            // "< 3" or "<>" is text, not a tag; "<!DOCTYPE" and "<?xml" are dropped.
            if j < close, input[j] == UInt8(ascii: "!") || input[j] == UInt8(ascii: "?") {
                i = close + 1
            } else {
                emit(UInt8(ascii: "<"))
                i = start + 1
            }
            return
        }
        i = close + 1
        let tagName = String(decoding: name, as: UTF8.self)
        if !closing, tagName == "script" || tagName == "style" {
            i = findClosing(tagName, from: i)
            return
        }
        switch tagName {
        case "br", "li", "tr", "dt", "dd": separate(2)
        case "p", "div", "ul", "ol", "table", "blockquote", "section", "article", "header", "footer",
             "hr", "pre", "h1", "h2", "h3", "h4", "h5", "h6", "dl", "figure", "aside":
            separate(3)
        case "td", "th": separate(1)
        default: break
        }
    }

    mutating func entity() {
        // "&name;" or "&#123;" or "&#x1F;", at most 32 bytes; anything else is a literal "&".
        let limit = min(input.count, i + 32)
        guard let semicolon = input[(i + 1)..<limit].firstIndex(of: UInt8(ascii: ";")), semicolon > i + 1 else {
            emit(UInt8(ascii: "&"))
            i += 1
            return
        }
        let body = String(decoding: input[(i + 1)..<semicolon], as: UTF8.self)
        var scalar: Unicode.Scalar? = nil
        if body.hasPrefix("#x") || body.hasPrefix("#X") {
            scalar = UInt32(body.dropFirst(2), radix: 16).flatMap(Unicode.Scalar.init)
        } else if body.hasPrefix("#") {
            scalar = UInt32(body.dropFirst(), radix: 10).flatMap(Unicode.Scalar.init)
        } else {
            scalar = namedEntities[body]
        }
        guard let scalar else {
            emit(UInt8(ascii: "&"))
            i += 1
            return
        }
        i = semicolon + 1
        emit(scalar)
    }

    func isNameByte(_ b: UInt8) -> Bool {
        (b >= 0x61 && b <= 0x7A) || (b >= 0x41 && b <= 0x5A) || (b >= 0x30 && b <= 0x39)
    }

    func starts(with literal: String, at index: Int) -> Bool {
        let bytes = Array(literal.utf8)
        guard index + bytes.count <= input.count else { return false }
        for k in 0..<bytes.count where input[index + k] != bytes[k] { return false }
        return true
    }

    func find(_ literal: String, from index: Int) -> Int? {
        var k = index
        while k < input.count {
            if starts(with: literal, at: k) { return k }
            k += 1
        }
        return nil
    }

    /// Just past `</name ...>` (any case), or the end of the input.
    func findClosing(_ name: String, from index: Int) -> Int {
        let needle = Array(("</" + name).utf8)
        var k = index
        while k + needle.count <= input.count {
            var match = true
            for n in 0..<needle.count where (input[k + n] | (n >= 2 ? 0x20 : 0)) != needle[n] {
                match = false
                break
            }
            if match, let close = input[k...].firstIndex(of: UInt8(ascii: ">")) { return close + 1 }
            k += 1
        }
        return input.count
    }
}

/// The named entities merchant HTML uses in practice; others stay as written.
private let namedEntities: [String: Unicode.Scalar] = [
    "amp": "&", "lt": "<", "gt": ">", "quot": "\"", "apos": "'", "nbsp": "\u{A0}",
    "ndash": "\u{2013}", "mdash": "\u{2014}", "hellip": "\u{2026}", "lsquo": "\u{2018}",
    "rsquo": "\u{2019}", "ldquo": "\u{201C}", "rdquo": "\u{201D}", "laquo": "\u{AB}", "raquo": "\u{BB}",
    "bull": "\u{2022}", "middot": "\u{B7}", "copy": "\u{A9}", "reg": "\u{AE}", "trade": "\u{2122}",
    "deg": "\u{B0}", "euro": "\u{20AC}", "pound": "\u{A3}", "yen": "\u{A5}", "cent": "\u{A2}",
    "times": "\u{D7}", "divide": "\u{F7}", "frac12": "\u{BD}", "frac14": "\u{BC}", "frac34": "\u{BE}",
    "eacute": "\u{E9}", "egrave": "\u{E8}", "ecirc": "\u{EA}", "aacute": "\u{E1}", "agrave": "\u{E0}",
    "acirc": "\u{E2}", "auml": "\u{E4}", "ouml": "\u{F6}", "uuml": "\u{FC}", "Auml": "\u{C4}",
    "Ouml": "\u{D6}", "Uuml": "\u{DC}", "szlig": "\u{DF}", "ccedil": "\u{E7}", "ntilde": "\u{F1}",
    "oacute": "\u{F3}", "iacute": "\u{ED}", "uacute": "\u{FA}", "oslash": "\u{F8}", "aring": "\u{E5}",
]
