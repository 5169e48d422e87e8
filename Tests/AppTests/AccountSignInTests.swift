import Crypto
import Foundation
import HTTP
import Postgres
import Registry
import Testing
@testable import App

/// Sign-up, verification, log-in (with and without a second factor), log-out, throttling,
/// CSRF and sessions, through the in-process handler over the real registry.
@Suite("Account pages: signing in")
struct AccountSignInTests {
    static let password = "correct horse battery"

    @Test func signUpVerifyLogInLogOut() throws {
        let stack = try AppStack()
        let client = try stack.accountClient()
        let email = AppStack.uniqueEmail("signup")
        #expect(try client.get("/signup").status == .ok)
        let signedUp = try client.post("/signup", [("name", "Ana <b>Shop</b>"), ("email", email.uppercased()), ("password", Self.password)])
        #expect(signedUp.status == .seeOther)
        #expect(signedUp.location == "/signup/check-email")
        #expect(client.cookies["sf_session"] == nil, "signing up does not sign in")
        let user = try #require(try stack.user(email: email))
        #expect(!user.verified)

        let link = try #require(try stack.linkPath(inMailTo: email, containing: "/verify-email/"))
        #expect(try client.send(.head, link, body: [], contentType: nil).status == .ok)
        #expect(try stack.user(email: email)?.verified == false, "a HEAD request (a mail scanner) does not use the link")
        let verified = try client.get(link)
        #expect(verified.status == .seeOther)
        #expect(verified.location == "/login?next=%2Fstores")
        #expect(try stack.user(email: email)?.verified == true)
        let login = try client.get("/login?next=%2Fstores")
        #expect(login.text.contains("Your email address is confirmed"))
        #expect(try client.get(link).status == .gone, "a verification link works once")

        let loggedIn = try client.post("/login", [("email", email), ("password", Self.password), ("next", "/stores")])
        #expect(loggedIn.status == .seeOther)
        #expect(loggedIn.location == "/stores")
        let stores = try client.get("/stores")
        #expect(stores.status == .ok)
        #expect(stores.text.contains("Log out"))

        let account = try client.get("/account")
        #expect(account.text.contains("Ana &lt;b&gt;Shop&lt;/b&gt;"), "markup in a name is text")
        #expect(!account.text.contains("<b>Shop</b>"))

        let out = try client.post("/logout", [])
        #expect(out.status == .seeOther)
        #expect(try client.get("/stores").status == .seeOther)
        #expect(try stack.auditActions(userId: user.id)
            == ["account.signed_up", "account.email_verified", "account.logged_in", "account.logged_out"])
    }

    @Test func signingUpWithATakenAddressLooksTheSameAndMailsItsOwner() throws {
        let stack = try AppStack()
        let existing = try stack.createUser(name: "Owner Person")
        let client = try stack.accountClient()
        _ = try client.get("/signup")
        let response = try client.post("/signup", [("name", "Someone Else"), ("email", existing.email), ("password", "another good password")])
        #expect(response.status == .seeOther)
        #expect(response.location == "/signup/check-email")
        #expect(try stack.queuedMail(to: existing.email).first?.kind == "signup_existing")
        #expect(try stack.user(email: existing.email)?.name == "Owner Person")
    }

    @Test func wrongPasswordAndUnknownEmailGetTheSameAnswer() throws {
        let stack = try AppStack()
        let user = try stack.createUser()
        let client = try stack.accountClient()
        _ = try client.get("/login")
        let wrong = try client.post("/login", [("email", user.email), ("password", "not the password")])
        let unknown = try client.post("/login", [("email", AppStack.uniqueEmail("nobody")), ("password", "not the password")])
        #expect(wrong.status == .unprocessableContent)
        #expect(unknown.status == wrong.status)
        let message = "That email and password don’t match an account."
        #expect(wrong.text.contains(message) && unknown.text.contains(message))
        #expect(wrong.text.replacingOccurrences(of: user.email, with: "X")
            == unknown.text.replacingOccurrences(of: try #require(Self.refilledEmail(unknown.text)), with: "X"))
        #expect(client.cookies["sf_session"] == nil)
    }

    static func refilledEmail(_ html: String) -> String? {
        guard let r = html.range(of: "name=\"email\" type=\"email\"") else { return nil }
        let after = html[r.upperBound...]
        guard let v = after.range(of: "value=\"") else { return nil }
        return String(after[v.upperBound...].prefix { $0 != "\"" })
    }

    @Test func logInIsThrottledAfterFiveFailuresAndRecovers() throws {
        let stack = try AppStack()
        let user = try stack.createUser()
        let client = try stack.accountClient()
        _ = try client.get("/login")
        for _ in 0..<5 {
            #expect(try client.post("/login", [("email", user.email), ("password", "guess")]).status == .unprocessableContent)
        }
        let refused = try client.post("/login", [("email", user.email), ("password", Self.password)])
        #expect(refused.status == .tooManyRequests)
        #expect(refused.text.contains("Too many attempts"))
        #expect(client.cookies["sf_session"] == nil)
        // From another address too: the account is what is protected.
        let elsewhere = try stack.accountClient()
        _ = try elsewhere.get("/login")
        #expect(try elsewhere.post("/login", [("email", user.email), ("password", Self.password)]).status == .tooManyRequests)

        try stack.ownerConnection().execute("""
            UPDATE login_failures SET at = at - interval '16 minutes' WHERE account_key = \(SHA256Digest.hash(user.email.lowercased()))
            """)
        let accepted = try client.post("/login", [("email", user.email), ("password", Self.password)])
        #expect(accepted.status == .seeOther)
        #expect(accepted.location == "/stores")
    }

    @Test func formsWithoutTheRightCSRFTokenAreRefusedAndChangeNothing() throws {
        let stack = try AppStack()
        let client = try stack.accountClient()
        _ = try client.get("/signup")
        let email = AppStack.uniqueEmail("csrf")
        let missing = try client.post("/signup", [("name", "Ana"), ("email", email), ("password", Self.password)], csrf: "")
        #expect(missing.status == .forbidden)
        let forged = try client.post("/signup", [("name", "Ana"), ("email", email), ("password", Self.password)],
                                     csrf: "forged-token-forged-token-forged")
        #expect(forged.status == .forbidden)
        #expect(forged.text.contains("Reload the page"))
        #expect(try stack.user(email: email) == nil)

        let user = try stack.createUser(name: "Before")
        let signedIn = try stack.signedInClient(userId: user.userId)
        _ = try signedIn.get("/account")
        #expect(try signedIn.post("/account/profile", [("name", "After")], csrf: "forged-token-forged-token-forged").status == .forbidden)
        #expect(try signedIn.post("/logout", [], csrf: "").status == .forbidden)
        #expect(try stack.user(email: user.email)?.name == "Before")
        #expect(try signedIn.get("/stores").status == .ok, "a refused log-out leaves the session alone")
    }

    @Test func nextIsFollowedOnlyWithinThisHost() throws {
        let stack = try AppStack()
        let user = try stack.createUser()
        for (next, expected) in [("/stores/new?x=1", "/stores/new?x=1"), ("//evil.example/", "/stores"),
                                 ("https://evil.example/", "/stores"), ("/\\evil.example", "/stores"), ("/\r\nSet-Cookie:x", "/stores")] {
            let client = try stack.accountClient()
            _ = try client.get("/login")
            let response = try client.post("/login", [("email", user.email), ("password", Self.password), ("next", next)])
            #expect(response.location == expected, "next=\(next)")
        }
        #expect(!SafeNext.isLocalPath("/\t/evil.example"))
        #expect(!SafeNext.isLocalPath("javascript:alert(1)"))
    }

    @Test func twoFactorLogInWithACodeAndWithARecoveryCodeOnce() throws {
        let stack = try AppStack()
        let user = try stack.createUser()
        let setup = try stack.accountClient()
        _ = try setup.get("/login")
        #expect(try setup.post("/login", [("email", user.email), ("password", Self.password)]).status == .seeOther)

        let page = try setup.get("/account/two-factor")
        #expect(page.status == .ok)
        #expect(page.text.contains("<svg") && page.text.contains("QR code to scan"))
        let uri = try #require(Self.between(page.text, "href=\"otpauth://", "\""))
        #expect(uri.contains("issuer=Storefleet"))
        let secretText = try #require(Self.between(uri, "secret=", "&"))
        let totp = TOTP(secret: try #require(Base32.decode(secretText)))
        let now = Date()
        let wrong = totp.code(counter: totp.counter(at: now) + 5)
        #expect(try setup.post("/account/two-factor/enable", [("code", wrong)]).status == .unprocessableContent)
        let enabled = try setup.post("/account/two-factor/enable", [("code", totp.code(at: now))])
        #expect(enabled.status == .ok)
        let codes = Self.recoveryCodes(enabled.text)
        #expect(codes.count == 10)
        #expect(try setup.get("/account/two-factor").text.contains("10</strong> unused recovery codes"))
        for password in ["", "wrong password"] {
            let refused = try setup.post("/account/two-factor/disable", [("current_password", password)])
            #expect(refused.status == .unprocessableContent)
            #expect(AccountFormTests.errorText(refused.text, id: "tf-password-error")?.isEmpty == false)
        }

        // The password alone no longer signs in.
        let client = try stack.accountClient()
        _ = try client.get("/login")
        let first = try client.post("/login", [("email", user.email), ("password", Self.password), ("next", "/account")])
        #expect(first.status == .seeOther)
        #expect(first.location == "/login/two-factor?next=%2Faccount")
        #expect(client.cookies["sf_session"] == nil)
        let pendingToken = try #require(client.cookies[StorefleetApp.pendingLoginCookie])
        let sneaky = try stack.accountClient()
        sneaky.cookies["sf_session"] = pendingToken
        #expect(try sneaky.get("/stores").status == .seeOther, "a half-finished log-in is no session")

        #expect(try client.get(WebClient.pathOf(first.location!)).status == .ok)
        #expect(try client.post("/login/two-factor", [("code", ""), ("next", "/account")]).status == .unprocessableContent)
        #expect(try client.post("/login/two-factor", [("code", totp.code(at: now)), ("next", "/account")]).status
            == .unprocessableContent, "the code used to enrol cannot be replayed")
        let second = try client.post("/login/two-factor", [("code", totp.code(counter: totp.counter(at: now) + 1)), ("next", "/account")])
        #expect(second.status == .seeOther)
        #expect(second.location == "/account")
        #expect(try client.get("/account").status == .ok)

        // A recovery code works once.
        for (i, expected) in [(0, Status.seeOther), (1, Status.unprocessableContent)] {
            let other = try stack.accountClient()
            _ = try other.get("/login")
            _ = try other.post("/login", [("email", user.email), ("password", Self.password)])
            _ = try other.get("/login/two-factor")
            let answer = try other.post("/login/two-factor", [("code", codes[0].uppercased())])
            #expect(answer.status == expected, "recovery attempt \(i)")
        }
        let actions = try stack.auditActions(userId: user.userId)
        #expect(actions.contains("account.two_factor_enabled"))
        #expect(actions.filter { $0 == "account.logged_in" }.count == 3)
    }

    @Test func fiveWrongCodesEndTheTwoFactorStep() throws {
        let stack = try AppStack()
        let user = try stack.createUser()
        let db = try stack.ownerConnection()
        let keyring = try stack.keyring()
        let totp = try TwoFactor.beginEnrolment(db, keyring: keyring, userId: user.userId)
        _ = try TwoFactor.confirmEnrolment(db, keyring: keyring, userId: user.userId, code: totp.code(at: Date()))
        let client = try stack.accountClient()
        _ = try client.get("/login")
        _ = try client.post("/login", [("email", user.email), ("password", Self.password)])
        _ = try client.get("/login/two-factor")
        for _ in 0..<4 {
            #expect(try client.post("/login/two-factor", [("code", "999999x")]).status == .unprocessableContent)
        }
        let last = try client.post("/login/two-factor", [("code", "999999x")])
        #expect(last.status == .seeOther)
        #expect(last.location == "/login")
        #expect(try client.get("/login/two-factor").location == "/login")
    }

    @Test func revokingASessionMakesItsCookieUseless() throws {
        let stack = try AppStack()
        let user = try stack.createUser()
        let laptop = try stack.accountClient()
        let phone = try stack.accountClient()
        for client in [laptop, phone] {
            _ = try client.get("/login")
            #expect(try client.post("/login", [("email", user.email), ("password", Self.password)]).status == .seeOther)
        }
        let list = try laptop.get("/account/sessions")
        #expect(list.status == .ok)
        #expect(list.text.contains("This browser"))
        let phoneSession = try #require(try Sessions.find(try stack.ownerConnection(), token: phone.cookies["sf_session"]!))
        #expect(list.text.contains("/account/sessions/\(phoneSession.id)/revoke"))

        let revoked = try laptop.post("/account/sessions/\(phoneSession.id)/revoke", [])
        #expect(revoked.status == .seeOther)
        #expect(try phone.get("/stores").status == .seeOther, "the revoked cookie signs nobody in")
        #expect(try laptop.get("/stores").status == .ok)

        // Someone else's session id is not yours to end.
        let stranger = try stack.signedInClient(userId: try stack.createUser().userId)
        _ = try stranger.get("/account/sessions")
        let laptopSession = try #require(try Sessions.find(try stack.ownerConnection(), token: laptop.cookies["sf_session"]!))
        _ = try stranger.post("/account/sessions/\(laptopSession.id)/revoke", [])
        #expect(try laptop.get("/stores").status == .ok)
        #expect(try stack.auditActions(userId: user.userId).contains("account.session_revoked"))
    }

    static func between(_ text: String, _ start: String, _ end: String) -> String? {
        guard let a = text.range(of: start) else { return nil }
        let rest = text[a.upperBound...]
        guard let b = rest.range(of: end) else { return nil }
        return String(rest[..<b.lowerBound])
    }

    static func recoveryCodes(_ html: String) -> [String] {
        html.components(separatedBy: "<li><code>").dropFirst().compactMap { $0.components(separatedBy: "</code>").first }
    }
}
