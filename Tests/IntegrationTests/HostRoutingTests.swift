import Foundation
import Testing
import TestSupport

/// Which store a request reaches, decided by its Host header, through nginx and real workers.
/// Stores are provisioned with the stack's own `storefleet` executable, one on each server.
extension ThroughTheStack {
@Suite("Host routing through nginx")
struct HostRoutingTests {
    @Test("A store on each database server is served on its subdomain")
    func storesOnBothServers() throws {
        guard let stack = stackOrRecordIssue() else { return }
        let cli = StorefleetCLI(stack: stack)
        let port = try stack.httpPort()
        let domain = try stack.platformDomain()

        for server in ["server1", "server2"] {
            let slug = StorefleetCLI.uniqueSlug("it-\(server)")
            let name = "Integration \(server) \(slug.suffix(8))"
            let output = try cli.run("provision", "--slug", slug, "--name", name, "--server", server, "--sample-data")
            #expect(output.contains("on \(server)"), "\(output)")

            let response = try RawHTTPClient.request(port: port, target: "/", host: "\(slug).\(domain)")
            #expect(response.status == 200, "\(server)")
            #expect(response.text.contains(name), "\(server): the page shows the store's own name")
        }
    }

    @Test("Hosts are normalised: case, a port and a trailing dot reach the same store")
    func normalisedHosts() throws {
        guard let stack = stackOrRecordIssue() else { return }
        let cli = StorefleetCLI(stack: stack)
        let port = try stack.httpPort()
        let domain = try stack.platformDomain()
        let slug = StorefleetCLI.uniqueSlug("it-case")
        let name = "Case \(slug.suffix(8))"
        try cli.run("provision", "--slug", slug, "--name", name)

        for host in ["\(slug).\(domain)".uppercased(), "\(slug).\(domain).", "\(slug).\(domain):\(port)"] {
            let response = try RawHTTPClient.request(port: port, target: "/", host: host)
            #expect(response.status == 200, "Host: \(host)")
            #expect(response.text.contains(name), "Host: \(host)")
        }
    }

    @Test("A verified custom domain reaches its store through nginx's default server")
    func customDomain() throws {
        guard let stack = stackOrRecordIssue() else { return }
        let cli = StorefleetCLI(stack: stack)
        let slug = StorefleetCLI.uniqueSlug("it-domain")
        let name = "Domain \(slug.suffix(8))"
        let host = "shop-\(slug.suffix(8)).example.com"
        try cli.run("provision", "--slug", slug, "--name", name)
        try cli.run("domains", "add", "--store", slug, host, "--verified")

        let response = try RawHTTPClient.request(port: try stack.httpPort(), target: "/", host: host)

        #expect(response.status == 200)
        #expect(response.text.contains(name))
    }

    @Test("A store suspended a moment ago answers 503 at once, and serves again when resumed")
    func suspendedStore() throws {
        guard let stack = stackOrRecordIssue() else { return }
        let cli = StorefleetCLI(stack: stack)
        let port = try stack.httpPort()
        let slug = StorefleetCLI.uniqueSlug("it-suspend")
        let host = "\(slug).\(try stack.platformDomain())"
        try cli.run("provision", "--slug", slug, "--name", "Suspend \(slug.suffix(8))")
        // Warm every worker's host cache, so the 503 below proves the cache was invalidated.
        for _ in 0..<6 {
            #expect(try RawHTTPClient.request(port: port, target: "/", host: host).status == 200)
        }

        try cli.run("stores", "suspend", slug)
        for _ in 0..<6 {
            let response = try RawHTTPClient.request(port: port, target: "/", host: host)
            #expect(response.status == 503)
            #expect(!response.text.contains("nginx"))
        }

        try cli.run("stores", "resume", slug)
        for _ in 0..<6 {
            #expect(try RawHTTPClient.request(port: port, target: "/", host: host).status == 200)
        }
    }

    @Test("A malformed Host header is a 400", arguments: [
        "a..b.storefleet.localhost", "bad_host.storefleet.localhost", "-x-.storefleet.localhost",
        "demo.storefleet.localhost:abc", "caf\u{e9}.example", "a%2fb.example",
    ])
    func malformedHost(host: String) throws {
        guard let stack = stackOrRecordIssue() else { return }
        let response = try RawHTTPClient.request(port: try stack.httpPort(), target: "/", host: host)
        #expect(response.status == 400)
    }
}
}
