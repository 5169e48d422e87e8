import Foundation

/// A `json`/`jsonb` value as its raw text. Bound with no type (the server takes the column's),
/// so cast in SQL where there is no column: `\(doc)::jsonb`.
public struct JSON: PostgresEncodable, PostgresDecodable, Sendable, Hashable, CustomStringConvertible {
    public var rawText: String

    public init(rawText: String) {
        self.rawText = rawText
    }

    /// Encodes a value with `JSONEncoder`.
    public init<T: Encodable>(encoding value: T, encoder: JSONEncoder = JSONEncoder()) throws {
        self.rawText = String(decoding: try encoder.encode(value), as: UTF8.self)
    }

    /// Decodes the text with `JSONDecoder`.
    public func decode<T: Decodable>(_ type: T.Type = T.self, decoder: JSONDecoder = JSONDecoder()) throws -> T {
        try decoder.decode(type, from: Data(rawText.utf8))
    }

    public var description: String { rawText }

    public var postgresBind: PostgresBind { PostgresBind(text: rawText) }

    public static func decode(postgres value: PostgresValue) throws(PostgresError) -> JSON {
        JSON(rawText: try value.string())
    }
}
