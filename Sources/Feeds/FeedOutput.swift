/// A write buffer: text goes in as it is produced and leaves in chunks of `chunkSize` bytes,
/// so a feed of any size needs one chunk of memory. Escaping (XML, CSV) happens while copying.
public final class FeedOutput {
    private var buffer: [UInt8] = []
    private let chunkSize: Int
    private let sink: ([UInt8]) throws -> Void
    /// Bytes handed to the sink so far plus those still buffered.
    public private(set) var byteCount = 0

    /// `sink` receives each full chunk, and the rest on `flush()`.
    public init(chunkSize: Int = 256 * 1024, sink: @escaping ([UInt8]) throws -> Void) {
        self.chunkSize = chunkSize
        self.sink = sink
        buffer.reserveCapacity(chunkSize + 1024)
    }

    /// Appends text as it is.
    public func write(_ text: String) throws {
        byteCount += text.utf8.count
        buffer.append(contentsOf: text.utf8)
        if buffer.count >= chunkSize { try drain() }
    }

    /// Appends text escaped for XML character data and attribute values, without the characters
    /// XML 1.0 forbids (C0 controls other than tab/LF/CR, U+FFFE, U+FFFF).
    public func writeXMLEscaped(_ text: String) throws {
        let start = buffer.count
        var text = text
        text.withUTF8 { bytes in
            let n = bytes.count
            var i = 0
            while i < n {
                let b = bytes[i]
                switch b {
                case UInt8(ascii: "&"): append("&amp;")
                case UInt8(ascii: "<"): append("&lt;")
                case UInt8(ascii: ">"): append("&gt;")
                case UInt8(ascii: "\""): append("&quot;")
                case UInt8(ascii: "'"): append("&#39;")
                case 0x09, 0x0A: buffer.append(b)
                case 0x0D: append("&#13;")      // a raw CR would be read back as a line feed
                case 0x00..<0x20: break
                case 0xEF where i + 2 < n && bytes[i + 1] == 0xBF && (bytes[i + 2] == 0xBE || bytes[i + 2] == 0xBF):
                    i += 2                      // U+FFFE, U+FFFF
                default: buffer.append(b)
                }
                i += 1
            }
        }
        byteCount += buffer.count - start
        if buffer.count >= chunkSize { try drain() }
    }

    private func append(_ literal: StaticString) {
        literal.withUTF8Buffer { buffer.append(contentsOf: $0) }
    }

    /// Appends one CSV field (RFC 4180): quoted when it holds a comma, a quote, a line break or
    /// leading/trailing space, quotes doubled; control characters other than line breaks and
    /// tab are dropped.
    public func writeCSVField(_ text: String) throws {
        let start = buffer.count
        let needsQuotes = text.utf8.contains { $0 == 0x2C || $0 == 0x22 || $0 == 0x0A || $0 == 0x0D }
            || text.utf8.first == 0x20 || text.utf8.last == 0x20
        if needsQuotes { buffer.append(0x22) }
        for b in text.utf8 {
            switch b {
            case 0x22: buffer.append(0x22); buffer.append(0x22)
            case 0x09, 0x0A, 0x0D: buffer.append(b)
            case 0x00..<0x20, 0x7F: break
            default: buffer.append(b)
            }
        }
        if needsQuotes { buffer.append(0x22) }
        byteCount += buffer.count - start
        if buffer.count >= chunkSize { try drain() }
    }

    /// Hands everything buffered to the sink.
    public func flush() throws {
        if !buffer.isEmpty { try drain() }
    }

    private func drain() throws {
        try sink(buffer)
        buffer.removeAll(keepingCapacity: true)
    }
}
