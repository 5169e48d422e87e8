import Foundation
import Testing
import TestSupport

/// What nginx itself decides, seen from outside: static files, limits, headers, and which host
/// reaches which site. These share one nginx and one `storefleet serve`, so they run one at a time.
extension ThroughTheStack {
@Suite("Through nginx")
struct NginxTests {
    static let customDomain = "shop.example.com"

    @Test("public/ is served at /assets/ on every kind of host", arguments: ["platform", "store", "custom"])
    func staticFileFromPublic(kind: String) throws {
        guard let stack = stackOrRecordIssue() else { return }
        let host = try Self.host(kind, stack)
        let expected = try Data(contentsOf: URL(fileURLWithPath: StackEnvironment.packageRoot() + "/public/assets/storefleet.css"))

        let response = try RawHTTPClient.request(port: stack.httpPort(), target: "/assets/storefleet.css", host: host)

        #expect(response.status == 200)
        #expect(response.header("Content-Type")?.hasPrefix("text/css") == true)
        #expect(response.body == [UInt8](expected))
    }

    @Test("A theme's assets/ folder is served at /assets/themes/<name>/, its Liquid source is not")
    func themeAssets() throws {
        guard let stack = stackOrRecordIssue() else { return }
        let port = try stack.httpPort()
        let host = try Self.host("store", stack)
        let css = try Data(contentsOf: URL(fileURLWithPath: StackEnvironment.packageRoot() + "/templates/themes/atelier/assets/theme.css"))

        let served = try RawHTTPClient.request(port: port, target: "/assets/themes/atelier/theme.css", host: host)
        #expect(served.status == 200)
        #expect(served.body == [UInt8](css))

        for target in ["/assets/themes/atelier/layout/theme.liquid",
                       "/assets/themes/atelier/../atelier/layout/theme.liquid",
                       "/assets/themes/atelier/%2e%2e/layout/theme.liquid",
                       "/assets/themes/atelier/..%2Flayout%2Ftheme.liquid"] {
            let response = try RawHTTPClient.request(port: port, target: target, host: host)
            #expect(response.status == 404, "\(target)")
            #expect(!response.text.contains("{{"), "\(target)")
        }
    }

    @Test("A missing static file is a 404 from nginx, not a trip to the app")
    func missingStaticFile() throws {
        guard let stack = stackOrRecordIssue() else { return }
        let response = try RawHTTPClient.request(
            port: stack.httpPort(), target: "/assets/no-such-file.css", host: try stack.platformDomain())
        #expect(response.status == 404)
    }

    @Test("Every host sends nosniff and a referrer policy, and hides nginx's version",
          arguments: ["platform", "store", "custom"])
    func commonSecurityHeaders(kind: String) throws {
        guard let stack = stackOrRecordIssue() else { return }
        let response = try RawHTTPClient.request(
            port: stack.httpPort(), target: "/assets/storefleet.css", host: try Self.host(kind, stack))

        #expect(response.header("X-Content-Type-Options") == "nosniff")
        #expect(response.header("Referrer-Policy") == "strict-origin-when-cross-origin")
        #expect(response.header("Server") == "nginx")
    }

    @Test("The platform host cannot be framed, on error pages too")
    func platformHostRefusesFraming() throws {
        guard let stack = stackOrRecordIssue() else { return }
        for target in ["/assets/storefleet.css", "/assets/no-such-file.css"] {
            let response = try RawHTTPClient.request(port: stack.httpPort(), target: target, host: try stack.platformDomain())
            #expect(response.header("X-Frame-Options") == "DENY", "\(target)")
            #expect(response.header("Content-Security-Policy") == "frame-ancestors 'none'", "\(target)")
        }
    }

    @Test("No header is sent twice: nginx's headers and the app's do not overlap",
          arguments: ["platform", "store", "custom"])
    func noDuplicateHeaders(kind: String) throws {
        guard let stack = stackOrRecordIssue() else { return }
        // Two X-Frame-Options that disagree make browsers ignore both.
        let response = try RawHTTPClient.request(port: stack.httpPort(), target: "/", host: try Self.host(kind, stack))
        let names = response.headers.map { $0.name.lowercased() }.filter { $0 != "set-cookie" }
        let repeated = Set(names.filter { name in names.filter { $0 == name }.count > 1 })
        #expect(repeated.isEmpty, "sent more than once: \(repeated.sorted())")
    }

    @Test("A body over 20 MB is refused by nginx with 413 and a plain page")
    func oversizedBody() throws {
        guard let stack = stackOrRecordIssue() else { return }
        for kind in ["platform", "store"] {
            let response = try RawHTTPClient.request(
                port: stack.httpPort(), method: "POST", target: "/", host: try Self.host(kind, stack),
                headers: [("Content-Type", "application/octet-stream"), ("Content-Length", "25000000")],
                body: Array(repeating: 0x61, count: 64 * 1024))

            #expect(response.status == 413, "\(kind)")
            #expect(response.text.contains("too large"), "\(kind)")
            #expect(!response.text.contains("nginx/"), "\(kind)")
        }
    }

    @Test("GET /healthz reaches a worker through nginx")
    func healthz() throws {
        guard let stack = stackOrRecordIssue() else { return }
        let response = try RawHTTPClient.request(port: stack.httpPort(), target: "/healthz", host: try stack.platformDomain())
        #expect(response.status == 200)
    }

    @Test("localhost and 127.0.0.1 are the platform host, with or without the port")
    func localAliasesReachThePlatform() throws {
        guard let stack = stackOrRecordIssue() else { return }
        let port = try stack.httpPort()
        let platform = try RawHTTPClient.request(port: port, target: "/", host: try stack.platformDomain())
        #expect(platform.status == 200)

        for alias in ["localhost", "127.0.0.1", "localhost:\(port)", "127.0.0.1:\(port)"] {
            let response = try RawHTTPClient.request(port: port, target: "/", host: alias)
            #expect(response.status == platform.status, "Host: \(alias)")
            #expect(response.header("X-Frame-Options") == "DENY", "Host: \(alias) gets the platform's headers")
        }
    }

    @Test("An unknown host gets the app's friendly 404 page", arguments: ["no-such-store", "custom"])
    func unknownHost(kind: String) throws {
        guard let stack = stackOrRecordIssue() else { return }
        let host = kind == "custom" ? "unknown-\(UUID().uuidString.prefix(8).lowercased()).example.org"
            : "no-such-store-\(UUID().uuidString.prefix(8).lowercased()).\(try stack.platformDomain())"

        let response = try RawHTTPClient.request(port: stack.httpPort(), target: "/", host: host)

        #expect(response.status == 404)
        #expect(response.header("Content-Type")?.hasPrefix("text/html") == true)
        #expect(response.text.lowercased().contains("<html"))
        #expect(!response.text.contains("nginx"))
    }

    @Test("A query string that is not UTF-8 is a 400 from the app")
    func invalidUTF8Query() throws {
        guard let stack = stackOrRecordIssue() else { return }
        let response = try RawHTTPClient.request(port: stack.httpPort(), target: "/?q=%FF%FE", host: try stack.platformDomain())
        #expect(response.status == 400)
    }

    /// A host of each kind nginx tells apart: the platform host, a store subdomain, anything else.
    static func host(_ kind: String, _ stack: StackEnvironment) throws -> String {
        switch kind {
        case "platform": try stack.platformDomain()
        case "store": "demo." + (try stack.platformDomain())
        default: customDomain
        }
    }
}
}
