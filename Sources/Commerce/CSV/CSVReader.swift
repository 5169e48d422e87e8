/// A streaming RFC 4180 reader: records of fields separated by commas, lines ended by CRLF, LF or
/// CR, fields optionally quoted with `"` (inside quotes, `""` is a quote and line breaks are
/// data). Reads its input in chunks from `nextChunk`, so a file never has to fit in memory twice.
///
/// Lenient where spreadsheets are sloppy (a quote inside an unquoted field is kept as text, a
/// UTF-8 byte-order mark is skipped) and strict where data would be lost: invalid UTF-8 and a
/// quoted field still open at the end of the input are errors carrying the line they start on.
public struct CSVReader {
    public struct Failure: Error, Sendable, Hashable, CustomStringConvertible {
        public let line: Int
        public let message: String
        public var description: String { "line \(line): \(message)" }
    }

    private let nextChunk: () throws -> [UInt8]?
    private var buffer: [UInt8] = []
    private var index = 0
    private var atEnd = false
    private var startedFile = false
    /// The line the next record starts on (1-based, counting line breaks inside quotes).
    public private(set) var line = 1
    /// The line the record last returned started on.
    public private(set) var recordLine = 0

    public init(nextChunk: @escaping () throws -> [UInt8]?) {
        self.nextChunk = nextChunk
    }

    /// A reader over bytes already in memory (read in place, not copied into chunks).
    public init(bytes: [UInt8]) {
        var handed = false
        self.init(nextChunk: {
            if handed { return nil }
            handed = true
            return bytes
        })
    }

    private mutating func peek() throws -> UInt8? {
        while index >= buffer.count {
            if atEnd { return nil }
            guard let chunk = try nextChunk() else {
                atEnd = true
                return nil
            }
            buffer = chunk
            index = 0
        }
        return buffer[index]
    }

    private mutating func advance() { index += 1 }

    /// The next record's fields, or nil at the end of the input. A blank line is a record of
    /// one empty field, as RFC 4180 reads it.
    public mutating func next() throws -> [String]? {
        if !startedFile {
            startedFile = true
            // UTF-8 byte-order mark, as Excel writes it.
            if try peek() == 0xEF {
                advance()
                if try peek() == 0xBB { advance(); if try peek() == 0xBF { advance() } }
            }
        }
        guard try peek() != nil else { return nil }
        recordLine = line
        var fields: [String] = []
        var field: [UInt8] = []
        var quoted = false
        var wasQuoted = false
        func finish(_ bytes: [UInt8]) throws -> String {
            guard let text = String(validating: bytes, as: UTF8.self) else {
                throw Failure(line: recordLine, message: "the file is not UTF-8 text (save it as “CSV UTF-8”)")
            }
            return text
        }
        while true {
            guard let byte = try peek() else {
                if quoted { throw Failure(line: recordLine, message: "a quoted field is never closed") }
                fields.append(try finish(field))
                return fields
            }
            advance()
            if quoted {
                if byte == UInt8(ascii: "\"") {
                    if try peek() == UInt8(ascii: "\"") {
                        advance()
                        field.append(byte)
                    } else {
                        quoted = false
                    }
                } else {
                    if byte == UInt8(ascii: "\n") { line += 1 }
                    else if byte == UInt8(ascii: "\r") { if try peek() != UInt8(ascii: "\n") { line += 1 } }
                    field.append(byte)
                }
                continue
            }
            switch byte {
            case UInt8(ascii: ","):
                fields.append(try finish(field))
                field.removeAll(keepingCapacity: true)
                wasQuoted = false
            case UInt8(ascii: "\r"), UInt8(ascii: "\n"):
                if byte == UInt8(ascii: "\r"), try peek() == UInt8(ascii: "\n") { advance() }
                line += 1
                fields.append(try finish(field))
                return fields
            case UInt8(ascii: "\"") where field.isEmpty && !wasQuoted:
                quoted = true
                wasQuoted = true
            default:
                field.append(byte)
            }
        }
    }
}

/// A streaming RFC 4180 writer: fields that hold a comma, quote, line break or surrounding
/// space are quoted (quotes doubled), records end with CRLF. Bytes go to `sink` in blocks.
public struct CSVWriter {
    private let sink: ([UInt8]) throws -> Void
    private var buffer: [UInt8] = []
    private let blockSize: Int

    public init(blockSize: Int = 64 * 1024, sink: @escaping ([UInt8]) throws -> Void) {
        self.sink = sink
        self.blockSize = blockSize
        buffer.reserveCapacity(blockSize + 1024)
    }

    public mutating func write(_ fields: [String]) throws {
        for (i, field) in fields.enumerated() {
            if i > 0 { buffer.append(UInt8(ascii: ",")) }
            let bytes = Array(field.utf8)
            let needsQuotes = bytes.contains { $0 == UInt8(ascii: ",") || $0 == UInt8(ascii: "\"") || $0 == 10 || $0 == 13 }
                || bytes.first == 32 || bytes.last == 32
            if needsQuotes {
                buffer.append(UInt8(ascii: "\""))
                for b in bytes {
                    if b == UInt8(ascii: "\"") { buffer.append(b) }
                    buffer.append(b)
                }
                buffer.append(UInt8(ascii: "\""))
            } else {
                buffer += bytes
            }
        }
        buffer += [13, 10]
        if buffer.count >= blockSize { try flush() }
    }

    /// Hands what is buffered to the sink.
    public mutating func flush() throws {
        guard !buffer.isEmpty else { return }
        try sink(buffer)
        buffer.removeAll(keepingCapacity: true)
    }
}
