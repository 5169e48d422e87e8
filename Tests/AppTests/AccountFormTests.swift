import Crypto
import Foundation
import HTTP
import Postgres
import Registry
import Testing
@testable import App

/// Password reset, account changes and bad input on every account form.
@Suite("Account pages: forms")
struct AccountFormTests {
    static let password = "correct horse battery"

    @Test func resetLinksWorkOnceAndExpire() throws {
        let stack = try AppStack()
        let user = try stack.createUser()
        let other = try stack.signedInClient(userId: user.userId)
        let client = try stack.accountClient()
        _ = try client.get("/password/forgot")
        let asked = try client.post("/password/forgot", [("email", user.email.uppercased())])
        #expect(asked.status == .seeOther)
        let unknownEmail = AppStack.uniqueEmail("nobody")
        let unknown = try client.post("/password/forgot", [("email", unknownEmail)])
        #expect(unknown.status == asked.status && unknown.location == asked.location)
        #expect(try stack.queuedMail(to: unknownEmail).isEmpty)
        #expect(try client.get("/password/forgot").text.contains("If an account uses"))

        let link = try #require(try stack.linkPath(inMailTo: user.email, containing: "/password/reset/"))
        #expect(try client.get(link).status == .ok)
        let short = try client.post(link, [("password", "short")])
        #expect(short.status == .unprocessableContent)
        #expect(short.text.contains("Use at least 10 characters."))
        let done = try client.post(link, [("password", "a much better secret")])
        #expect(done.status == .seeOther)
        #expect(done.location == "/login")
        #expect(try client.post(link, [("password", "yet another secret")]).status == .gone, "a reset link works once")
        #expect(try other.get("/stores").status == .seeOther, "resetting signs every session out")
        _ = try client.get("/login")
        #expect(try client.post("/login", [("email", user.email), ("password", "a much better secret")]).location == "/stores")

        _ = try client.get("/password/forgot")
        #expect(try client.post("/password/forgot", [("email", user.email)]).status == .seeOther)
        let late = try #require(try stack.linkPath(inMailTo: user.email, containing: "/password/reset/"))
        #expect(late != link)
        let token = String(late.dropFirst("/password/reset/".count))
        try stack.ownerConnection().execute("""
            UPDATE account_tokens SET expires_at = now() - interval '1 second' WHERE token_hash = \(SHA256Digest.hash(token))
            """)
        #expect(try client.get(late).status == .gone)
        #expect(try stack.auditActions(userId: user.userId).contains("account.password_reset"))
    }

    @Test func resetMailIsLimitedToFiveAnHourWithTheSameAnswer() throws {
        let stack = try AppStack()
        let user = try stack.createUser()
        let client = try stack.accountClient()
        _ = try client.get("/password/forgot")
        for _ in 0..<7 {
            let response = try client.post("/password/forgot", [("email", user.email)])
            #expect(response.status == .seeOther && response.location == "/password/forgot")
        }
        #expect(try stack.queuedMail(to: user.email).count == 5)
    }

    @Test func changingEmailWaitsForTheNewAddressAndPasswordSignsOthersOut() throws {
        let stack = try AppStack()
        let user = try stack.createUser()
        let client = try stack.signedInClient(userId: user.userId)
        let other = try stack.signedInClient(userId: user.userId)
        _ = try client.get("/account")
        let newEmail = AppStack.uniqueEmail("moved")
        let wrong = try client.post("/account/email", [("email", newEmail), ("current_password", "nope")])
        #expect(wrong.status == .unprocessableContent)
        #expect(wrong.text.contains("That password isn’t right."))
        #expect(try stack.user(email: user.email)?.pendingEmail == nil)
        let asked = try client.post("/account/email", [("email", newEmail), ("current_password", Self.password)])
        #expect(asked.status == .seeOther)
        #expect(try stack.user(email: user.email)?.pendingEmail == newEmail)
        let link = try #require(try stack.linkPath(inMailTo: newEmail, containing: "/verify-email/"))
        #expect(try client.get(link).location == "/account")
        #expect(try stack.user(email: newEmail) != nil && stack.user(email: user.email) == nil)
        #expect(try stack.queuedMail(to: user.email).first?.kind == "security_notice", "the old address hears of it")

        let changed = try client.post("/account/password", [("current_password", Self.password), ("new_password", "another long secret")])
        #expect(changed.status == .seeOther)
        #expect(try client.get("/account").status == .ok)
        #expect(try other.get("/account").status == .seeOther)
        #expect(try stack.auditActions(userId: user.userId).suffix(3)
            == ["account.email_change_requested", "account.email_changed", "account.password_changed"])
    }

    /// Each form with bad input: 422, the error next to its field, nothing saved.
    @Test func badInputOnEveryFormIsRefusedWithFieldErrors() throws {
        let stack = try AppStack()
        let anonymous = try stack.accountClient()
        _ = try anonymous.get("/signup")
        let taken = AppStack.uniqueEmail("bad")
        let longName = String(repeating: "n", count: 101)
        let cases: [(String, [(String, String)], [String])] = [
            ("/signup", [("name", ""), ("email", ""), ("password", "")], ["name-error", "email-error", "password-error"]),
            ("/signup", [("name", longName), ("email", taken), ("password", Self.password)], ["name-error"]),
            ("/signup", [("name", "Ana"), ("email", "<script>alert(1)</script>"), ("password", Self.password)], ["email-error"]),
            ("/signup", [("name", "Ana"), ("email", taken), ("password", "short")], ["password-error"]),
            ("/signup", [("name", "Ana\u{7}"), ("email", taken), ("password", Self.password)], ["name-error"]),
            ("/login", [("email", ""), ("password", "")], ["email-error", "password-error"]),
            ("/password/forgot", [("email", "not an email")], ["email-error"]),
        ]
        for (path, fields, errorIds) in cases {
            let response = try anonymous.post(path, fields)
            #expect(response.status == .unprocessableContent, "\(path) \(fields)")
            for id in errorIds {
                #expect(Self.errorText(response.text, id: id)?.isEmpty == false, "\(path): no message in #\(id)")
            }
            #expect(!response.text.contains("<script>alert(1)</script>"), "input is shown as text")
        }
        #expect(try stack.user(email: taken) == nil, "no bad sign-up was saved")

        let user = try stack.createUser(name: "Kept Name")
        let client = try stack.signedInClient(userId: user.userId)
        _ = try client.get("/account")
        let before = try #require(try stack.user(email: user.email))
        let signedInCases: [(String, [(String, String)], [String])] = [
            ("/account/profile", [("name", "  ")], ["profile-name-error"]),
            ("/account/profile", [("name", longName)], ["profile-name-error"]),
            ("/account/email", [("email", "nope"), ("current_password", Self.password)], ["new-email-error"]),
            ("/account/email", [("email", user.email), ("current_password", Self.password)], ["new-email-error"]),
            ("/account/email", [("email", AppStack.uniqueEmail()), ("current_password", "")], ["email-current-password-error"]),
            ("/account/password", [("current_password", Self.password), ("new_password", "short")], ["new-password-error"]),
            ("/account/password", [("current_password", "wrong"), ("new_password", "long enough password")], ["password-current-password-error"]),
            ("/account/two-factor/enable", [("code", "12ab")], ["code-error"]),
            ("/account/two-factor/enable", [("code", "")], ["code-error"]),
        ]
        for (path, fields, errorIds) in signedInCases {
            if path.hasPrefix("/account/two-factor") { _ = try client.get("/account/two-factor") }
            let response = try client.post(path, fields)
            #expect(response.status == .unprocessableContent, "\(path) \(fields)")
            for id in errorIds {
                #expect(Self.errorText(response.text, id: id)?.isEmpty == false, "\(path): no message in #\(id)")
            }
        }
        let after = try #require(try stack.user(email: user.email))
        #expect(after.name == before.name && after.passwordHash == before.passwordHash && after.pendingEmail == nil)
        #expect(try Users.find(try stack.ownerConnection(), id: user.userId)?.totpEnabled == false)
    }

    @Test func devMailListsCaughtMailOnlyWhenEnabled() throws {
        var stack = try AppStack()
        let folder = NSTemporaryDirectory() + "sf-devmail-" + Hex.encode(SecureRandom.bytes(4))
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let eml = "From: Storefleet <no-reply@storefleet.localhost>\r\nTo: ana@example.com\r\nSubject: Reset\r\nContent-Type: text/plain; charset=utf-8\r\n\r\nOpen http://storefleet.localhost/password/reset/abc?x=1&y=<2> now.\r\n"
        try eml.write(toFile: folder + "/m1.eml", atomically: true, encoding: .utf8)
        try #"{"id":"m1","file":"m1.eml","received_at":"2026-11-25T17:01:02.123Z","mail_from":"no-reply@storefleet.localhost","rcpt_tos":["ana@example.com"],"subject":"Reset"}"#
            .write(toFile: folder + "/index.jsonl", atomically: true, encoding: .utf8)

        stack.config.environment["STOREFLEET_MAIL_DIR"] = folder
        stack.config.environment["STOREFLEET_DEV_MAIL"] = "1"
        let on = WebClient(handler: try stack.handler(), host: stack.platformDomain)
        let list = try on.get("/dev/mail")
        #expect(list.status == .ok)
        #expect(list.text.contains("href=\"/dev/mail/m1\""))
        let message = try on.get("/dev/mail/m1")
        #expect(message.status == .ok)
        #expect(message.text.contains("<a href=\"http://storefleet.localhost/password/reset/abc?x=1&amp;y=\">"))
        #expect(message.text.contains("&lt;2&gt;"))
        #expect(try on.get("/dev/mail/..%2Findex.jsonl").status == .notFound)

        stack.config.environment["STOREFLEET_DEV_MAIL"] = nil
        let off = WebClient(handler: try stack.handler(), host: stack.platformDomain)
        #expect(try off.get("/dev/mail").status == .notFound)
        #expect(try off.get("/dev/mail/m1").status == .notFound)
    }

    /// The text of `<p class="field-error" id="ID">…</p>`.
    static func errorText(_ html: String, id: String) -> String? {
        guard let r = html.range(of: "id=\"\(id)\">") else { return nil }
        return String(html[r.upperBound...].prefix { $0 != "<" }).trimmingCharacters(in: .whitespaces)
    }
}
