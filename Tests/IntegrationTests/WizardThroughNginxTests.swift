import Crypto
import Foundation
import Glibc
import Postgres
import Registry
import Testing
import TestSupport

/// The store creation wizard through nginx and the stack's workers, with the stack's own
/// `storefleet jobs` running the provisioning job by itself: from the review page's submit to a
/// live storefront, waiting on the status JSON with a deadline.
extension ThroughTheStack {
@Suite("Store wizard through nginx")
struct WizardThroughNginxTests {
    /// A browser's cookies over `RawHTTPClient`.
    final class Browser {
        let port: Int
        let host: String
        var cookies: [String: String] = [:]
        let csrf: String

        init(port: Int, host: String, session: String, csrf: String) {
            self.port = port
            self.host = host
            self.csrf = csrf
            cookies["sf_session"] = session
        }

        @discardableResult
        func send(_ method: String, _ target: String, form: [(String, String)]? = nil, host: String? = nil) throws -> RawHTTPResponse {
            var headers: [(String, String)] = []
            if !cookies.isEmpty { headers.append(("Cookie", cookies.map { "\($0.key)=\($0.value)" }.joined(separator: "; "))) }
            var body: [UInt8] = []
            if let form {
                headers.append(("Content-Type", "application/x-www-form-urlencoded"))
                body = Array(([("_csrf", csrf)] + form).map { Browser.encode($0.0) + "=" + Browser.encode($0.1) }
                    .joined(separator: "&").utf8)
            }
            let response = try RawHTTPClient.request(port: port, method: method, target: target, host: host ?? self.host,
                                                     headers: headers, body: body)
            for (name, value) in response.headers where name.lowercased() == "set-cookie" {
                let pair = value.split(separator: ";", maxSplits: 1)[0]
                guard let eq = pair.firstIndex(of: "=") else { continue }
                let key = String(pair[..<eq]), v = String(pair[pair.index(after: eq)...])
                cookies[key] = value.contains("Max-Age=0") || v.isEmpty ? nil : v
            }
            return response
        }

        static func encode(_ s: String) -> String {
            var allowed = CharacterSet.alphanumerics
            allowed.insert(charactersIn: "-._~")
            return s.addingPercentEncoding(withAllowedCharacters: allowed) ?? s
        }
    }

    /// A verified merchant with an organization, and a session, made in the registry directly.
    static func merchant(_ stack: StackEnvironment) throws -> (session: String, csrf: String) {
        let owner = try Connection(url: try stack.value("STOREFLEET_REGISTRY_OWNER_URL"))
        let email = "wizard-it-\(UUID().uuidString.prefix(8).lowercased())@example.com"
        let user = try owner.queryFirst("""
            INSERT INTO users (email, name, password_hash) VALUES (\(email), 'Wizard IT', \(PasswordHasher.hash("correct horse battery")))
            RETURNING id
            """)!
        let userId: Int64 = try user.decode("id")
        _ = try owner.queryFirst("SELECT storefleet_create_organization('Wizard IT org', \(userId))")
        try owner.execute("UPDATE users SET email_verified_at = now() WHERE id = \(userId)")
        let (token, record) = try Sessions.create(owner, userId: userId)
        return (token, record.csrfToken)
    }

    static func fillWizard(_ browser: Browser, name: String, slug: String) throws {
        for (path, form) in [("/stores/new", [("name", name), ("subdomain", slug)]),
                             ("/stores/new/template", [("template", "atelier"), ("sample_data", "yes")]),
                             ("/stores/new/locale", [("country", "FR"), ("currency", "EUR"), ("timezone", "Europe/Paris"), ("language", "fr")]),
                             ("/stores/new/product", [("product_title", "Carafe"), ("product_price", "32")])] {
            let response = try browser.send("POST", path, form: form)
            #expect(response.status == 303, "\(path): \(response.text.prefix(300))")
        }
    }

    /// Polls the status JSON until it leaves `provisioning` (or 20 s pass): "active", "failed" or "".
    static func settledStatus(_ browser: Browser, slug: String) throws -> String {
        let deadline = ContinuousClock.now + .seconds(20)
        while ContinuousClock.now < deadline {
            let json = try browser.send("GET", "/store/\(slug)/setup/status").text
            if json.contains("\"status\":\"active\"") { return "active" }
            if json.contains("\"status\":\"failed\"") { return "failed" }
            var pause = timespec(tv_sec: 0, tv_nsec: 50_000_000)
            nanosleep(&pause, nil)
        }
        return ""
    }

    @Test("The wizard's last submit leads to a live storefront, provisioned by the stack's job runner")
    func wizardToLiveStorefront() throws {
        guard let stack = stackOrRecordIssue() else { return }
        let domain = try stack.platformDomain()
        let (session, csrf) = try WizardThroughNginxTests.merchant(stack)
        let browser = Browser(port: try stack.httpPort(), host: domain, session: session, csrf: csrf)
        let slug = StorefleetCLI.uniqueSlug("it-wizard")
        let name = "Wizard Store \(slug.suffix(8))"

        let check = try browser.send("GET", "/stores/new/check?subdomain=\(slug)")
        #expect(check.status == 200)
        #expect(check.text.contains("\"available\":true"))
        try WizardThroughNginxTests.fillWizard(browser, name: name, slug: slug)
        let review = try browser.send("GET", "/stores/new/review")
        #expect(review.status == 200)
        #expect(review.text.contains("Carafe — 32.00 EUR"))

        let created = try browser.send("POST", "/stores/new/review", form: [])
        #expect(created.status == 303)
        #expect(created.header("Location") == "/store/\(slug)/setup")
        let status = try WizardThroughNginxTests.settledStatus(browser, slug: slug)
        #expect(status == "active", "the stack's `storefleet jobs` provisions the store by itself")
        let storefront = try browser.send("GET", "/", host: "\(slug).\(domain)")
        #expect(storefront.status == 200)
        #expect(storefront.text.contains(name))
        #expect(try browser.send("GET", "/store/\(slug)/setup").header("Location") == "/store/\(slug)/admin")
    }

    @Test("A set-up that fails shows the failure and its Retry, which then succeeds")
    func wizardRetryAfterInjectedFailure() throws {
        guard let stack = stackOrRecordIssue() else { return }
        guard let injected = stack["STOREFLEET_FAIL_FIRST_PROVISION"], injected.hasPrefix("it-failonce-") else {
            withKnownIssue("stack.env has no STOREFLEET_FAIL_FIRST_PROVISION=it-failonce-:<step>: run scripts/stack.sh up test") {
                Issue.record("no failure injection in this stack")
            }
            return
        }
        let domain = try stack.platformDomain()
        let (session, csrf) = try WizardThroughNginxTests.merchant(stack)
        let browser = Browser(port: try stack.httpPort(), host: domain, session: session, csrf: csrf)
        let slug = StorefleetCLI.uniqueSlug("it-failonce")
        let name = "Retry Store \(slug.suffix(8))"
        try WizardThroughNginxTests.fillWizard(browser, name: name, slug: slug)
        #expect(try browser.send("POST", "/stores/new/review", form: []).status == 303)

        #expect(try WizardThroughNginxTests.settledStatus(browser, slug: slug) == "failed")
        let page = try browser.send("GET", "/store/\(slug)/setup")
        #expect(page.status == 200)
        #expect(page.text.contains("Something went wrong while"))
        #expect(page.text.contains(">Retry</button>"))
        #expect(try browser.send("GET", "/", host: "\(slug).\(domain)").status != 200, "a failed store is not live")

        let retried = try browser.send("POST", "/store/\(slug)/setup/retry", form: [])
        #expect(retried.status == 303)
        #expect(try WizardThroughNginxTests.settledStatus(browser, slug: slug) == "active")
        let storefront = try browser.send("GET", "/", host: "\(slug).\(domain)")
        #expect(storefront.status == 200)
        #expect(storefront.text.contains(name))
    }
}
}
