import Foundation
import Testing
import TestSupport

/// Shopping feed files as nginx serves them (nginx/snippets/static.conf): the right token gets the
/// file with ETag and Last-Modified (and a 304 when unchanged), anything else a 404.
extension ThroughTheStack {
@Suite("Shopping feeds through nginx")
struct FeedServingTests {
    @Test("A feed is served at its secret URL with validators; a wrong token is a 404")
    func feedFileAtItsToken() throws {
        guard let stack = stackOrRecordIssue() else { return }
        let port = try stack.httpPort()
        let host = "demo." + (try stack.platformDomain())
        let folder = try stack.value("STOREFLEET_DATA_DIR") + "/feeds"
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        let token = (0..<32).map { _ in "0123456789abcdef".randomElement()! }.map(String.init).joined()
        let path = folder + "/" + token + ".xml"
        let body = "<?xml version=\"1.0\"?><rss version=\"2.0\"><channel></channel></rss>\n"
        try body.write(toFile: path, atomically: true, encoding: .utf8)
        defer { try? FileManager.default.removeItem(atPath: path) }

        let served = try RawHTTPClient.request(port: port, target: "/feeds/\(token).xml", host: host)
        #expect(served.status == 200)
        #expect(served.text == body)
        #expect(served.header("Content-Type")?.hasPrefix("application/xml") == true)
        let etag = try #require(served.header("ETag"))
        #expect(served.header("Last-Modified") != nil)
        #expect(served.header("X-Content-Type-Options") == "nosniff")

        let again = try RawHTTPClient.request(port: port, target: "/feeds/\(token).xml", host: host,
                                              headers: [("If-None-Match", etag)])
        #expect(again.status == 304)

        var wrong = Array(token)
        wrong[0] = wrong[0] == "a" ? "b" : "a"
        for target in ["/feeds/\(String(wrong)).xml", "/feeds/\(token).csv", "/feeds/\(token)", "/feeds/",
                       "/feeds/\(token.prefix(31)).xml", "/feeds/\(token).xml.bak"] {
            let response = try RawHTTPClient.request(port: port, target: target, host: host)
            #expect(response.status == 404, "\(target)")
            #expect(!response.text.contains("<rss"), "\(target)")
        }
    }
}
}
