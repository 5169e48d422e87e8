import Testing
@testable import HTTP

/// CGI params as nginx's `fastcgi_params` sends them.
func cgi(_ method: String = "GET", _ uri: String, host: String = "shop.example.com", _ extra: [String: String] = [:]) -> [String: String] {
    var p = ["REQUEST_METHOD": method, "REQUEST_URI": uri, "HTTP_HOST": host, "REMOTE_ADDR": "203.0.113.7",
             "SERVER_PROTOCOL": "HTTP/1.1"]
    if let q = uri.firstIndex(of: "?") { p["QUERY_STRING"] = String(uri[uri.index(after: q)...]) } else { p["QUERY_STRING"] = "" }
    for (k, v) in extra { p[k] = v }
    return p
}

func expectStatus(_ code: Int, _ body: () throws -> Void, sourceLocation: SourceLocation = #_sourceLocation) {
    do {
        try body()
        Issue.record("expected HTTP \(code), got no error", sourceLocation: sourceLocation)
    } catch let error as HTTPError {
        #expect(error.status.code == code, "\(error.publicMessage)", sourceLocation: sourceLocation)
    } catch {
        Issue.record("expected HTTPError \(code), got \(error)", sourceLocation: sourceLocation)
    }
}

@Suite struct RequestParsingTests {
    @Test func buildsRequestFromCGIParams() throws {
        let r = try Request(cgi: cgi("POST", "/products/caf%C3%A9?sort=price&tag=a&tag=b", [
            "HTTP_ACCEPT_LANGUAGE": "fr-CH", "HTTP_X_FORWARDED_PROTO": "https", "CONTENT_TYPE": "text/plain",
            "CONTENT_LENGTH": "5", "HTTPS": "on",
        ]), body: Array("hello".utf8))
        #expect(r.method == .post)
        #expect(r.path == "/products/café")
        #expect(r.rawPath == "/products/caf%C3%A9")
        #expect(r.rawQuery == "sort=price&tag=a&tag=b")
        #expect(r.query["sort"] == "price")
        #expect(r.query.all("tag") == ["a", "b"])
        #expect(r.headers["Accept-Language"] == "fr-CH")
        #expect(r.header("x-forwarded-proto") == "https")
        #expect(r.headers["content-type"] == "text/plain")
        #expect(r.headers["Content-Length"] == "5")
        #expect(r.host == "shop.example.com")
        #expect(r.remoteAddress == "203.0.113.7")
        #expect(r.isSecure)
        #expect(r.body == Array("hello".utf8))
    }

    @Test func takesPathFromAbsoluteFormTarget() throws {
        let r = try Request(cgi: cgi("GET", "http://shop.example.com/a/b?x=1"), body: [])
        #expect(r.path == "/a/b")
        #expect(r.query["x"] == "1")
    }

    @Test func keepsASaneIncomingRequestIdAndReplacesAnInsaneOne() throws {
        let kept = try Request(cgi: cgi("GET", "/", ["HTTP_X_REQUEST_ID": "abc-123_DEF.456"]), body: [])
        #expect(kept.requestId == "abc-123_DEF.456")
        for bad in ["short", "has space in it", "<script>alert(1)</script>", String(repeating: "a", count: 200)] {
            let r = try Request(cgi: cgi("GET", "/", ["HTTP_X_REQUEST_ID": bad]), body: [])
            #expect(r.requestId != bad)
            #expect(r.requestId.count == 32)
        }
        let a = try Request(cgi: cgi("GET", "/"), body: [])
        let b = try Request(cgi: cgi("GET", "/"), body: [])
        #expect(a.requestId != b.requestId)
    }

    @Test func decodesQueryStrings() throws {
        let r = try Request(cgi: cgi("GET", "/s?q=red+shoes&empty=&flag&c=%C3%A9t%C3%A9&&amp=%26"), body: [])
        #expect(r.query["q"] == "red shoes")
        #expect(r.query["empty"] == "")
        #expect(r.query["flag"] == "")
        #expect(r.query["c"] == "été")
        #expect(r.query["amp"] == "&")
        #expect(r.query["missing"] == nil)
    }

    @Test func rejectsInvalidUTF8AndBadEscapesWith400() {
        expectStatus(400) { _ = try Request(cgi: cgi("GET", "/s?q=%FF%FE"), body: []) }
        expectStatus(400) { _ = try Request(cgi: cgi("GET", "/caf%C3"), body: []) }
        expectStatus(400) { _ = try Request(cgi: cgi("GET", "/s?q=%G1"), body: []) }
        expectStatus(400) { _ = try Request(cgi: cgi("GET", "/s?q=%2"), body: []) }
        expectStatus(400) { _ = try Request(cgi: cgi("GET", "/nul%00byte"), body: []) }
    }

    @Test func rejectsMalformedRequestLines() {
        expectStatus(400) { _ = try Request(cgi: cgi("GE T", "/"), body: []) }
        expectStatus(400) { _ = try Request(cgi: cgi("", "/"), body: []) }
        expectStatus(400) { _ = try Request(cgi: cgi("GET", "no-slash"), body: []) }
    }

    @Test func enforcesSizeLimits() {
        var limits = RequestLimits()
        limits.maxBodyBytes = 10
        limits.maxFields = 3
        limits.maxFieldBytes = 8
        limits.maxQueryBytes = 64
        expectStatus(413) { _ = try Request(cgi: cgi("POST", "/"), body: Array(repeating: 1, count: 11), limits: limits) }
        expectStatus(413) { _ = try Request(cgi: cgi("GET", "/?a=1&b=2&c=3&d=4"), body: [], limits: limits) }
        expectStatus(413) { _ = try Request(cgi: cgi("GET", "/?a=123456789"), body: [], limits: limits) }
        expectStatus(414) { _ = try Request(cgi: cgi("GET", "/?" + String(repeating: "a", count: 65)), body: [], limits: limits) }
        // At the limits exactly, all is well.
        #expect(throws: Never.self) {
            _ = try Request(cgi: cgi("GET", "/?a=12345678&b=2&c=3"), body: Array(repeating: 1, count: 10), limits: limits)
        }
    }

    @Test func rejectsAMissingOrMalformedHostWith400() {
        expectStatus(400) { _ = try Request(cgi: cgi("GET", "/", host: "bad host"), body: []) }
        expectStatus(400) { _ = try Request(cgi: cgi("GET", "/", host: ""), body: []) }
        expectStatus(400) { _ = try Request(cgi: cgi("GET", "/", host: "shop.example.com:99999"), body: []) }
    }

    @Test func fallsBackToServerNameWithoutHostHeader() throws {
        var p = cgi("GET", "/")
        p["HTTP_HOST"] = nil
        p["SERVER_NAME"] = "Storefleet.Localhost"
        #expect(try Request(cgi: p, body: []).host == "storefleet.localhost")
    }

    @Test func testInitializerBuildsTheSameRequest() throws {
        let r = try Request(method: .post, uri: "/cart/add?x=1", host: "Demo.Storefleet.Localhost:8080",
                            headers: [("Content-Type", "application/x-www-form-urlencoded"), ("Cookie", "sid=abc")],
                            body: Array("qty=2".utf8))
        #expect(r.host == "demo.storefleet.localhost")
        #expect(r.query["x"] == "1")
        #expect(r.cookies["sid"] == "abc")
        #expect(try r.form()["qty"] == "2")
    }
}

@Suite struct HostNormalisationTests {
    @Test(arguments: [
        ("example.com", "example.com"),
        ("EXAMPLE.com", "example.com"),
        ("Shop.Example.COM:8080", "shop.example.com"),
        ("example.com.", "example.com"),
        ("example.com.:443", "example.com"),
        ("demo.storefleet.localhost", "demo.storefleet.localhost"),
        ("127.0.0.1:8080", "127.0.0.1"),
        ("localhost", "localhost"),
        ("xn--caf-dma.example", "xn--caf-dma.example"),
        ("a-b.c-d.example", "a-b.c-d.example"),
        ("[::1]:8080", "[::1]"),
        ("[2001:DB8::1]", "[2001:db8::1]"),
    ])
    func normalises(raw: String, expected: String) {
        #expect(HostName.normalize(raw) == expected)
    }

    @Test(arguments: [
        "", ".", "example..com", ".example.com", "example.com..", "exa mple.com", "example.com:",
        "example.com:0", "example.com:65536", "example.com:80:80", "exa_mple.com", "-example.com",
        "example-.com", "café.example", "example.com/evil", "user@example.com", "example.com\r\nX: y",
        String(repeating: "a", count: 64) + ".com", "[::1", "[zz::1]", "[::1]x",
    ])
    func rejects(raw: String) {
        #expect(HostName.normalize(raw) == nil)
    }
}
