import Glibc
import Testing
import HTTP
@testable import FastCGI

@Suite struct FastCGIRecordTests {
    @Test func encodesRecordsWithPaddingToEightBytes() {
        let r = FastCGIRecordEncoder.record(.stdin, requestId: 258, [1, 2, 3])
        #expect(r == [1, 5, 1, 2, 0, 3, 5, 0, 1, 2, 3, 0, 0, 0, 0, 0])
    }

    @Test func encodesLongNamesAndValuesWithFourByteLengths() {
        let long = String(repeating: "v", count: 300)
        let bytes = FastCGIRecordEncoder.nameValuePairs([("A", "b"), ("HTTP_X", long)])
        #expect(Array(bytes[0..<4]) == [1, 1, 65, 98])
        #expect(Array(bytes[4..<9]) == [6, 0x80, 0, 1, 44])
        #expect(bytes.count == 4 + 5 + 6 + 300)
    }

    @Test func decodesRecordsSplitAtEveryPossibleBoundary() {
        let stream = FastCGIRecordEncoder.record(.stdout, Array("Status: 200 OK\r\n\r\nhello".utf8))
            + FastCGIRecordEncoder.record(.stderr, [])
            + FastCGIRecordEncoder.record(.endRequest, [0, 0, 0, 0, 0, 0, 0, 0])
        for split in 0...stream.count {
            var decoder = FastCGIRecordDecoder()
            let records = decoder.feed(Array(stream[..<split])) + decoder.feed(Array(stream[split...]))
            #expect(records.map(\.type) == [6, 7, 3])
            #expect(records[0].content == Array("Status: 200 OK\r\n\r\nhello".utf8))
            #expect(decoder.isEmpty)
        }
    }

    @Test func splitsLargeBodiesIntoSeveralStdinRecords() {
        let body = [UInt8](repeating: 0x41, count: 70_000)
        let bytes = FastCGIRecordEncoder.request(params: [("REQUEST_METHOD", "POST")], stdin: body)
        var decoder = FastCGIRecordDecoder()
        let stdin = decoder.feed(bytes).filter { $0.type == 5 }
        #expect(stdin.map(\.content.count) == [65535, 4465, 0])
    }

    @Test func parsesTheCGIResponse() throws {
        let r = try FastCGIResponse(cgiOutput: Array("Status: 404 Not Found\r\nContent-Type: text/html\r\n\r\n<p>no</p>".utf8))
        #expect(r.status == 404)
        #expect(r.header("content-type") == "text/html")
        #expect(r.text == "<p>no</p>")
    }
}

@Suite struct MasterPolicyTests {
    @Test func respawnsAtOnceUnlessWorkersKeepDyingYoung() {
        var backoff = RespawnBackoff(minimumUptime: 1, initialDelay: 0.1, maximumDelay: 2)
        #expect(backoff.delayAfterExit(uptime: 50, crashed: true) == 0)
        #expect(backoff.delayAfterExit(uptime: 0.2, crashed: false) == 0, "a clean exit (recycle) is never delayed")
        #expect(backoff.delayAfterExit(uptime: 0.2, crashed: true) == 0.1)
        #expect(backoff.delayAfterExit(uptime: 0.2, crashed: true) == 0.2)
        #expect(backoff.delayAfterExit(uptime: 0.2, crashed: true) == 0.4)
        for _ in 0..<10 { _ = backoff.delayAfterExit(uptime: 0.1, crashed: true) }
        #expect(backoff.delayAfterExit(uptime: 0.1, crashed: true) == 2)
        #expect(backoff.delayAfterExit(uptime: 30, crashed: true) == 0, "a worker that lived resets the back-off")
        #expect(backoff.consecutiveQuickFailures == 0)
    }

    @Test func decodesWaitStatuses() {
        #expect(ExitStatus(raw: 0).isCleanExit)
        #expect(ExitStatus(raw: 78 << 8).exitCode == 78)
        #expect(!ExitStatus(raw: 78 << 8).isCleanExit)
        #expect(ExitStatus(raw: 9).signal == 9)
        #expect(ExitStatus(raw: 9).description == "killed by signal 9")
        #expect(ExitStatus(raw: 0x80 | 11).signal == 11, "core dumped")
    }

    @Test func parsesListenAddresses() {
        #expect(ServerConfig.parseTCP("127.0.0.1:9000") == .tcp(host: "127.0.0.1", port: 9000))
        #expect(ServerConfig.parseTCP(":9000") == .tcp(host: "0.0.0.0", port: 9000))
        #expect(ServerConfig.parseTCP("[::1]:9000") == .tcp(host: "::1", port: 9000))
        #expect(ServerConfig.parseTCP("localhost") == nil)
        #expect(ServerConfig.parseTCP("h:0") == nil)
        #expect(ServerConfig.parseTCP("h:70000") == nil)
    }
}

@Suite struct ScoreboardTests {
    @Test func aggregatesSlotsAndRendersPrometheusText() throws {
        let board = try Scoreboard(capacity: 4)
        let a = try #require(board.claimSlot())
        let b = try #require(board.claimSlot())
        board.assign(slot: a, pid: 101)
        board.assign(slot: b, pid: 102)
        board.setState(slot: a, .busy)
        board.setState(slot: b, .idle)
        board.record(slot: a, seconds: 0.0005, status: 200)
        board.record(slot: a, seconds: 0.003, status: 500)
        board.record(slot: b, seconds: 20, status: 404)
        board.countRestart()

        let snap = board.snapshot()
        #expect(snap.requests == 3)
        #expect(snap.errors == 1)
        #expect(snap.busyWorkers == 1)
        #expect(snap.workers.map(\.pid).sorted() == [101, 102])

        let text = PrometheusText.render(snap)
        #expect(text.contains("# TYPE storefleet_requests_total counter\nstorefleet_requests_total 3\n"))
        #expect(text.contains("storefleet_request_errors_total 1\n"))
        #expect(text.contains("storefleet_request_duration_seconds_bucket{le=\"0.001\"} 1\n"))
        #expect(text.contains("storefleet_request_duration_seconds_bucket{le=\"0.005\"} 2\n"))
        #expect(text.contains("storefleet_request_duration_seconds_bucket{le=\"10\"} 2\n"))
        #expect(text.contains("storefleet_request_duration_seconds_bucket{le=\"+Inf\"} 3\n"))
        #expect(text.contains("storefleet_request_duration_seconds_count 3\n"))
        #expect(text.contains("storefleet_worker_restarts_total 1\n"))
        #expect(text.contains("storefleet_workers_busy 1\n"))
    }

    @Test func keepsCountersWhenASlotChangesHands() throws {
        let board = try Scoreboard(capacity: 1)
        let slot = try #require(board.claimSlot())
        board.assign(slot: slot, pid: 7)
        board.record(slot: slot, seconds: 0.01, status: 200)
        #expect(board.claimSlot() == nil, "full")
        board.release(slot: slot)
        #expect(board.snapshot().workers.isEmpty)
        let again = try #require(board.claimSlot())
        board.assign(slot: again, pid: 8)
        board.record(slot: again, seconds: 0.01, status: 200)
        #expect(board.snapshot().requests == 2, "counters never go backwards")
    }

    @Test func isSharedWithAProcessThatAdoptsItsDescriptor() throws {
        let board = try Scoreboard(capacity: 2)
        let slot = try #require(board.claimSlot())
        board.record(slot: slot, seconds: 0.01, status: 200)
        let copy = try Scoreboard(adoptingFD: dup(board.fd))
        copy.record(slot: slot, seconds: 0.01, status: 503)
        #expect(board.snapshot().requests == 2)
        #expect(board.snapshot().errors == 1)
        #expect(copy.capacity == 2)
    }
}
