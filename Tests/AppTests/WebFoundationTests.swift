import HTTP
import Testing
@testable import App

/// The platform host's web foundation: sign-in redirects, sessions by cookie, CSRF, flash.
@Suite("Platform web foundation")
struct WebFoundationTests {
    @Test func anonymousVisitorIsSentToLogInAndBack() throws {
        let stack = try AppStack()
        let client = WebClient(handler: try stack.handler(), host: stack.platformDomain)
        let response = try client.get("/stores")
        #expect(response.status == .seeOther)
        #expect(response.headers["Location"] == "/login?next=%2Fstores")
    }

    @Test func aSessionCookieSignsTheBrowserIn() throws {
        let stack = try AppStack()
        let user = try stack.createUser(name: "Ada Merchant")
        let client = try stack.signedInClient(userId: user.userId)
        let response = try client.get("/stores")
        #expect(response.status == .ok)
        #expect(response.text.contains("You don’t have a store yet"))
        #expect(response.text.contains("Log out"))
        #expect(response.headers["Cache-Control"] == "no-store")
        #expect(response.headers["X-Frame-Options"] == "DENY")
    }

    @Test func aForgedSessionCookieIsForgottenAndSignsNobodyIn() throws {
        let stack = try AppStack()
        let client = WebClient(handler: try stack.handler(), host: stack.platformDomain)
        client.cookies["sf_session"] = "not-a-real-session-token-at-all"
        let response = try client.get("/stores")
        #expect(response.status == .seeOther)
        #expect(response.headers.values("Set-Cookie").contains { $0.hasPrefix("sf_session=;") && $0.contains("Max-Age=0") })
    }

    @Test func csrfTokensCompareExactlyAndRejectJunk() {
        #expect(CSRF.matches("abcdefghijklmnop", "abcdefghijklmnop"))
        #expect(!CSRF.matches("abcdefghijklmnoq", "abcdefghijklmnop"))
        #expect(!CSRF.matches("", ""))
        #expect(!CSRF.isWellFormed("short"))
        #expect(!CSRF.isWellFormed("abcdefghijklmnop\"><script>"))
        #expect(CSRF.isWellFormed("abcdefghijklmnop_-0123"))
    }

    @Test func flashSurvivesItsCookieAndRejectsUnknownKinds() {
        let flash = Flash.success("Settings saved — 100% “done”; a=b&c")
        let value = FormEncoding.encode("success:" + flash.message)
        #expect(Flash(cookieValue: value) == flash)
        #expect(Flash(cookieValue: FormEncoding.encode("evil:<script>")) == nil)
        #expect(Flash(cookieValue: "%zz") == nil)
    }

    @Test func formErrorsCheckTextAndEmail() throws {
        var errors = FormErrors()
        let form = FormData([("name", "  <b>Shop</b>  "), ("long", String(repeating: "x", count: 201)),
                             ("email", "Not An Email"), ("ctl", "a\u{7}b")])
        #expect(errors.requireText(form, "name", label: "a name") == "<b>Shop</b>")
        errors.requireText(form, "long", label: "a name")
        errors.requireText(form, "missing", label: "a store name")
        errors.requireText(form, "ctl", label: "a name")
        _ = errors.requireEmail(form)
        #expect(errors["name"] == nil)
        #expect(errors["long"] == "A name must be at most 200 characters.")
        #expect(errors["missing"] == "Enter a store name.")
        #expect(errors["ctl"] == "A name cannot contain control characters.")
        #expect(errors["email"] == "Enter an email address like name@example.com.")
    }
}
