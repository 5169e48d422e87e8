import Foundation

/// One field of a result, borrowed from libpq for the duration of a decode call.
public struct PostgresValue {
    /// The field's text bytes (no terminator), nil for SQL NULL. Valid only during the call.
    public let bytes: UnsafeRawBufferPointer?
    /// The column's type OID (0 inside arrays, where it is the element type's business).
    public let typeOID: UInt32

    public init(bytes: UnsafeRawBufferPointer?, typeOID: UInt32) {
        self.bytes = bytes
        self.typeOID = typeOID
    }

    public var isNull: Bool { bytes == nil }

    /// The bytes of a non-NULL value, or a decoding error.
    @inline(__always)
    public func nonNull() throws(PostgresError) -> UnsafeRawBufferPointer {
        guard let bytes else { throw .decoding("unexpected NULL") }
        return bytes
    }

    /// The field as a String (copies).
    public func string() throws(PostgresError) -> String {
        String(decoding: try nonNull(), as: UTF8.self)
    }
}

/// A Swift type a result column can decode into (text format).
public protocol PostgresDecodable {
    /// Decodes one field. Non-optional types throw on NULL; `Optional` turns NULL into nil.
    static func decode(postgres value: PostgresValue) throws(PostgresError) -> Self
}

extension Optional: PostgresDecodable where Wrapped: PostgresDecodable {
    public static func decode(postgres value: PostgresValue) throws(PostgresError) -> Wrapped? {
        if value.isNull { return nil }
        return try Wrapped.decode(postgres: value)
    }
}

extension String: PostgresDecodable {
    public static func decode(postgres value: PostgresValue) throws(PostgresError) -> String {
        try value.string()
    }
}

/// Parses an optionally signed decimal integer from ASCII bytes, with overflow checks.
@inline(__always)
func parseInteger<T: FixedWidthInteger>(_ bytes: UnsafeRawBufferPointer, as: T.Type) throws(PostgresError) -> T {
    var i = 0
    let n = bytes.count
    var negative = false
    if n > 0, bytes[0] == UInt8(ascii: "-") { negative = true; i = 1 }
    else if n > 0, bytes[0] == UInt8(ascii: "+") { i = 1 }
    guard i < n else { throw .decoding("not an integer") }
    var result: T = 0
    while i < n {
        let d = bytes[i] &- 48
        guard d < 10 else { throw .decoding("not an integer") }
        let (m, o1) = result.multipliedReportingOverflow(by: 10)
        let (s, o2) = negative ? m.subtractingReportingOverflow(T(d)) : m.addingReportingOverflow(T(d))
        guard !o1, !o2 else { throw .decoding("integer out of range") }
        result = s
        i += 1
    }
    return result
}

extension Int: PostgresDecodable {
    public static func decode(postgres value: PostgresValue) throws(PostgresError) -> Int {
        try parseInteger(try value.nonNull(), as: Int.self)
    }
}

extension Int64: PostgresDecodable {
    public static func decode(postgres value: PostgresValue) throws(PostgresError) -> Int64 {
        try parseInteger(try value.nonNull(), as: Int64.self)
    }
}

extension Int32: PostgresDecodable {
    public static func decode(postgres value: PostgresValue) throws(PostgresError) -> Int32 {
        try parseInteger(try value.nonNull(), as: Int32.self)
    }
}

extension Int16: PostgresDecodable {
    public static func decode(postgres value: PostgresValue) throws(PostgresError) -> Int16 {
        try parseInteger(try value.nonNull(), as: Int16.self)
    }
}

extension Bool: PostgresDecodable {
    public static func decode(postgres value: PostgresValue) throws(PostgresError) -> Bool {
        let bytes = try value.nonNull()
        guard bytes.count == 1 else { throw .decoding("not a boolean") }
        switch bytes[0] {
        case UInt8(ascii: "t"): return true
        case UInt8(ascii: "f"): return false
        default: throw .decoding("not a boolean")
        }
    }
}

extension Double: PostgresDecodable {
    /// From float4/float8/numeric/integers; `NaN`, `Infinity`, `-Infinity` included.
    public static func decode(postgres value: PostgresValue) throws(PostgresError) -> Double {
        let text = try value.string()
        switch text {
        case "Infinity": return .infinity
        case "-Infinity": return -.infinity
        default:
            guard let d = Double(text) else { throw .decoding("not a number") }
            return d
        }
    }
}

extension Decimal: PostgresDecodable {
    /// Exact from `numeric` text (up to 38 significant digits); integers too.
    public static func decode(postgres value: PostgresValue) throws(PostgresError) -> Decimal {
        let bytes = try value.nonNull()
        if let d = PostgresNumeric.parse(bytes) { return d }
        if bytes.elementsEqual("NaN".utf8) { return .nan }
        throw .decoding("not an exact decimal (too many digits, or not numeric)")
    }
}

/// Exact numeric text → Decimal, digit by digit, without allocating (`Decimal(string:)` is
/// slower and locale-prone). Up to 38 significant digits, which Decimal's 128-bit mantissa holds.
enum PostgresNumeric {
    private static let chunkScale = Decimal(sign: .plus, exponent: 18, significand: 1)

    static func parse(_ bytes: UnsafeRawBufferPointer) -> Decimal? {
        var i = 0
        let n = bytes.count
        var negative = false
        if n > 0, bytes[0] == UInt8(ascii: "-") { negative = true; i = 1 }
        else if n > 0, bytes[0] == UInt8(ascii: "+") { i = 1 }
        var folded: Decimal? = nil      // digits beyond the first 18, folded in 18 at a time
        var chunk: UInt64 = 0
        var chunkDigits = 0
        var significant = 0
        var scale = 0
        var seenPoint = false
        var anyDigit = false
        while i < n {
            let b = bytes[i]
            i += 1
            if b == UInt8(ascii: ".") {
                if seenPoint { return nil }
                seenPoint = true
                continue
            }
            let d = b &- 48
            guard d < 10 else { return nil }
            anyDigit = true
            if seenPoint { scale += 1 }
            if significant == 0 && d == 0 { continue }     // leading zeros carry no digits
            significant += 1
            if significant > 38 { return nil }
            chunk = chunk * 10 + UInt64(d)
            chunkDigits += 1
            if chunkDigits == 18 {
                folded = (folded ?? 0) * chunkScale + Decimal(chunk)
                chunk = 0
                chunkDigits = 0
            }
        }
        guard anyDigit, scale <= 127 else { return nil }
        if folded == nil && chunk == 0 { return Decimal(0) }    // never a "negative zero" (NaN)
        var mantissa = Decimal(chunk)
        if let folded {
            mantissa = folded * Decimal(sign: .plus, exponent: chunkDigits, significand: 1) + mantissa
        }
        if scale == 0 && !negative { return mantissa }
        return Decimal(sign: negative ? .minus : .plus, exponent: -scale, significand: mantissa)
    }
}

extension UUID: PostgresDecodable {
    public static func decode(postgres value: PostgresValue) throws(PostgresError) -> UUID {
        let bytes = try value.nonNull()
        guard bytes.count == 36 else { throw .decoding("not a UUID") }
        var raw: uuid_t = (0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0)
        let ok = withUnsafeMutableBytes(of: &raw) { out -> Bool in
            var o = 0
            var i = 0
            while i < 36 {
                if i == 8 || i == 13 || i == 18 || i == 23 {
                    if bytes[i] != UInt8(ascii: "-") { return false }
                    i += 1
                    continue
                }
                guard let hi = hexValue(bytes[i]), let lo = hexValue(bytes[i + 1]) else { return false }
                out[o] = hi << 4 | lo
                o += 1
                i += 2
            }
            return true
        }
        guard ok else { throw .decoding("not a UUID") }
        return UUID(uuid: raw)
    }
}

@inline(__always)
func hexValue(_ b: UInt8) -> UInt8? {
    switch b {
    case 48...57: return b - 48
    case 97...102: return b - 87
    case 65...70: return b - 55
    default: return nil
    }
}

extension Date: PostgresDecodable {
    /// From `timestamptz` (ISO DateStyle, any offset), `timestamp` (read as UTC) or `date`
    /// (midnight UTC). `infinity`/`-infinity` become `distantFuture`/`distantPast`.
    public static func decode(postgres value: PostgresValue) throws(PostgresError) -> Date {
        let bytes = try value.nonNull()
        guard let seconds = PostgresTimestamp.parse(bytes) else {
            if bytes.elementsEqual("infinity".utf8) { return .distantFuture }
            if bytes.elementsEqual("-infinity".utf8) { return .distantPast }
            throw .decoding("not an ISO timestamp or date")
        }
        return Date(timeIntervalSince1970: seconds)
    }
}

extension Array: PostgresDecodable where Element: PostgresArrayElement {
    /// A one-dimensional PostgreSQL array, or `bytea` for `[UInt8]`.
    public static func decode(postgres value: PostgresValue) throws(PostgresError) -> [Element] {
        try Element.decodePostgresArray(value)
    }
}

/// Enums backed by a raw value bind and decode through it: declare
/// `enum StoreStatus: String, PostgresEncodable, PostgresDecodable { ... }` and nothing else.
extension PostgresDecodable where Self: RawRepresentable, RawValue: PostgresDecodable {
    public static func decode(postgres value: PostgresValue) throws(PostgresError) -> Self {
        guard let decoded = Self(rawValue: try RawValue.decode(postgres: value)) else {
            throw .decoding("not a known \(Self.self) value")
        }
        return decoded
    }
}

extension PostgresEncodable where Self: RawRepresentable, RawValue: PostgresEncodable {
    public var postgresBind: PostgresBind { rawValue.postgresBind }
}
