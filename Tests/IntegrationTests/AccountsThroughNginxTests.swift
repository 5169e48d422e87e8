import Crypto
import Foundation
import Glibc
import Testing
import TestSupport

/// A merchant's account through nginx and the stack's workers: sign up, the verification mail
/// delivered by the stack's `storefleet jobs` over SMTP to the real catcher, the link followed,
/// log in. And a form without its CSRF token refused on the way.
extension ThroughTheStack {
@Suite("Accounts through nginx")
struct AccountsThroughNginxTests {
    /// Cookies and the last page's `_csrf` over `RawHTTPClient`.
    final class Browser {
        let port: Int
        let host: String
        var cookies: [String: String] = [:]
        var csrf = ""

        init(port: Int, host: String) {
            self.port = port
            self.host = host
        }

        @discardableResult
        func send(_ method: String, _ target: String, form: [(String, String)]? = nil, withCSRF: Bool = true) throws -> RawHTTPResponse {
            var headers: [(String, String)] = []
            if !cookies.isEmpty { headers.append(("Cookie", cookies.map { "\($0.key)=\($0.value)" }.joined(separator: "; "))) }
            var body: [UInt8] = []
            if let form {
                headers.append(("Content-Type", "application/x-www-form-urlencoded"))
                let fields = (withCSRF ? [("_csrf", csrf)] : []) + form
                body = Array(fields.map { Browser.encode($0.0) + "=" + Browser.encode($0.1) }.joined(separator: "&").utf8)
            }
            let response = try RawHTTPClient.request(port: port, method: method, target: target, host: host,
                                                     headers: headers, body: body)
            for (name, value) in response.headers where name.lowercased() == "set-cookie" {
                let pair = value.split(separator: ";", maxSplits: 1)[0]
                guard let eq = pair.firstIndex(of: "=") else { continue }
                let key = String(pair[..<eq]), v = String(pair[pair.index(after: eq)...])
                cookies[key] = value.contains("Max-Age=0") || v.isEmpty ? nil : v
            }
            if let r = response.text.range(of: "name=\"_csrf\" value=\"") {
                csrf = String(response.text[r.upperBound...].prefix { $0 != "\"" })
            }
            return response
        }

        static func encode(_ s: String) -> String {
            var allowed = CharacterSet.alphanumerics
            allowed.insert(charactersIn: "-._~")
            return s.addingPercentEncoding(withAllowedCharacters: allowed) ?? s
        }
    }

    /// The path of the first `/verify-email/` link in a caught mail to `address`, waiting up to
    /// `seconds` for the job runner and the catcher (index.jsonl, then `<id>.eml`).
    static func verificationLink(mailDir: String, to address: String, seconds: Double) -> String? {
        let deadline = ContinuousClock.now + .seconds(seconds)
        repeat {
            let index = (try? String(contentsOfFile: mailDir + "/index.jsonl", encoding: .utf8)) ?? ""
            for line in index.split(separator: "\n").reversed() where line.contains("\"\(address)\"") {
                guard let object = try? JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any],
                      let file = object["file"] as? String,
                      let raw = try? String(contentsOfFile: mailDir + "/" + file, encoding: .utf8) else { continue }
                // Quoted-printable: soft line breaks joined, `=3D` back to `=`.
                let text = raw.replacingOccurrences(of: "=\r\n", with: "").replacingOccurrences(of: "=\n", with: "")
                    .replacingOccurrences(of: "=3D", with: "=")
                guard let start = text.range(of: "/verify-email/") else { continue }
                let token = text[start.upperBound...].prefix { $0.isLetter || $0.isNumber || $0 == "-" || $0 == "_" }
                return "/verify-email/" + token
            }
            var pause = timespec(tv_sec: 0, tv_nsec: 100_000_000)
            nanosleep(&pause, nil)
        } while ContinuousClock.now < deadline
        return nil
    }

    @Test("Sign up, verify from the caught mail, log in")
    func signUpVerifyLogIn() throws {
        guard let stack = stackOrRecordIssue() else { return }
        let browser = Browser(port: try stack.httpPort(), host: try stack.platformDomain())
        let email = "it-account-\(Hex.encode(SecureRandom.bytes(5)))@example.com"
        let password = "correct horse battery"

        #expect(try browser.send("GET", "/signup").status == 200)
        let refused = try browser.send("POST", "/signup", form: [("name", "IT"), ("email", email), ("password", password)], withCSRF: false)
        #expect(refused.status == 403)
        let signedUp = try browser.send("POST", "/signup", form: [("name", "Ines Tester"), ("email", email), ("password", password)])
        #expect(signedUp.status == 303)
        #expect(signedUp.header("Location") == "/signup/check-email")

        let link = try #require(Self.verificationLink(mailDir: try stack.value("STOREFLEET_MAIL_DIR"), to: email, seconds: 20),
                                "the stack's job runner delivers the verification mail to the SMTP catcher")
        let verified = try browser.send("GET", link)
        #expect(verified.status == 303)
        #expect(verified.header("Location") == "/login?next=%2Fstores")

        #expect(try browser.send("GET", "/login?next=%2Fstores").text.contains("Your email address is confirmed"))
        let loggedIn = try browser.send("POST", "/login", form: [("email", email), ("password", password), ("next", "/stores")])
        #expect(loggedIn.status == 303)
        #expect(loggedIn.header("Location") == "/stores")
        let session = try #require(loggedIn.headers.first { $0.value.hasPrefix("sf_session=") }?.value)
        #expect(session.contains("HttpOnly") && session.contains("SameSite=Lax"))
        let stores = try browser.send("GET", "/stores")
        #expect(stores.status == 200)
        #expect(stores.text.contains("Log out"))
    }
}
}
