import Foundation

/// One parameter value as sent to the server: text (or binary) bytes, or NULL.
public struct PostgresBind: Sendable, Equatable, CustomStringConvertible, CustomReflectable {
    public enum Format: Int32, Sendable { case text = 0, binary = 1 }

    /// The value's bytes, nil for NULL. Text-format values must not contain NUL bytes.
    public var bytes: [UInt8]?
    public var format: Format
    /// The parameter's type OID, or 0 to let the server infer it from the statement.
    public var typeOID: UInt32

    public init(bytes: [UInt8]?, format: Format = .text, typeOID: UInt32 = 0) {
        self.bytes = bytes
        self.format = format
        self.typeOID = typeOID
    }

    public init(text: String, typeOID: UInt32 = 0) {
        self.init(bytes: Array(text.utf8), format: .text, typeOID: typeOID)
    }

    public static let null = PostgresBind(bytes: nil)

    /// Type and size only: a bound value may be a password or an address.
    public var description: String {
        guard let bytes else { return "NULL" }
        return "<\(format) value, type \(typeOID), \(bytes.count) bytes>"
    }

    public var customMirror: Mirror { Mirror(self, children: ["description": description]) }
}

/// A Swift value that can be bound as a query parameter.
public protocol PostgresEncodable {
    var postgresBind: PostgresBind { get }
}

/// Type OIDs of the built-in types this module binds and decodes.
public enum PostgresType {
    public static let bool: UInt32 = 16, bytea: UInt32 = 17, int8: UInt32 = 20, int2: UInt32 = 21
    public static let int4: UInt32 = 23, text: UInt32 = 25, oid: UInt32 = 26, json: UInt32 = 114
    public static let float4: UInt32 = 700, float8: UInt32 = 701, varchar: UInt32 = 1043
    public static let date: UInt32 = 1082, timestamp: UInt32 = 1114, timestamptz: UInt32 = 1184
    public static let numeric: UInt32 = 1700, uuid: UInt32 = 2950, jsonb: UInt32 = 3802
    public static let boolArray: UInt32 = 1000, int2Array: UInt32 = 1005, int4Array: UInt32 = 1007
    public static let textArray: UInt32 = 1009, int8Array: UInt32 = 1016, float8Array: UInt32 = 1022
    public static let numericArray: UInt32 = 1231, uuidArray: UInt32 = 2951
}

// Strings and JSON bind with type 0 so the server types them from context (text, varchar,
// citext, an enum, json...). Numbers, booleans and the rest bind with their own type.

extension String: PostgresEncodable {
    public var postgresBind: PostgresBind { PostgresBind(text: self) }
}

extension Substring: PostgresEncodable {
    public var postgresBind: PostgresBind { PostgresBind(text: String(self)) }
}

extension Int: PostgresEncodable {
    public var postgresBind: PostgresBind { PostgresBind(text: String(self), typeOID: PostgresType.int8) }
}

extension Int64: PostgresEncodable {
    public var postgresBind: PostgresBind { PostgresBind(text: String(self), typeOID: PostgresType.int8) }
}

extension Int32: PostgresEncodable {
    public var postgresBind: PostgresBind { PostgresBind(text: String(self), typeOID: PostgresType.int4) }
}

extension Int16: PostgresEncodable {
    public var postgresBind: PostgresBind { PostgresBind(text: String(self), typeOID: PostgresType.int2) }
}

extension Bool: PostgresEncodable {
    public var postgresBind: PostgresBind {
        PostgresBind(bytes: [self ? UInt8(ascii: "t") : UInt8(ascii: "f")], typeOID: PostgresType.bool)
    }
}

extension Double: PostgresEncodable {
    public var postgresBind: PostgresBind {
        let text: String
        if isNaN { text = "NaN" } else if self == .infinity { text = "Infinity" }
        else if self == -.infinity { text = "-Infinity" } else { text = String(self) }   // shortest round-trip
        return PostgresBind(text: text, typeOID: PostgresType.float8)
    }
}

extension Decimal: PostgresEncodable {
    /// Exact: the decimal's own digits, bound as `numeric`.
    public var postgresBind: PostgresBind {
        PostgresBind(text: isNaN ? "NaN" : description, typeOID: PostgresType.numeric)
    }
}

extension UUID: PostgresEncodable {
    public var postgresBind: PostgresBind { PostgresBind(text: uuidString, typeOID: PostgresType.uuid) }
}

extension Date: PostgresEncodable {
    /// Bound as `timestamptz` in UTC with microseconds.
    public var postgresBind: PostgresBind {
        PostgresBind(text: PostgresTimestamp.format(self), typeOID: PostgresType.timestamptz)
    }
}

extension Array: PostgresEncodable where Element: PostgresArrayElement {
    /// A PostgreSQL array (`text[]`, `int8[]`...), or `bytea` for `[UInt8]`.
    public var postgresBind: PostgresBind { Element.postgresArrayBind(self) }
}

extension Optional: PostgresEncodable where Wrapped: PostgresEncodable {
    /// NULL when nil.
    public var postgresBind: PostgresBind {
        switch self {
        case .none: return .null
        case .some(let value): return value.postgresBind
        }
    }
}

extension PostgresBind: PostgresEncodable {
    public var postgresBind: PostgresBind { self }
}
