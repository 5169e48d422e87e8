import Testing
@testable import HTTP

@Suite struct ResponseTests {
    @Test func encodesTheCGIHeadAndDropsUnsafeHeaders() {
        var r = Response.html("<p>hi</p>", status: .created)
        r.headers.add("X-Evil", "a\r\nSet-Cookie: stolen=1")
        r.headers.add("Bad Name", "x")
        r.setCookie(SetCookie(name: "sid", value: "t"))
        let head = String(decoding: CGIResponseHead.encode(r, extra: [("X-Request-Id", "rid-12345")]), as: UTF8.self)
        #expect(head == "Status: 201 Created\r\nContent-Type: text/html; charset=utf-8\r\n"
                + "Set-Cookie: sid=t; Path=/; HttpOnly; SameSite=Lax\r\nX-Request-Id: rid-12345\r\n\r\n")
    }

    @Test func headersAreCaseInsensitiveAndRepeatable() {
        var h = Headers()
        h.add("Vary", "Accept")
        h.add("vary", "Cookie")
        #expect(h["VARY"] == "Accept")
        #expect(h.values("Vary") == ["Accept", "Cookie"])
        h["Vary"] = "Host"
        #expect(h.values("vary") == ["Host"])
        h["vary"] = nil
        #expect(!h.contains("Vary"))
    }

    @Test func streamsABodyInChunks() throws {
        let r = Response.stream(contentType: "text/csv") { out in
            for i in 1...3 { try out.write("row \(i)\n") }
            try out.write([0x6F, 0x6B])
        }
        #expect(try r.bodyText() == "row 1\nrow 2\nrow 3\nok")
    }

    @Test func errorPagesEscapeTheirMessage() throws {
        let page = try ErrorPage.response(status: .badRequest, message: "<script>x</script> & \"q\"", requestId: "r<1>").bodyText()
        #expect(page.contains("&lt;script&gt;x&lt;/script&gt; &amp; &quot;q&quot;"))
        #expect(page.contains("r&lt;1&gt;"))
        #expect(!page.contains("<script>"))
    }

    @Test func defaultPagesExistForEveryStatusWeSend() throws {
        for status in [Status.badRequest, .notFound, .methodNotAllowed, .payloadTooLarge, .internalServerError, .serviceUnavailable] {
            let r = ErrorPage.response(status: status)
            #expect(r.status == status)
            #expect(r.headers["Content-Type"] == "text/html; charset=utf-8")
            #expect(try r.bodyText().contains("<h1>\(status.reason)</h1>"))
        }
    }

    @Test func formatsTheAccessLogAsOneJSONLine() {
        let entry = AccessLogEntry(seconds: 1_767_323_045, nanoseconds: 678_900_000, requestId: "rid",
                                   host: "demo.storefleet.localhost", store: "demo", method: "GET",
                                   path: "/products/\"quoted\"\n", status: 200, durationMilliseconds: 1.2345)
        #expect(entry.jsonLine == "{\"time\":\"2026-01-02T03:04:05.678Z\",\"request_id\":\"rid\",\"host\":\"demo.storefleet.localhost\","
                + "\"store\":\"demo\",\"method\":\"GET\",\"path\":\"/products/\\\"quoted\\\"\\n\",\"status\":200,\"duration_ms\":1.235}\n")
        let noStore = AccessLogEntry(seconds: 0, nanoseconds: 0, requestId: "r", host: "h", store: nil, method: "GET",
                                     path: "/", status: 404, durationMilliseconds: 12)
        #expect(noStore.jsonLine.contains("\"store\":null"))
        #expect(noStore.jsonLine.contains("\"duration_ms\":12.000}"))
    }
}
