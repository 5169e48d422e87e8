import Foundation
import HTTP
import TestSupport
import Testing
@testable import App

@Suite struct ServerErrorTests {
    /// A copy of templates/ whose platform home fails while rendering.
    func brokenTemplates() throws -> String {
        let dir = FileManager.default.temporaryDirectory.path + "/sf-app-broken-\(RequestID.generate())"
        try FileManager.default.copyItem(atPath: StackEnvironment.packageRoot() + "/templates", toPath: dir)
        try "{{ 'secret-internal-detail' | append: 1 | divided_by: 0 }}"
            .write(toFile: dir + "/platform/home.liquid", atomically: true, encoding: .utf8)
        return dir
    }

    @Test func a500PageShowsNoInternalsButTheRequestId() throws {
        guard var stack = try AppStack.required() else { return }
        let templates = try brokenTemplates()
        defer { try? FileManager.default.removeItem(atPath: templates) }
        stack.config.templateDirectory = templates
        let handle = try stack.handler()
        let response = handle(try get("/", host: stack.platformDomain, headers: [("X-Request-Id", "broken-page-0001")]))
        #expect(response.status == .internalServerError)
        #expect(response.text.contains("Something went wrong"))
        #expect(response.text.contains("broken-page-0001"))        // so support can find the log line
        for secret in ["secret-internal-detail", "divided", "home.liquid", "Liquid"] {
            #expect(!response.text.contains(secret), "the 500 page shows \(secret)")
        }
        #expect(response.headers["Cache-Control"] == "no-store")
    }

    @Test func unsupportedMethodIs405WithAllow() throws {
        guard let stack = try AppStack.required() else { return }
        let handle = try stack.handler()
        let response = handle(try Request(method: .post, uri: "/", host: stack.platformDomain))
        #expect(response.status == .methodNotAllowed)
        #expect(response.headers["Allow"]?.contains("GET") == true)
    }
}
