import Foundation
import Postgres
import Testing

/// Every supported type, bound and read back through a real server.
@Suite struct DecodingTests {
    @Test func scalarsRoundTrip() throws {
        guard let db = try TestDatabase.connect() else { return }
        let id = UUID()
        let row = try #require(try db.queryFirst("""
            SELECT \("héllo ✓")::text AS s, \(Int.max)::int8 AS i, \(Int32.min)::int4 AS i32,
                   \(Int64(-42))::int8 AS i64, 7::int2 AS i16, \(true) AS t, \(false) AS f,
                   \(0.1)::float8 AS d, 'NaN'::float8 AS nan, '-Infinity'::float8 AS ninf,
                   \(id) AS u, 12::int4 AS small
            """))
        #expect(try row.decode("s", as: String.self) == "héllo ✓")
        #expect(try row.decode("i", as: Int.self) == Int.max)
        #expect(try row.decode("i32", as: Int32.self) == Int32.min)
        #expect(try row.decode("i64", as: Int64.self) == -42)
        #expect(try row.decode("i16", as: Int16.self) == 7)
        #expect(try row.decode("t", as: Bool.self) == true)
        #expect(try row.decode("f", as: Bool.self) == false)
        #expect(try row.decode("d", as: Double.self) == 0.1)
        #expect(try row.decode("nan", as: Double.self).isNaN)
        #expect(try row.decode("ninf", as: Double.self) == -.infinity)
        #expect(try row.decode("u", as: UUID.self) == id)
        #expect(try row.decode("small", as: Int.self) == 12)
        #expect(try row.decode(0, as: String.self) == "héllo ✓")
        #expect(row.columnNames.count == 12)
    }

    @Test func nullsDecodeAsNilAndRefuseNonOptionals() throws {
        guard let db = try TestDatabase.connect() else { return }
        let row = try #require(try db.queryFirst("""
            SELECT NULL::text AS s, NULL::int8 AS i, NULL::bool AS b, NULL::numeric AS n,
                   NULL::timestamptz AS ts, NULL::uuid AS u, NULL::bytea AS bin, NULL::text[] AS a,
                   NULL::jsonb AS j
            """))
        #expect(try row.decode("s", as: String?.self) == nil)
        #expect(try row.decode("i", as: Int?.self) == nil)
        #expect(try row.decode("b", as: Bool?.self) == nil)
        #expect(try row.decode("n", as: Decimal?.self) == nil)
        #expect(try row.decode("ts", as: Date?.self) == nil)
        #expect(try row.decode("u", as: UUID?.self) == nil)
        #expect(try row.decode("bin", as: [UInt8]?.self) == nil)
        #expect(try row.decode("a", as: [String]?.self) == nil)
        #expect(try row.decode("j", as: JSON?.self) == nil)
        #expect(row.isNull("s"))
        #expect {
            _ = try row.decode("i", as: Int.self)
        } throws: { error in
            let e = error as? PostgresError
            return e?.kind == .decoding && e?.description.contains("NULL") == true
        }
    }

    @Test func mismatchedTypeIsADecodingErrorWithoutTheValue() throws {
        guard let db = try TestDatabase.connect() else { return }
        let row = try #require(try db.queryFirst("SELECT 'secret-value-123'::text AS v, 99999999999::int8 AS big"))
        #expect {
            _ = try row.decode("v", as: Int.self)
        } throws: { error in
            let e = error as? PostgresError
            return e?.kind == .decoding && e?.description.contains("secret") == false
                && e?.description.contains("\"v\"") == true
        }
        #expect(throws: PostgresError.self) { _ = try row.decode("big", as: Int32.self) }
        #expect(throws: PostgresError.self) { _ = try row.decode("missing", as: Int.self) }
    }

    @Test func numericIsExact() throws {
        guard let db = try TestDatabase.connect() else { return }
        let text = "12345678901234567890.12345"
        let exact = try #require(Decimal(string: text))
        let row = try #require(try db.queryFirst("""
            SELECT \(unsafeSQL: text)::numeric AS lit, \(exact)::numeric AS bound,
                   \(exact)::numeric = \(unsafeSQL: text)::numeric AS same,
                   0.1::numeric + 0.2::numeric AS sum, -0.000123::numeric AS small,
                   100.50::numeric(10,2) AS price, 0::numeric AS zero
            """))
        let lit = try row.decode("lit", as: Decimal.self)
        #expect(lit == exact)
        #expect(lit.description == text)
        #expect(try row.decode("bound", as: Decimal.self).description == text)
        #expect(try row.decode("same", as: Bool.self))
        #expect(try row.decode("sum", as: Decimal.self) == Decimal(string: "0.3"))
        #expect(try row.decode("small", as: Decimal.self).description == "-0.000123")
        #expect(try row.decode("price", as: Decimal.self) == Decimal(string: "100.5"))
        #expect(try row.decode("zero", as: Decimal.self) == 0)

        let edges = try #require(try db.queryFirst("""
            SELECT '-0.00'::numeric AS negzero, '-1.50'::numeric AS neg, '0.000001'::numeric AS tiny,
                   '12345678901234567890123456789012345678'::numeric AS widest,
                   '1234567890123456789012345678901234567890'::numeric AS too_wide, 'NaN'::numeric AS nan
            """))
        #expect(try edges.decode("negzero", as: Decimal.self) == 0)
        #expect(try edges.decode("neg", as: Decimal.self) == Decimal(string: "-1.5"))
        #expect(try edges.decode("tiny", as: Decimal.self).description == "0.000001")
        #expect(try edges.decode("widest", as: Decimal.self).description == "12345678901234567890123456789012345678")
        #expect(throws: PostgresError.self) { _ = try edges.decode("too_wide", as: Decimal.self) }
        #expect(try edges.decode("nan", as: Decimal.self).isNaN)
    }

    @Test func datesFromTimestamptzTimestampAndDate() throws {
        guard let db = try TestDatabase.connect() else { return }
        // A zone with a half-hour offset makes the server print "+05:30".
        try db.execute("SET TimeZone = 'Asia/Kolkata'")
        let now = Date(timeIntervalSince1970: (Date().timeIntervalSince1970 * 1_000_000).rounded() / 1_000_000)
        let row = try #require(try db.queryFirst("""
            SELECT \(now) AS bound, '2024-03-01 12:00:00+00'::timestamptz AS tz,
                   '2024-03-01 12:00:00.5'::timestamp AS naive, '2024-02-29'::date AS day,
                   'infinity'::timestamptz AS inf, \(now)::text AS printed
            """))
        #expect(try row.decode("printed", as: String.self).hasSuffix("+05:30"))
        #expect(abs(try row.decode("bound", as: Date.self).timeIntervalSince(now)) < 0.000_001)
        #expect(try row.decode("tz", as: Date.self) == Date(timeIntervalSince1970: 1_709_294_400))
        #expect(try row.decode("naive", as: Date.self) == Date(timeIntervalSince1970: 1_709_294_400.5))
        #expect(try row.decode("day", as: Date.self) == Date(timeIntervalSince1970: 1_709_164_800))
        #expect(try row.decode("inf", as: Date.self) == .distantFuture)
    }

    @Test func arraysRoundTrip() throws {
        guard let db = try TestDatabase.connect() else { return }
        let words = ["plain", "with space", "comma,inside", "quote\"d", "back\\slash", "NULL", "", "{brace}", "é ✓"]
        let numbers = [3, -1, Int.max, 0]
        let holes: [String?] = ["a", nil, "c"]
        let row = try #require(try db.queryFirst("""
            SELECT \(words) AS words, \(numbers) AS numbers, \(holes) AS holes,
                   '{}'::text[] AS empty, ARRAY[1,2,3]::int4[] AS small,
                   cardinality(\(words)) AS n, (\(words))[6] IS NULL AS sixth_is_null
            """))
        #expect(try row.decode("words", as: [String].self) == words)
        #expect(try row.decode("numbers", as: [Int].self) == numbers)
        #expect(try row.decode("holes", as: [String?].self) == holes)
        #expect(try row.decode("empty", as: [String].self) == [])
        #expect(try row.decode("small", as: [Int32].self) == [1, 2, 3])
        #expect(try row.decode("n", as: Int.self) == words.count)
        #expect(try row.decode("sixth_is_null", as: Bool.self) == false)
        #expect(throws: PostgresError.self) { _ = try row.decode("holes", as: [String].self) }
    }

    @Test func byteaRoundTripsEveryByte() throws {
        guard let db = try TestDatabase.connect() else { return }
        let bytes = (0...255).map(UInt8.init) + [0, 0, 255]
        let row = try #require(try db.queryFirst("SELECT \(bytes) AS b, length(\(bytes)) AS n, ''::bytea AS empty"))
        #expect(try row.decode("b", as: [UInt8].self) == bytes)
        #expect(try row.decode("n", as: Int.self) == bytes.count)
        #expect(try row.decode("empty", as: [UInt8].self) == [])
    }

    @Test func jsonRoundTrips() throws {
        struct Settings: Codable, Equatable { var color: String; var columns: Int }
        guard let db = try TestDatabase.connect() else { return }
        let settings = Settings(color: "#ff0000 \"red\"", columns: 3)
        let row = try #require(try db.queryFirst("""
            SELECT \(try JSON(encoding: settings))::jsonb AS doc, (\(try JSON(encoding: settings))::jsonb)->>'color' AS color
            """))
        #expect(try row.decode("doc", as: JSON.self).decode(Settings.self) == settings)
        #expect(try row.decode("color", as: String.self) == settings.color)
    }

    enum Status: String, PostgresEncodable, PostgresDecodable { case active, suspended }

    @Test func rawRepresentableEnumsBindAndDecodeThroughTheirRawValue() throws {
        guard let db = try TestDatabase.connect() else { return }
        let row = try #require(try db.queryFirst("SELECT \(Status.suspended) AS s, 'deleted' AS unknown"))
        #expect(try row.decode("s", as: Status.self) == .suspended)
        #expect(throws: PostgresError.self) { _ = try row.decode("unknown", as: Status.self) }
        #expect(try row.decode("unknown", as: String.self) == "deleted")
    }
}
