/// A SQL statement and its bound parameters.
///
/// Every interpolated value becomes a `$N` placeholder and a bind, so input never becomes SQL:
///
///     let q: Query = "SELECT id FROM products WHERE handle = \(handle) AND price < \(limit)"
///     // sql: SELECT id FROM products WHERE handle = $1 AND price < $2, binds: [handle, limit]
///
/// The escape hatches put text into the SQL itself and carry `unsafe` in their names:
/// `\(unsafeIdentifier: name)` (double-quoted, for `CREATE DATABASE` and the like),
/// `\(unsafeLiteral: text)` (an escaped string literal, for `CREATE ROLE ... PASSWORD`, where
/// parameters are not allowed) and `Query(unsafeSQL:)`. A `Query` interpolated into another
/// keeps its binds (placeholders are renumbered), so filters can be composed.
///
/// Parameters travel in text format. `String` and `JSON` are sent untyped, so the server types
/// them from context (text, varchar, an enum, jsonb); `Int` is sent as `int8`, `Int32` as `int4`,
/// `Date` as `timestamptz`, `Decimal` as `numeric` and so on. Where a function insists on another
/// type, cast in SQL: `make_interval(days => \(n)::int)`.
public struct Query: ExpressibleByStringInterpolation, Sendable, CustomStringConvertible {
    /// The statement text with `$1`, `$2`... placeholders.
    public private(set) var sql: String
    public private(set) var binds: [PostgresBind]

    /// Raw SQL, sent as written. Never build `unsafeSQL` from input.
    public init(unsafeSQL: String, binds: [PostgresBind] = []) {
        self.sql = unsafeSQL
        self.binds = binds
    }

    public init(stringLiteral value: String) {
        self.sql = value
        self.binds = []
    }

    public init(stringInterpolation: StringInterpolation) {
        self.sql = stringInterpolation.sql
        self.binds = stringInterpolation.binds
    }

    /// The statement shape only (`SELECT ... $1`), for logs; never the bound values.
    public var description: String { sql }

    /// Appends another query, renumbering its placeholders after this one's.
    public mutating func append(_ other: Query) {
        sql += Query.renumbered(other.sql, by: binds.count)
        binds += other.binds
    }

    public static func + (lhs: Query, rhs: Query) -> Query {
        var q = lhs
        q.append(rhs)
        return q
    }

    public struct StringInterpolation: StringInterpolationProtocol {
        var sql: String
        var binds: [PostgresBind]

        public init(literalCapacity: Int, interpolationCount: Int) {
            sql = ""
            sql.reserveCapacity(literalCapacity + interpolationCount * 3)
            binds = []
            binds.reserveCapacity(interpolationCount)
        }

        public mutating func appendLiteral(_ literal: String) {
            sql += literal
        }

        /// A bound parameter: `$N` (an Optional that is nil binds NULL).
        public mutating func appendInterpolation(_ value: some PostgresEncodable) {
            binds.append(value.postgresBind)
            sql += "$"
            sql += String(binds.count)
        }

        /// An optional parameter: NULL when nil. (Its own overload so the compiler does not warn
        /// about interpolating an Optional.)
        public mutating func appendInterpolation<T: PostgresEncodable>(_ value: T?) {
            binds.append(value?.postgresBind ?? .null)
            sql += "$"
            sql += String(binds.count)
        }

        /// Another query, its placeholders renumbered and its binds kept.
        public mutating func appendInterpolation(_ fragment: Query) {
            sql += Query.renumbered(fragment.sql, by: binds.count)
            binds += fragment.binds
        }

        /// A double-quoted identifier (`"my ""odd"" name"`), for places where a parameter is not
        /// allowed (`CREATE DATABASE`, `GRANT ... TO`). The name still must not come from a shopper.
        public mutating func appendInterpolation(unsafeIdentifier name: String) {
            sql += Query.quoteIdentifier(name)
        }

        /// An escaped string literal (`E'it''s'`), for utility statements that take no parameters
        /// (`CREATE ROLE ... PASSWORD`). Works whatever `standard_conforming_strings` is.
        public mutating func appendInterpolation(unsafeLiteral text: String) {
            sql += Query.quoteLiteral(text)
        }

        /// Raw SQL text, as written.
        public mutating func appendInterpolation(unsafeSQL text: String) {
            sql += text
        }
    }

    /// `"name"` with embedded quotes doubled and NUL bytes dropped (PostgreSQL identifiers cannot hold NUL).
    public static func quoteIdentifier(_ name: String) -> String {
        var out = "\""
        for ch in name.unicodeScalars where ch != "\0" {
            if ch == "\"" { out += "\"\"" } else { out.unicodeScalars.append(ch) }
        }
        out += "\""
        return out
    }

    /// `E'text'` with `'` and `\` escaped and NUL bytes dropped.
    public static func quoteLiteral(_ text: String) -> String {
        var out = "E'"
        for ch in text.unicodeScalars where ch != "\0" {
            switch ch {
            case "'": out += "''"
            case "\\": out += "\\\\"
            default: out.unicodeScalars.append(ch)
            }
        }
        out += "'"
        return out
    }

    /// Shifts every `$N` outside quotes and comments by `offset`.
    static func renumbered(_ sql: String, by offset: Int) -> String {
        if offset == 0 || !sql.utf8.contains(UInt8(ascii: "$")) { return sql }
        let bytes = Array(sql.utf8)
        var out: [UInt8] = []
        out.reserveCapacity(bytes.count + 8)
        var i = 0
        var quote: UInt8 = 0          // ' or " while inside one
        while i < bytes.count {
            let b = bytes[i]
            if quote != 0 {
                out.append(b)
                if b == quote { quote = 0 }   // a doubled quote re-enters on the next byte
                i += 1
                continue
            }
            if b == UInt8(ascii: "'") || b == UInt8(ascii: "\"") {
                quote = b
                out.append(b)
                i += 1
                continue
            }
            if b == UInt8(ascii: "-"), i + 1 < bytes.count, bytes[i + 1] == UInt8(ascii: "-") {
                while i < bytes.count, bytes[i] != UInt8(ascii: "\n") { out.append(bytes[i]); i += 1 }
                continue
            }
            if b == UInt8(ascii: "$"), i + 1 < bytes.count, isDigit(bytes[i + 1]),
               i == 0 || !isIdentifierByte(bytes[i - 1]) {
                var j = i + 1
                var n = 0
                while j < bytes.count, isDigit(bytes[j]) { n = n * 10 + Int(bytes[j] - 48); j += 1 }
                out.append(UInt8(ascii: "$"))
                out += Array(String(n + offset).utf8)
                i = j
                continue
            }
            out.append(b)
            i += 1
        }
        return String(decoding: out, as: UTF8.self)
    }

    private static func isDigit(_ b: UInt8) -> Bool { b >= 48 && b <= 57 }
    private static func isIdentifierByte(_ b: UInt8) -> Bool {
        isDigit(b) || (b >= 65 && b <= 90) || (b >= 97 && b <= 122) || b == 95 || b >= 128
    }
}
