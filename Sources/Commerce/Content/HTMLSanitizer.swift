import CLibXML2

/// Cleans merchant-written HTML (product and collection descriptions) down to an allow-list of
/// elements and attributes, over libxml2's HTML parser — the same kind of error-recovering tree a
/// browser builds, so what we check is what a browser would see. Never regular expressions.
///
/// The output is serialised from the tree, so it is always well-formed: every element we keep is
/// closed, every text and attribute value escaped. Elements outside the list are unwrapped (their
/// text stays) except those whose content is code or chrome (`script`, `style`, `iframe`, ...),
/// which go with everything inside them. Comments, processing instructions, event handlers,
/// `style` attributes and URLs with any scheme but http, https (and mailto for links) are dropped.
public enum HTMLSanitizer {
    /// Sanitised HTML for `html`; empty for empty input.
    public static func sanitize(_ html: String) -> String {
        if html.allSatisfy({ $0.isWhitespace }) { return "" }
        let document = ParsedHTML(html)
        guard let root = document.root else { return "" }
        var writer = SanitizedWriter()
        writer.writeChildren(of: root)
        return writer.output.trimmedTrailingWhitespace()
    }

    /// Text only, entities decoded and tags removed (a meta description from a rich description).
    public static func plainText(_ html: String) -> String {
        let document = ParsedHTML(html)
        guard let root = document.root else { return "" }
        var text = ""
        collectText(root, into: &text)
        return text.split(whereSeparator: { $0.isWhitespace }).joined(separator: " ")
    }

    private static func collectText(_ node: xmlNodePtr, into text: inout String) {
        var child = node.pointee.children
        while let current = child {
            switch current.pointee.type {
            case XML_TEXT_NODE, XML_CDATA_SECTION_NODE:
                if let content = current.pointee.content { text += String(cString: content) }
            case XML_ELEMENT_NODE:
                let name = current.elementName
                if !SanitizerPolicy.droppedWithContent.contains(name) {
                    if SanitizerPolicy.blockLike.contains(name) { text += " " }
                    collectText(current, into: &text)
                    if SanitizerPolicy.blockLike.contains(name) { text += " " }
                }
            default:
                break
            }
            child = current.pointee.next
        }
    }
}

/// One parsed document, freed when this goes away; no libxml2 pointer leaves this file.
private final class ParsedHTML {
    let document: htmlDocPtr?

    init(_ html: String) {
        let options = Int32(HTML_PARSE_RECOVER.rawValue | HTML_PARSE_NOERROR.rawValue
                            | HTML_PARSE_NOWARNING.rawValue | HTML_PARSE_NONET.rawValue)
        var bytes = Array(html.utf8)
        if bytes.isEmpty { bytes = [0x20] }
        document = bytes.withUnsafeBufferPointer { buffer in
            buffer.baseAddress!.withMemoryRebound(to: CChar.self, capacity: buffer.count) {
                htmlReadMemory($0, Int32(buffer.count), nil, "UTF-8", options)
            }
        }
    }

    /// The document node: everything the parser kept hangs below it (html, head, body).
    var root: xmlNodePtr? {
        document.map { UnsafeMutableRawPointer($0).assumingMemoryBound(to: xmlNode.self) }
    }

    deinit {
        if let document { xmlFreeDoc(document) }
    }
}

extension UnsafeMutablePointer where Pointee == xmlNode {
    /// The lower-cased element name (libxml2's HTML parser already lower-cases known tags).
    var elementName: String {
        guard let name = pointee.name else { return "" }
        return String(cString: name).lowercased()
    }

    /// Attributes in document order, values with entities already decoded.
    var attributes: [(name: String, value: String)] {
        var result: [(String, String)] = []
        var attribute = pointee.properties
        while let current = attribute {
            let name = current.pointee.name.map { String(cString: $0).lowercased() } ?? ""
            var value = ""
            var child = current.pointee.children
            while let text = child {
                if let content = text.pointee.content { value += String(cString: content) }
                child = text.pointee.next
            }
            result.append((name, value))
            attribute = current.pointee.next
        }
        return result
    }
}

/// Writes the allowed part of a tree as HTML.
private struct SanitizedWriter {
    var output = ""

    mutating func writeChildren(of node: xmlNodePtr) {
        var child = node.pointee.children
        while let current = child {
            write(current)
            child = current.pointee.next
        }
    }

    mutating func write(_ node: xmlNodePtr) {
        switch node.pointee.type {
        case XML_TEXT_NODE, XML_CDATA_SECTION_NODE:
            if let content = node.pointee.content { output += HTMLEscaping.text(String(cString: content)) }
        case XML_ELEMENT_NODE:
            writeElement(node)
        default:
            // Comments, processing instructions, DTDs, entity declarations: never kept.
            break
        }
    }

    mutating func writeElement(_ node: xmlNodePtr) {
        let name = SanitizerPolicy.renamed[node.elementName] ?? node.elementName
        if SanitizerPolicy.droppedWithContent.contains(name) { return }
        guard let allowed = SanitizerPolicy.elements[name] else {
            writeChildren(of: node)          // unknown or disallowed wrapper: keep its content
            return
        }
        var kept: [(String, String)] = []
        for (attribute, value) in node.attributes {
            guard allowed.contains(attribute), let clean = SanitizerPolicy.clean(attribute: attribute, value: value, element: name)
            else { continue }
            if !kept.contains(where: { $0.0 == attribute }) { kept.append((attribute, clean)) }
        }
        switch name {
        case "a":
            guard kept.contains(where: { $0.0 == "href" }) else {
                writeChildren(of: node)      // a link without a safe target is just its text
                return
            }
            kept.append(("rel", "noopener noreferrer nofollow"))
        case "img":
            guard kept.contains(where: { $0.0 == "src" }) else { return }
            if !kept.contains(where: { $0.0 == "alt" }) { kept.append(("alt", "")) }
        default:
            break
        }
        output += "<" + name
        for (attribute, value) in kept {
            output += " " + attribute + "=\"" + HTMLEscaping.attribute(value) + "\""
        }
        output += ">"
        if SanitizerPolicy.voidElements.contains(name) { return }
        writeChildren(of: node)
        output += "</" + name + ">"
    }
}

/// What the sanitiser keeps.
enum SanitizerPolicy {
    /// Allowed elements and the attributes each may carry.
    static let elements: [String: Set<String>] = [
        "p": [], "br": [], "hr": [], "strong": [], "em": [], "b": [], "i": [], "u": [],
        "ul": [], "ol": [], "li": [], "h2": [], "h3": [], "h4": [], "blockquote": [],
        "a": ["href", "title"],
        "img": ["src", "alt", "title", "width", "height"],
        "table": [], "caption": [], "thead": [], "tbody": [], "tfoot": [], "tr": [],
        "th": ["colspan", "rowspan", "scope"], "td": ["colspan", "rowspan"],
    ]

    /// Headings outside the product page's outline (its title is the h1) move into it.
    static let renamed: [String: String] = ["h1": "h2", "h5": "h4", "h6": "h4"]

    /// Elements whose whole content goes: code, styling, embedded documents, form chrome.
    static let droppedWithContent: Set<String> = [
        "script", "style", "iframe", "frame", "frameset", "object", "embed", "applet", "noscript",
        "noembed", "noframes", "template", "title", "head", "textarea", "select", "option", "svg",
        "math", "xml", "xmp", "plaintext", "base", "link", "meta", "param", "source", "track",
        "audio", "video", "canvas", "map", "input", "button",
    ]

    static let voidElements: Set<String> = ["br", "hr", "img"]

    /// Elements that separate words when a description is read as plain text.
    static let blockLike: Set<String> = [
        "p", "br", "hr", "li", "h1", "h2", "h3", "h4", "h5", "h6", "blockquote", "div", "tr", "td", "th",
        "table", "ul", "ol", "caption",
    ]

    /// The value to keep for an allowed attribute, or nil to drop it.
    static func clean(attribute: String, value: String, element: String) -> String? {
        switch attribute {
        case "href":
            return SafeURL.clean(value, schemes: ["http", "https", "mailto"])
        case "src":
            return SafeURL.clean(value, schemes: ["http", "https"])
        case "width", "height", "colspan", "rowspan":
            let digits = value.trimmedWhitespace()
            guard !digits.isEmpty, digits.count <= 4, digits.utf8.allSatisfy({ $0 >= 0x30 && $0 <= 0x39 }),
                  let n = Int(digits), n > 0 else { return nil }
            return String(n)
        case "scope":
            let scope = value.trimmedWhitespace().lowercased()
            return ["row", "col", "rowgroup", "colgroup"].contains(scope) ? scope : nil
        case "alt", "title":
            return String(value.unicodeScalars.filter { $0.value >= 0x20 && $0.value != 0x7F }
                .map(Character.init)).trimmedWhitespace()
        default:
            return nil
        }
    }
}

/// URL checks as a browser reads the URL: tabs and newlines inside are ignored, control
/// characters and spaces around it trimmed, and the scheme (if any) is what comes before the
/// first ":" when that precedes any "/", "?" or "#".
enum SafeURL {
    /// The cleaned URL when its scheme is in `schemes` or it is relative; nil otherwise.
    static func clean(_ raw: String, schemes: Set<String>) -> String? {
        var scalars = raw.unicodeScalars.filter { $0 != "\t" && $0 != "\n" && $0 != "\r" }
        while let first = scalars.first, first.value <= 0x20 { scalars.removeFirst() }
        while let last = scalars.last, last.value <= 0x20 { scalars.removeLast() }
        guard !scalars.isEmpty, !scalars.contains(where: { $0.value < 0x20 || $0.value == 0x7F }) else { return nil }
        let url = String(String.UnicodeScalarView(scalars))
        if let scheme = scheme(of: url) {
            return schemes.contains(scheme) ? url : nil
        }
        return url
    }

    /// The lower-cased scheme, or nil for a relative URL.
    static func scheme(of url: String) -> String? {
        var name = ""
        for scalar in url.unicodeScalars {
            switch scalar {
            case ":":
                return name.isEmpty ? "" : name.lowercased()
            case "/", "?", "#", "\\":
                return nil
            case "a"..."z", "A"..."Z":
                name.unicodeScalars.append(scalar)
            case "0"..."9", "+", "-", ".":
                if name.isEmpty { return nil }
                name.unicodeScalars.append(scalar)
            default:
                // Not a scheme character before any ":" — a browser resolves it as a path, but a
                // ":" later could still read as a scheme elsewhere; treat as unsafe-looking only
                // when a ":" follows.
                return url.unicodeScalars.contains(":") ? "" : nil
            }
        }
        return nil
    }
}

/// HTML escaping for text and double-quoted attribute values.
enum HTMLEscaping {
    static func text(_ s: String) -> String {
        var out = ""
        out.reserveCapacity(s.utf8.count)
        for c in s.unicodeScalars {
            switch c {
            case "&": out += "&amp;"
            case "<": out += "&lt;"
            case ">": out += "&gt;"
            case "\u{0}": break
            default: out.unicodeScalars.append(c)
            }
        }
        return out
    }

    static func attribute(_ s: String) -> String {
        var out = ""
        out.reserveCapacity(s.utf8.count)
        for c in s.unicodeScalars {
            switch c {
            case "&": out += "&amp;"
            case "<": out += "&lt;"
            case ">": out += "&gt;"
            case "\"": out += "&quot;"
            case "'": out += "&#39;"
            case "\u{0}": break
            default: out.unicodeScalars.append(c)
            }
        }
        return out
    }
}

extension String {
    func trimmedWhitespace() -> String {
        let scalars = unicodeScalars
        guard let first = scalars.firstIndex(where: { !$0.properties.isWhitespace }) else { return "" }
        let last = scalars.lastIndex(where: { !$0.properties.isWhitespace })!
        return String(scalars[first...last])
    }

    func trimmedTrailingWhitespace() -> String {
        let scalars = unicodeScalars
        guard let last = scalars.lastIndex(where: { !$0.properties.isWhitespace }) else { return "" }
        return String(scalars[...last])
    }
}
