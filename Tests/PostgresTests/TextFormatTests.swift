import Foundation
import Postgres
import Testing

/// Decoding PostgreSQL's text output and encoding binds, without a server.
@Suite struct TextFormatTests {
    private func decode<T: PostgresDecodable>(_ text: String?, as: T.Type) throws -> T {
        guard let text else { return try T.decode(postgres: PostgresValue(bytes: nil, typeOID: 0)) }
        return try Array(text.utf8).withUnsafeBytes { try T.decode(postgres: PostgresValue(bytes: $0, typeOID: 0)) }
    }

    @Test(arguments: [
        ("1970-01-01 00:00:00+00", 0.0),
        ("1969-12-31 23:59:59.999999+00", -0.000_001),
        ("2000-02-29 12:00:00+00", 951_825_600.0),
        ("2024-03-01 12:00:00-08", 1_709_323_200.0),
        ("2024-03-01 17:45:00+05:45", 1_709_294_400.0),
        ("2024-03-01 13:02:03+01:02:03", 1_709_294_400.0),
        ("2024-03-01 12:00:00.5", 1_709_294_400.5),
        ("2024-03-01", 1_709_251_200.0),
        ("1900-01-01 00:00:00+00", -2_208_988_800.0),
    ])
    func timestampsParse(text: String, seconds: Double) throws {
        let date = try decode(text, as: Date.self)
        #expect(abs(date.timeIntervalSince1970 - seconds) < 0.000_000_5)
    }

    @Test(arguments: ["2024-13-01", "2024-03-01 12:00", "not a date", "2024-03-01 12:00:00 BC", "", "2024-03-01 12:00:00+0x"])
    func malformedTimestampsAreRefused(text: String) {
        #expect(throws: PostgresError.self) { _ = try decode(text, as: Date.self) }
    }

    @Test(arguments: [-2_208_988_800.123456, -0.5, 0, 951_825_600.25, 4_102_444_800.999999])
    func datesSurviveTheirOwnBindText(seconds: Double) throws {
        let date = Date(timeIntervalSince1970: seconds)
        let text = String(decoding: date.postgresBind.bytes!, as: UTF8.self)
        #expect(text.hasSuffix("+00"))
        #expect(abs(try decode(text, as: Date.self).timeIntervalSince1970 - seconds) < 0.000_001)
    }

    @Test func integersAreCheckedForRangeAndShape() throws {
        #expect(try decode("-9223372036854775808", as: Int.self) == Int.min)
        #expect(throws: PostgresError.self) { _ = try decode("9223372036854775808", as: Int.self) }
        #expect(throws: PostgresError.self) { _ = try decode("32768", as: Int16.self) }
        #expect(throws: PostgresError.self) { _ = try decode("12a", as: Int.self) }
        #expect(throws: PostgresError.self) { _ = try decode("", as: Int.self) }
        #expect(throws: PostgresError.self) { _ = try decode("-", as: Int.self) }
        #expect(try decode(nil, as: Int?.self) == nil)
    }

    @Test func arrayTextIsParsedWithQuotesEscapesAndNulls() throws {
        #expect(try decode(#"{a,"b c","d\"e","f\\g",NULL,"NULL"}"#, as: [String?].self)
                == ["a", "b c", "d\"e", "f\\g", nil, "NULL"])
        #expect(try decode("[0:1]={7,8}", as: [Int].self) == [7, 8])
        #expect(throws: PostgresError.self) { _ = try decode("{{1,2},{3,4}}", as: [Int].self) }
        #expect(throws: PostgresError.self) { _ = try decode("{1,2", as: [Int].self) }
        #expect(throws: PostgresError.self) { _ = try decode("1,2", as: [Int].self) }
    }

    @Test func arrayBindsQuoteEveryElement() {
        let bind = ["a", "b\"c", "d\\e", "NULL"].postgresBind
        #expect(String(decoding: bind.bytes!, as: UTF8.self) == #"{"a","b\"c","d\\e","NULL"}"#)
        #expect(bind.typeOID == PostgresType.textArray)
        let holes: [Int?] = [1, nil]
        #expect(String(decoding: holes.postgresBind.bytes!, as: UTF8.self) == #"{"1",NULL}"#)
    }

    @Test func uuidTextIsStrict() throws {
        let id = UUID()
        #expect(try decode(id.uuidString.lowercased(), as: UUID.self) == id)
        #expect(throws: PostgresError.self) { _ = try decode("not-a-uuid-at-all-but-36-characters!", as: UUID.self) }
        #expect(throws: PostgresError.self) { _ = try decode(String(id.uuidString.dropLast()), as: UUID.self) }
    }
}
