import Foundation
#if canImport(FoundationXML)
import FoundationXML
#endif

/// The `<item>`s of an RSS feed, read with Foundation's XMLParser: element name (with prefix)
/// → text. Repeated elements keep the first value. Throws if the document is not well-formed.
final class RSSItems: NSObject, XMLParserDelegate {
    private var items: [[String: String]] = []
    private var current: [String: String]? = nil
    private var text = ""

    static func parse(_ data: Data) throws -> [[String: String]] {
        let reader = RSSItems()
        let parser = XMLParser(data: data)
        parser.shouldProcessNamespaces = false
        parser.delegate = reader
        guard parser.parse() else {
            throw CocoaError(.fileReadCorruptFile, userInfo: [NSLocalizedDescriptionKey: "XML: \(parser.parserError.map { "\($0)" } ?? "?") at line \(parser.lineNumber)"])
        }
        return reader.items
    }

    func parser(_ parser: XMLParser, didStartElement name: String, namespaceURI: String?, qualifiedName: String?,
                attributes: [String: String] = [:]) {
        if name == "item" { current = [:] }
        text = ""
    }

    func parser(_ parser: XMLParser, foundCharacters string: String) { text += string }

    func parser(_ parser: XMLParser, didEndElement name: String, namespaceURI: String?, qualifiedName: String?) {
        if name == "item", let item = current {
            items.append(item)
            current = nil
        } else if current != nil, current?[name] == nil {
            current?[name] = text
        }
        text = ""
    }
}

/// A strict RFC 4180 reader: fields separated by commas, records by CRLF, quoted fields may hold
/// commas, CR, LF and doubled quotes. Anything else (a quote inside an unquoted field, text after
/// a closing quote, a bare LF between records) is an error.
enum CSVReader {
    struct Malformed: Error { let at: Int }

    static func parse(_ text: String) throws -> [[String]] {
        let s = Array(text.unicodeScalars)
        var records: [[String]] = []
        var record: [String] = []
        var i = 0
        while i < s.count {
            var field = String.UnicodeScalarView()
            if s[i] == "\"" {
                i += 1
                while true {
                    guard i < s.count else { throw Malformed(at: i) }
                    if s[i] == "\"" {
                        if i + 1 < s.count, s[i + 1] == "\"" { field.append("\""); i += 2; continue }
                        i += 1
                        break
                    }
                    field.append(s[i])
                    i += 1
                }
            } else {
                while i < s.count, s[i] != ",", s[i] != "\r", s[i] != "\n" {
                    if s[i] == "\"" { throw Malformed(at: i) }
                    field.append(s[i])
                    i += 1
                }
            }
            record.append(String(field))
            guard i < s.count else { throw Malformed(at: i) }   // every record ends with CRLF
            if s[i] == "," {
                i += 1
            } else if s[i] == "\r", i + 1 < s.count, s[i + 1] == "\n" {
                records.append(record)
                record = []
                i += 2
            } else {
                throw Malformed(at: i)
            }
        }
        return records
    }
}
