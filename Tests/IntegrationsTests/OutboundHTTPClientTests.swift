import Foundation
import Integrations
import Testing

@Suite("OutboundHTTPClient against a local HTTP server")
struct OutboundHTTPClientTests {
    @Test func getReturnsStatusHeadersAndBody() throws {
        let echo = try EchoServer()
        let client = try OutboundHTTPClient()
        let response = try client.send(OutboundRequest(url: echo.baseURL + "/echo?q=shoes&page=2",
                                                       headers: [("X-Trace", "abc 123")]))
        #expect(response.status == 200)
        #expect(response.header("content-type") == "application/json")
        let seen = try Echo(response.body)
        #expect(seen.method == "GET")
        #expect(seen.path == "/echo?q=shoes&page=2")
        #expect(seen.header("X-Trace") == "abc 123")
        #expect(seen.header("User-Agent") == "Storefleet/1")
        #expect(seen.header("Expect") == nil)
    }

    @Test func postSendsAFormWithNestedKeys() throws {
        let echo = try EchoServer()
        let client = try OutboundHTTPClient()
        let fields: FormFields = [
            "amount": 1999, "currency": "eur", "description": "Bob's café & bar",
            "metadata": ["order_id": "42"], "items": [["price": "p_1", "quantity": 2]],
        ]
        let response = try client.send(.form(url: echo.baseURL + "/echo", fields: fields))
        let seen = try Echo(response.body)
        #expect(seen.method == "POST")
        #expect(seen.header("Content-Type") == "application/x-www-form-urlencoded")
        #expect(seen.body == "amount=1999&currency=eur&description=Bob%27s+caf%C3%A9+%26+bar"
            + "&metadata%5Border_id%5D=42&items%5B0%5D%5Bprice%5D=p_1&items%5B0%5D%5Bquantity%5D=2")
    }

    @Test(arguments: [OutboundRequest.Method.put, .patch, .delete])
    func otherMethodsCarryTheirBody(method: OutboundRequest.Method) throws {
        let echo = try EchoServer()
        let client = try OutboundHTTPClient()
        let large = String(repeating: "0123456789", count: 300)    // over libcurl's Expect threshold
        let response = try client.send(OutboundRequest(method, url: echo.baseURL + "/echo",
                                                       headers: [("Content-Type", "text/plain")],
                                                       body: Array(large.utf8)))
        let seen = try Echo(response.body)
        #expect(seen.method == method.rawValue)
        #expect(seen.body == large)
    }

    @Test func binaryBodiesAreSentWhole() throws {
        let echo = try EchoServer()
        let body: [UInt8] = [0x00, 0x41, 0x00, 0x42, 0x0D, 0x0A, 0x00]
        let response = try OutboundHTTPClient().send(OutboundRequest(.post, url: echo.baseURL + "/echo",
                                                                     headers: [("Content-Type", "application/octet-stream")],
                                                                     body: body))
        #expect(try Echo(response.body).body == "\0A\0B\r\n\0")
    }

    @Test func headHasNoBody() throws {
        let echo = try EchoServer()
        let response = try OutboundHTTPClient().send(OutboundRequest(.head, url: echo.baseURL + "/bytes/100"))
        #expect(response.status == 200)
        #expect(response.header("Content-Length") == "100")
        #expect(response.body.isEmpty)
    }

    @Test func errorStatusesAreResponsesNotErrors() throws {
        let echo = try EchoServer()
        let client = try OutboundHTTPClient()
        for status in [400, 402, 404, 500, 503] {
            let response = try client.send(OutboundRequest(url: echo.baseURL + "/status/\(status)"))
            #expect(response.status == status)
            #expect(response.text == "status \(status)")
            #expect(!response.isSuccess)
        }
    }

    @Test func basicAndBearerAuthorization() throws {
        let echo = try EchoServer()
        let client = try OutboundHTTPClient()
        let basic = try Echo(client.send(OutboundRequest(url: echo.baseURL + "/echo",
                                                         authorization: .basic(username: "sk_test_123", password: ""))).body)
        #expect(basic.header("Authorization") == "Basic " + Data("sk_test_123:".utf8).base64EncodedString())
        let bearer = try Echo(client.send(OutboundRequest(url: echo.baseURL + "/echo", authorization: .bearer("tok_abc"))).body)
        #expect(bearer.header("Authorization") == "Bearer tok_abc")
    }

    @Test func redirectsAreNotFollowedUnlessAsked() throws {
        let echo = try EchoServer()
        let client = try OutboundHTTPClient()
        let stopped = try client.send(OutboundRequest(url: echo.baseURL + "/redirect"))
        #expect(stopped.status == 302)
        #expect(stopped.header("Location") == "/echo")
        let followed = try client.send(OutboundRequest(url: echo.baseURL + "/redirect", maxRedirects: 1))
        #expect(followed.status == 200)
        #expect(try Echo(followed.body).path == "/echo")
    }

    @Test func callsToTheSameHostReuseTheConnection() throws {
        let echo = try EchoServer()
        let client = try OutboundHTTPClient()
        let first = try Echo(client.send(OutboundRequest(url: echo.baseURL + "/echo")).body)
        let second = try Echo(client.send(.form(url: echo.baseURL + "/echo", fields: ["a": "b"])).body)
        #expect(first.client_port == second.client_port)
        // A second client has its own connection.
        let other = try Echo(OutboundHTTPClient().send(OutboundRequest(url: echo.baseURL + "/echo")).body)
        #expect(other.client_port != first.client_port)
    }

    @Test func aServerThatNeverAnswersTimesOutInBoundedTime() throws {
        let echo = try EchoServer()
        let client = try OutboundHTTPClient()
        let started = ContinuousClock.now
        #expect(throws: IntegrationError.timedOut(host: "127.0.0.1:\(echo.server.port)", milliseconds: 500)) {
            try client.send(OutboundRequest(url: echo.baseURL + "/silent?token=SECRET", timeout: .milliseconds(500)))
        }
        let elapsed = ContinuousClock.now - started
        #expect(elapsed >= .milliseconds(450) && elapsed < .seconds(3), "took \(elapsed)")
        // The handle is still usable after a timeout.
        #expect(try client.send(OutboundRequest(url: echo.baseURL + "/status/204")).status == 204)
    }

    @Test func nobodyListeningIsCouldNotConnect() throws {
        let port = try LocalServer.freePort()
        #expect(throws: IntegrationError.couldNotConnect(host: "127.0.0.1:\(port)")) {
            try OutboundHTTPClient().send(OutboundRequest(url: "http://127.0.0.1:\(port)/"))
        }
    }

    @Test func responsesOverTheLimitAreRefused() throws {
        let echo = try EchoServer()
        let client = try OutboundHTTPClient()
        let host = "127.0.0.1:\(echo.server.port)"
        #expect(try client.send(OutboundRequest(url: echo.baseURL + "/bytes/1000", maxResponseBytes: 1000)).body.count == 1000)
        // Announced with Content-Length ...
        #expect(throws: IntegrationError.responseTooLarge(host: host, limitBytes: 1000)) {
            try client.send(OutboundRequest(url: echo.baseURL + "/bytes/1001", maxResponseBytes: 1000))
        }
        // ... and discovered while reading a chunked body.
        #expect(throws: IntegrationError.responseTooLarge(host: host, limitBytes: 50_000)) {
            try client.send(OutboundRequest(url: echo.baseURL + "/chunked/200000", maxResponseBytes: 50_000))
        }
        #expect(try client.send(OutboundRequest(url: echo.baseURL + "/chunked/50000", maxResponseBytes: 50_000)).body.count == 50_000)
    }

    @Test func tlsCertificatesAreVerified() throws {
        let folder = try Checkout.temporaryFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let certificate = folder.appendingPathComponent("cert.pem").path
        let key = folder.appendingPathComponent("key.pem").path
        _ = try Checkout.run("/usr/bin/openssl", ["req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1",
                                                  "-subj", "/CN=127.0.0.1", "-addext", "subjectAltName=IP:127.0.0.1",
                                                  "-keyout", key, "-out", certificate])
        let echo = try EchoServer(tlsCertificate: certificate, tlsKey: key)
        #expect {
            try OutboundHTTPClient().send(OutboundRequest(url: echo.baseURL + "/echo"))
        } throws: { error in
            guard case .tls(let host, _) = error as? IntegrationError else { return false }
            return host == "127.0.0.1:\(echo.server.port)"
        }
    }

    @Test func badInputIsRefusedBeforeAnythingIsSent() throws {
        let client = try OutboundHTTPClient()
        #expect(throws: IntegrationError.self) { try client.send(OutboundRequest(url: "ftp://127.0.0.1/file")) }
        #expect(throws: IntegrationError.self) { try client.send(OutboundRequest(url: "/relative/path")) }
        #expect(throws: IntegrationError.invalidRequest(reason: "the value of header X-Evil contains a line break")) {
            try client.send(OutboundRequest(url: "http://127.0.0.1:1/", headers: [("X-Evil", "a\r\nHost: other")]))
        }
    }

    @Test func descriptionsShowNoSecrets() throws {
        let request = OutboundRequest(.post, url: "https://user:pw@api.example.test/v1/charges?key=SECRET",
                                      headers: [("X-Api-Key", "SECRET")], body: Array("card=SECRET".utf8),
                                      authorization: .bearer("SECRET"))
        #expect(String(describing: request) == "POST https://api.example.test")
        let errors: [IntegrationError] = [
            .timedOut(host: "api.example.test", milliseconds: 10),
            .transport(host: "api.example.test", curlCode: 56, summary: "Failure when receiving data from the peer"),
        ]
        for error in errors { #expect(!String(describing: error).contains("SECRET")) }
    }
}

@Suite("FormFields encoding")
struct FormFieldsTests {
    @Test func nestedKeysFlattenInBracketStyle() {
        let fields: FormFields = [
            "customer": "cus_1",
            "metadata": ["order_id": "42", "store": "demo"],
            "expand": ["customer", "invoice"],
            "lines": [["amount": 100, "tax": ["rate": "19"]], ["amount": 50]],
            "capture": false,
        ]
        let flat = fields.flattened().map { "\($0.key)=\($0.value)" }
        #expect(flat == [
            "customer=cus_1", "metadata[order_id]=42", "metadata[store]=demo",
            "expand[0]=customer", "expand[1]=invoice",
            "lines[0][amount]=100", "lines[0][tax][rate]=19", "lines[1][amount]=50", "capture=false",
        ])
    }

    @Test func valuesArePercentEncodedAsBrowsersDo() {
        #expect(FormFields.percentEncode("a b+c&d=e/ü~*") == "a+b%2Bc%26d%3De%2F%C3%BC%7E*")
        #expect((["k": "v", "e": ""] as FormFields).encoded() == "k=v&e=")
    }
}
