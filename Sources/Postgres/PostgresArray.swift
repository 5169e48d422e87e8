import Foundation

/// A type whose Swift arrays map to one-dimensional PostgreSQL arrays (`text[]`, `int8[]`...).
/// `UInt8` is the exception: `[UInt8]` is `bytea`.
public protocol PostgresArrayElement: PostgresEncodable, PostgresDecodable {
    /// The OID of the array type (`text[]` is 1009).
    static var postgresArrayTypeOID: UInt32 { get }
    /// The whole array as one parameter. The default writes the text form `{"a","b",NULL}`.
    static func postgresArrayBind(_ elements: [Self]) -> PostgresBind
    /// The whole array from one field. The default parses the text form.
    static func decodePostgresArray(_ value: PostgresValue) throws(PostgresError) -> [Self]
}

extension PostgresArrayElement {
    public static func postgresArrayBind(_ elements: [Self]) -> PostgresBind {
        var out: [UInt8] = [UInt8(ascii: "{")]
        for (n, element) in elements.enumerated() {
            if n > 0 { out.append(UInt8(ascii: ",")) }
            guard let bytes = element.postgresBind.bytes else { out += Array("NULL".utf8); continue }
            out.append(UInt8(ascii: "\""))
            for b in bytes {
                if b == UInt8(ascii: "\"") || b == UInt8(ascii: "\\") { out.append(UInt8(ascii: "\\")) }
                out.append(b)
            }
            out.append(UInt8(ascii: "\""))
        }
        out.append(UInt8(ascii: "}"))
        return PostgresBind(bytes: out, format: .text, typeOID: postgresArrayTypeOID)
    }

    public static func decodePostgresArray(_ value: PostgresValue) throws(PostgresError) -> [Self] {
        let b = try value.nonNull()
        var i = 0
        // A non-default lower bound prints as `[0:2]={...}`; the bounds do not matter to Swift.
        if b.count > 0, b[0] == UInt8(ascii: "[") {
            while i < b.count, b[i] != UInt8(ascii: "=") { i += 1 }
            i += 1
        }
        guard i < b.count, b[i] == UInt8(ascii: "{") else { throw .decoding("not an array") }
        i += 1
        var result: [Self] = []
        if i < b.count, b[i] == UInt8(ascii: "}") { return result }
        var element: [UInt8] = []
        while i < b.count {
            element.removeAll(keepingCapacity: true)
            var isNull = false
            if b[i] == UInt8(ascii: "{") { throw .decoding("multi-dimensional arrays are not supported") }
            if b[i] == UInt8(ascii: "\"") {
                i += 1
                while i < b.count, b[i] != UInt8(ascii: "\"") {
                    if b[i] == UInt8(ascii: "\\") { i += 1 }
                    guard i < b.count else { break }
                    element.append(b[i])
                    i += 1
                }
                i += 1
            } else {
                while i < b.count, b[i] != UInt8(ascii: ","), b[i] != UInt8(ascii: "}") {
                    if b[i] == UInt8(ascii: "\\") { i += 1 }
                    guard i < b.count else { break }
                    element.append(b[i])
                    i += 1
                }
                isNull = element.count == 4 && element.elementsEqual("NULL".utf8)
            }
            let decoded = element.withUnsafeBytes { raw in
                Result { () throws(PostgresError) -> Self in
                    try Self.decode(postgres: PostgresValue(bytes: isNull ? nil : raw, typeOID: 0))
                }
            }
            result.append(try decoded.get())
            guard i < b.count else { break }
            if b[i] == UInt8(ascii: ",") { i += 1; continue }
            if b[i] == UInt8(ascii: "}") { return result }
            throw .decoding("malformed array")
        }
        throw .decoding("malformed array")
    }
}

extension String: PostgresArrayElement { public static var postgresArrayTypeOID: UInt32 { PostgresType.textArray } }
extension Int: PostgresArrayElement { public static var postgresArrayTypeOID: UInt32 { PostgresType.int8Array } }
extension Int64: PostgresArrayElement { public static var postgresArrayTypeOID: UInt32 { PostgresType.int8Array } }
extension Int32: PostgresArrayElement { public static var postgresArrayTypeOID: UInt32 { PostgresType.int4Array } }
extension Int16: PostgresArrayElement { public static var postgresArrayTypeOID: UInt32 { PostgresType.int2Array } }
extension Bool: PostgresArrayElement { public static var postgresArrayTypeOID: UInt32 { PostgresType.boolArray } }
extension Double: PostgresArrayElement { public static var postgresArrayTypeOID: UInt32 { PostgresType.float8Array } }
extension Decimal: PostgresArrayElement { public static var postgresArrayTypeOID: UInt32 { PostgresType.numericArray } }
extension UUID: PostgresArrayElement { public static var postgresArrayTypeOID: UInt32 { PostgresType.uuidArray } }

extension Optional: PostgresArrayElement where Wrapped: PostgresArrayElement {
    /// `[String?]` and friends: arrays whose elements may be NULL.
    public static var postgresArrayTypeOID: UInt32 { Wrapped.postgresArrayTypeOID }
}

extension UInt8: PostgresEncodable, PostgresDecodable, PostgresArrayElement {
    public var postgresBind: PostgresBind { PostgresBind(text: String(self), typeOID: PostgresType.int2) }

    public static func decode(postgres value: PostgresValue) throws(PostgresError) -> UInt8 {
        try parseInteger(try value.nonNull(), as: UInt8.self)
    }

    public static var postgresArrayTypeOID: UInt32 { PostgresType.bytea }

    /// `[UInt8]` is `bytea`, sent in binary format.
    public static func postgresArrayBind(_ elements: [UInt8]) -> PostgresBind {
        PostgresBind(bytes: elements, format: .binary, typeOID: PostgresType.bytea)
    }

    /// `bytea` in the hex output format (`\x0a0b`, the server default since 9.0).
    public static func decodePostgresArray(_ value: PostgresValue) throws(PostgresError) -> [UInt8] {
        let b = try value.nonNull()
        guard b.count >= 2, b[0] == UInt8(ascii: "\\"), b[1] == UInt8(ascii: "x"), b.count % 2 == 0 else {
            throw .decoding("bytea is not in hex format (set bytea_output = hex)")
        }
        var out = [UInt8](repeating: 0, count: (b.count - 2) / 2)
        var i = 2
        var o = 0
        while i < b.count {
            guard let hi = hexValue(b[i]), let lo = hexValue(b[i + 1]) else { throw .decoding("malformed bytea") }
            out[o] = hi << 4 | lo
            o += 1
            i += 2
        }
        return out
    }
}
