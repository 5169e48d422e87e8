import Foundation
import Postgres
import Testing

/// Resident memory of this process, from /proc/self/statm.
private func residentBytes() -> Int {
    guard let text = try? String(contentsOfFile: "/proc/self/statm", encoding: .utf8) else { return 0 }
    let fields = text.split(separator: " ")
    return (Int(fields[1]) ?? 0) * Int(sysconf(Int32(_SC_PAGESIZE)))
}

/// What the memory probe measured, in bytes over the baseline.
private struct MemoryProbe {
    var rowsSeen = 0
    var streamingMedianGrowth = 0
    var streamingMaxGrowth = 0
    var bufferedGrowth = 0
}

/// Runs `probe` in a forked child so that RSS measures this work alone: the other suites keep
/// running (and allocating) in the parent's threads, which do not exist in the child. The child
/// reports four numbers through a pipe; a child that hangs is killed after a minute.
private func measureInChild(_ probe: () throws -> MemoryProbe) -> MemoryProbe? {
    var fds: [Int32] = [0, 0]
    guard pipe(&fds) == 0 else { return nil }
    let pid = fork()
    if pid == 0 {
        close(fds[0])
        var report = "error"
        if let m = try? probe() {
            report = "\(m.rowsSeen) \(m.streamingMedianGrowth) \(m.streamingMaxGrowth) \(m.bufferedGrowth)"
        }
        _ = report.withCString { write(fds[1], $0, strlen($0)) }
        _exit(0)
    }
    close(fds[1])
    defer { close(fds[0]) }
    var output: [UInt8] = []
    var buffer = [UInt8](repeating: 0, count: 256)
    var fd = pollfd(fd: fds[0], events: Int16(POLLIN), revents: 0)
    while poll(&fd, 1, 60_000) > 0 {
        let n = read(fds[0], &buffer, buffer.count)
        if n <= 0 { break }
        output += buffer[0..<n]
    }
    kill(pid, SIGKILL)    // no-op when it already exited
    var status: Int32 = 0
    waitpid(pid, &status, 0)
    let numbers = String(decoding: output, as: UTF8.self).split(separator: " ").compactMap { Int($0) }
    guard numbers.count == 4 else { return nil }
    return MemoryProbe(rowsSeen: numbers[0], streamingMedianGrowth: numbers[1],
                       streamingMaxGrowth: numbers[2], bufferedGrowth: numbers[3])
}

/// Serialized: two of these tests move ~100 MB through the server.
@Suite(.serialized) struct StreamingTests {
    static let rows = 100_000
    /// ~1 KB per row, so buffering the whole result would hold ~100 MB.
    static let bigQuery: Query = """
        SELECT g AS n, repeat('x', 1000) AS filler FROM generate_series(1, \(rows)) AS g
        """

    @Test func streamsOneHundredThousandRowsInBoundedMemory() throws {
        guard let url = TestDatabase.adminURL() else { return }
        let probe = measureInChild {
            let db = try Connection(url: url)
            try db.execute("SELECT 1")   // warm up allocations outside the measurement
            let baseline = residentBytes()
            var samples: [Int] = []
            var result = MemoryProbe()
            try db.stream(Self.bigQuery) { row in
                result.rowsSeen += 1
                _ = try row.decode("filler", as: String.self)
                if result.rowsSeen % 10_000 == 0 { samples.append(residentBytes() - baseline) }
            }
            result.streamingMedianGrowth = samples.sorted()[samples.count / 2]
            result.streamingMaxGrowth = samples.max() ?? 0
            // The same measurement does see a buffered result: the bound means something.
            let buffered = try db.query(Self.bigQuery)
            result.bufferedGrowth = residentBytes() - baseline
            withExtendedLifetime(buffered) {}
            return result
        }
        let measured = try #require(probe, "the measuring child process failed")
        #expect(measured.rowsSeen == Self.rows)
        // Streaming holds one row at a time; 8 MB leaves room for allocator noise.
        #expect(measured.streamingMaxGrowth < 8 << 20,
                "RSS grew by \(measured.streamingMaxGrowth >> 10) KB while streaming")
        #expect(measured.bufferedGrowth > 64 << 20,
                "buffering 100k rows grew RSS by only \(measured.bufferedGrowth >> 20) MB")
    }

    @Test func streamingDecodesEveryRowInOrder() throws {
        guard let db = try TestDatabase.connect() else { return }
        var seen = 0
        var ordered = true
        try db.stream("SELECT g AS n FROM generate_series(1, \(Self.rows)) AS g ORDER BY g") { row in
            seen += 1
            if try row.decode("n", as: Int.self) != seen { ordered = false }
        }
        #expect(seen == Self.rows)
        #expect(ordered)
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
