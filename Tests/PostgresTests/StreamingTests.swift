import Foundation
import Postgres
import Testing

/// Resident memory of this process, from /proc/self/statm.
private func residentBytes() -> Int {
    guard let text = try? String(contentsOfFile: "/proc/self/statm", encoding: .utf8) else { return 0 }
    let fields = text.split(separator: " ")
    return (Int(fields[1]) ?? 0) * Int(sysconf(Int32(_SC_PAGESIZE)))
}

/// Serialized: the memory test measures the whole process.
@Suite(.serialized) struct StreamingTests {
    static let rows = 100_000
    /// ~1 KB per row, so buffering the whole result would hold ~100 MB.
    static let bigQuery: Query = """
        SELECT g AS n, repeat('x', 1000) AS filler FROM generate_series(1, \(rows)) AS g
        """

    @Test func streamsOneHundredThousandRowsInBoundedMemory() throws {
        guard let db = try TestDatabase.connect() else { return }
        try db.execute("SELECT 1")   // warm up allocations outside the measurement
        let baseline = residentBytes()
        var samples: [Int] = []
        var seen = 0
        var sum = 0
        try db.stream(Self.bigQuery) { row in
            seen += 1
            sum += try row.decode("n", as: Int.self)
            if seen % 10_000 == 0 { samples.append(residentBytes() - baseline) }
        }
        #expect(seen == Self.rows)
        #expect(sum == Self.rows * (Self.rows + 1) / 2)
        let median = samples.sorted()[samples.count / 2]
        // Streaming holds one row; 16 MB leaves room for allocator noise and other suites.
        #expect(median < 16 << 20, "RSS grew by \(median >> 20) MB while streaming")

        // The same measurement does see a buffered result: the bound above means something.
        let buffered = try db.query(Self.bigQuery)
        let bufferedGrowth = residentBytes() - baseline
        #expect(buffered.count == Self.rows)
        #expect(bufferedGrowth > 64 << 20, "buffering 100k rows grew RSS by only \(bufferedGrowth >> 20) MB")
    }

    @Test func anErrorInTheBodyCancelsTheQueryAndKeepsTheConnectionUsable() throws {
        struct Enough: Error {}
        guard let db = try TestDatabase.connect() else { return }
        var seen = 0
        #expect(throws: Enough.self) {
            try db.stream(Self.bigQuery) { _ in
                seen += 1
                if seen == 10 { throw Enough() }
            }
        }
        #expect(seen == 10)
        #expect(try db.queryFirst("SELECT 2 AS two")?.decode("two", as: Int.self) == 2)
    }

    @Test func serverErrorMidStreamIsThrown() throws {
        guard let db = try TestDatabase.connect() else { return }
        var seen = 0
        let error = try #require(throws: PostgresError.self) {
            try db.stream("SELECT 10 / (5 - g) AS v FROM generate_series(1, 10) AS g") { _ in seen += 1 }
        }
        #expect(error.sqlState == "22012")
        #expect(seen < 10)
        #expect(try db.queryFirst("SELECT 3 AS three")?.decode("three", as: Int.self) == 3)
    }

    @Test func statementsInsideTheStreamBodyAreRefused() throws {
        guard let db = try TestDatabase.connect() else { return }
        #expect {
            try db.stream("SELECT 1 AS one") { _ in try db.execute("SELECT 2") }
        } throws: { ($0 as? PostgresError)?.kind == .misuse }
    }
}
