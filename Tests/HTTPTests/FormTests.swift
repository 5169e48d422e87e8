import Testing
@testable import HTTP

func multipartBody(boundary: String, _ parts: [(headers: String, content: [UInt8])]) -> [UInt8] {
    var body: [UInt8] = Array("preamble to ignore\r\n".utf8)
    for part in parts {
        body += Array("--\(boundary)\r\n\(part.headers)\r\n\r\n".utf8)
        body += part.content
        body += Array("\r\n".utf8)
    }
    body += Array("--\(boundary)--\r\n".utf8)
    return body
}

func formRequest(_ contentType: String, _ body: [UInt8], limits: RequestLimits = .default) throws(HTTPError) -> Request {
    try Request(method: .post, uri: "/form", headers: [("Content-Type", contentType)], body: body, limits: limits)
}

@Suite struct FormTests {
    @Test func parsesURLEncodedBodies() throws {
        let r = try formRequest("application/x-www-form-urlencoded; charset=UTF-8",
                                Array("name=Ada+Lovelace&note=caf%C3%A9+%26+cr%C3%A8me&opt=a&opt=b".utf8))
        let form = try r.form()
        #expect(form["name"] == "Ada Lovelace")
        #expect(form["note"] == "café & crème")
        #expect(form.all("opt") == ["a", "b"])
    }

    @Test func parsesMultipartFieldsAndABinaryFile() throws {
        // Every byte value, and CRLF plus a near-boundary inside the file, must round-trip.
        let boundary = "----WebKitFormBoundary7MA4YWxkTrZu0gW"
        let file: [UInt8] = Array(0...255) + Array("\r\n--\(boundary.dropLast())\r\n".utf8) + Array(0...255)
        let body = multipartBody(boundary: boundary, [
            ("Content-Disposition: form-data; name=\"title\"", Array("Blue mug — large".utf8)),
            ("Content-Disposition: form-data; name=\"photo\"; filename=\"mug \\\"big\\\".png\"\r\nContent-Type: image/png", file),
            ("Content-Disposition: form-data; name=\"empty\"", []),
            ("Content-Disposition: form-data; name=\"blank\"; filename=\"\"", []),
        ])
        let form = try formRequest("multipart/form-data; boundary=\"\(boundary)\"", body).form()
        #expect(form["title"] == "Blue mug — large")
        #expect(form["empty"] == "")
        let photo = try #require(form.file("photo"))
        #expect(photo.filename == "mug \"big\".png")
        #expect(photo.contentType == "image/png")
        #expect(photo.bytes == file)
        #expect(form.file("blank")?.bytes == [])
        #expect(form.file("blank")?.contentType == "application/octet-stream")
        #expect(form.files.count == 2)
    }

    @Test func rejectsMalformedMultipartWith400() {
        let b = "XyZ"
        expectStatus(400) { _ = try formRequest("multipart/form-data", Array("--XyZ\r\n".utf8)).form() }
        expectStatus(400) { _ = try formRequest("multipart/form-data; boundary=\(b)", Array("no delimiter at all".utf8)).form() }
        expectStatus(400) {
            _ = try formRequest("multipart/form-data; boundary=\(b)",
                                Array("--XyZ\r\nContent-Disposition: form-data; name=\"a\"\r\n\r\nunterminated".utf8)).form()
        }
        expectStatus(400) {
            _ = try formRequest("multipart/form-data; boundary=\(b)",
                                multipartBody(boundary: b, [("Content-Type: text/plain", Array("no name".utf8))])).form()
        }
    }

    @Test func rejectsInvalidUTF8InFormsWith400() {
        expectStatus(400) { _ = try formRequest("application/x-www-form-urlencoded", [0x61, 0x3D, 0xFF, 0xFE]).form() }
        expectStatus(400) { _ = try formRequest("application/x-www-form-urlencoded", Array("a=%C3%28".utf8)).form() }
        expectStatus(400) {
            _ = try formRequest("multipart/form-data; boundary=B",
                                multipartBody(boundary: "B", [("Content-Disposition: form-data; name=\"a\"", [0xC3, 0x28])])).form()
        }
    }

    @Test func enforcesFormLimitsWith413() {
        var limits = RequestLimits()
        limits.maxFields = 2
        limits.maxFieldBytes = 4
        limits.maxFiles = 1
        limits.maxFileBytes = 8
        let field = "Content-Disposition: form-data; name=\"f\""
        let file = "Content-Disposition: form-data; name=\"u\"; filename=\"x.bin\""
        expectStatus(413) { _ = try formRequest("application/x-www-form-urlencoded", Array("a=1&b=2&c=3".utf8), limits: limits).form() }
        expectStatus(413) { _ = try formRequest("application/x-www-form-urlencoded", Array("a=12345".utf8), limits: limits).form() }
        expectStatus(413) {
            _ = try formRequest("multipart/form-data; boundary=B",
                                multipartBody(boundary: "B", [(field, Array("12345".utf8))]), limits: limits).form()
        }
        expectStatus(413) {
            _ = try formRequest("multipart/form-data; boundary=B",
                                multipartBody(boundary: "B", [(file, Array(repeating: 7, count: 9))]), limits: limits).form()
        }
        expectStatus(413) {
            _ = try formRequest("multipart/form-data; boundary=B",
                                multipartBody(boundary: "B", [(file, [1]), (file, [2])]), limits: limits).form()
        }
        expectStatus(413) {
            _ = try formRequest("multipart/form-data; boundary=B",
                                multipartBody(boundary: "B", [(field, [1]), (field, [2]), (field, [3])]), limits: limits).form()
        }
    }

    @Test func treatsAnEmptyBodyAsAnEmptyFormAndOtherTypesAs415() throws {
        #expect(try Request(method: .post, uri: "/").form().isEmpty)
        expectStatus(415) { _ = try formRequest("application/json", Array("{}".utf8)).form() }
    }
}

@Suite struct CookieTests {
    @Test func parsesTheCookieHeader() throws {
        let r = try Request(cgi: cgi("GET", "/", ["HTTP_COOKIE": "sid=abc123; theme=\"dark\";  cart = 42 ; flag; sid=shadowed"]), body: [])
        #expect(r.cookies["sid"] == "abc123")
        #expect(r.cookies["theme"] == "dark")
        #expect(r.cookies["cart"] == "42")
        #expect(r.cookies["flag"] == nil)
    }

    @Test func enforcesCookieLimitsWith400() {
        var limits = RequestLimits()
        limits.maxCookies = 2
        limits.maxCookieHeaderBytes = 32
        expectStatus(400) { _ = try Request(cgi: cgi("GET", "/", ["HTTP_COOKIE": "a=1; b=2; c=3"]), body: [], limits: limits) }
        expectStatus(400) {
            _ = try Request(cgi: cgi("GET", "/", ["HTTP_COOKIE": "a=" + String(repeating: "x", count: 40)]), body: [], limits: limits)
        }
    }

    @Test func buildsSetCookieHeaders() {
        #expect(SetCookie(name: "sid", value: "tok").headerValue == "sid=tok; Path=/; HttpOnly; SameSite=Lax")
        let full = SetCookie(name: "sid", value: "a b;c", path: "/store/demo", domain: "storefleet.localhost",
                             maxAge: 3600, secure: true, httpOnly: true, sameSite: .strict)
        #expect(full.headerValue == "sid=a%20b%3Bc; Path=/store/demo; Domain=storefleet.localhost; Max-Age=3600; Secure; HttpOnly; SameSite=Strict")
        #expect(SetCookie.deletion(name: "sid").headerValue
                == "sid=; Path=/; Max-Age=0; Expires=Thu, 01 Jan 1970 00:00:00 GMT; HttpOnly; SameSite=Lax")
        // SameSite=None is only honoured with Secure.
        #expect(SetCookie(name: "x", value: "1", httpOnly: false, sameSite: SetCookie.SameSite.none).headerValue == "x=1; Path=/; Secure; SameSite=None")
        var response = Response.text("hi")
        response.setCookie(SetCookie(name: "a", value: "1"))
        response.setCookie(SetCookie(name: "b", value: "2"))
        #expect(response.headers.values("set-cookie").count == 2)
    }
}
