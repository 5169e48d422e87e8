import Crypto
import HTTP
import Liquid
import Registry

extension StorefleetApp {
    /// The cookie of a log-in that still owes its second factor (never the session cookie).
    static let pendingLoginCookie = "sf_login"

    func addLoginRoutes(to router: inout SiteRouter<PlatformSite>) {
        router.get("/login") { request, _, site in
            let next = SafeNext.path(request.query["next"])
            if try site.session() != nil { return .redirect(to: next) }
            return try site.page("platform/account/login", title: "Log in", assigns: ["next": .string(next)])
        }

        router.post("/login") { _, _, site in
            let form = try site.verifiedForm()
            let next = SafeNext.path(form["next"])
            var errors = FormErrors()
            let email = (form["email"] ?? "").trimmingWhitespace()
            if email.isEmpty { errors.add("email", "Enter your email address.") }
            else if email.count > 254 { errors.add("email", "Enter an email address like name@example.com.") }
            let password = errors.requirePassword(form, "password")
            let assigns: [String: Value] = ["next": .string(next)]
            if !errors.isEmpty {
                return try site.page("platform/account/login", title: "Log in", assigns: assigns, form: form, errors: errors)
            }
            let db = try site.registry()
            switch try Users.authenticate(db, email: email, password: password, address: site.remoteAddress) {
            case .invalid:
                // One message for an unknown address and a wrong password.
                var shown = assigns
                shown["form_error"] = "That email and password don’t match an account. Check them and try again."
                return try site.page("platform/account/login", title: "Log in", assigns: shown, form: form,
                                     status: .unprocessableContent)
            case .throttled:
                var shown = assigns
                shown["form_error"] = "Too many attempts to log in. Wait 15 minutes and try again, or reset your password."
                return try site.page("platform/account/login", title: "Log in", assigns: shown, form: form,
                                     status: .tooManyRequests)
            case .authenticated(let user):
                try site.completeSignIn(user.id, method: "password")
                return site.redirect(to: next)
            case .secondFactorRequired(let user):
                let token = try Sessions.beginSecondFactor(db, userId: user.id, address: site.remoteAddress,
                                                           userAgent: site.userAgent)
                site.pendingCookies.append(WebCookie.make(StorefleetApp.pendingLoginCookie, value: token,
                                                          request: site.request, maxAge: Sessions.secondFactorLifetimeSeconds))
                return site.redirect(to: "/login/two-factor?next=" + FormEncoding.encode(next))
            }
        }

        router.get("/login/two-factor") { request, _, site in
            let next = SafeNext.path(request.query["next"])
            guard try site.pendingSecondFactor() != nil else {
                return site.redirect(to: "/login", flash: .info("Log in again to continue."))
            }
            return try site.page("platform/account/two_factor_login", title: "Two-factor authentication",
                                 assigns: ["next": .string(next)])
        }

        router.post("/login/two-factor") { _, _, site in
            let form = try site.verifiedForm()
            let next = SafeNext.path(form["next"])
            guard let pending = try site.pendingSecondFactor() else {
                return site.redirect(to: "/login", flash: .info("Log in again to continue."))
            }
            var errors = FormErrors()
            let code = (form["code"] ?? "").trimmingWhitespace()
            if code.isEmpty { errors.add("code", "Enter the 6-digit code from your app, or a recovery code.") }
            else if code.count > 64 { errors.add("code", "That code is too long.") }
            let assigns: [String: Value] = ["next": .string(next)]
            if !errors.isEmpty {
                return try site.page("platform/account/two_factor_login", title: "Two-factor authentication",
                                     assigns: assigns, form: form, errors: errors)
            }
            let db = try site.registry()
            let result = try TwoFactor.verify(db, keyring: site.keyring, userId: pending.userId, code: code)
            switch result {
            case .invalid:
                if let user = try Users.find(db, id: pending.userId) {
                    try LoginThrottle.standard.recordFailure(db, email: user.email, address: site.remoteAddress)
                }
                guard try Sessions.recordSecondFactorFailure(db, pendingId: pending.id) else {
                    site.pendingCookies.append(WebCookie.deletion(StorefleetApp.pendingLoginCookie, request: site.request))
                    return site.redirect(to: "/login", flash: .error("Too many wrong codes. Log in again to get a new try."))
                }
                errors.add("code", "That code didn’t work. Check your app’s current code and try again.")
                return try site.page("platform/account/two_factor_login", title: "Two-factor authentication",
                                     assigns: assigns, form: form, errors: errors)
            case .totp, .recoveryCode:
                try Sessions.endSecondFactor(db, pendingId: pending.id)
                site.pendingCookies.append(WebCookie.deletion(StorefleetApp.pendingLoginCookie, request: site.request))
                if case .recoveryCode(let remaining) = result {
                    try site.completeSignIn(pending.userId, method: "recovery_code")
                    let left = remaining == 1 ? "1 recovery code left" : "\(remaining) recovery codes left"
                    return site.redirect(to: next, flash: remaining <= 3
                        ? .error("You used a recovery code; you have \(left). Make new ones under Account → Two-factor authentication.")
                        : .info("You used a recovery code; you have \(left)."))
                }
                try site.completeSignIn(pending.userId, method: "totp")
                return site.redirect(to: next)
            }
        }

        router.post("/logout") { _, _, site in
            _ = try site.verifiedForm()
            if let session = try site.session() {
                try site.auditAccount(try site.registry(), userId: session.userId, "account.logged_out")
            }
            try site.signOut()
            return site.redirect(to: "/login", flash: .success("You’re logged out."))
        }
    }
}

extension PlatformSite {
    /// Signs the browser in (a fresh session, so one fixed before log-in is never reused),
    /// records where from, and audits it.
    func completeSignIn(_ userId: Int64, method: String) throws {
        let db = try registry()
        if let old = request.cookies[WebCookie.session], !old.isEmpty { try Sessions.revoke(db, token: old) }
        let record = try signIn(userId: userId)
        try Sessions.recordClient(db, sessionId: record.id, address: remoteAddress, userAgent: userAgent)
        try auditAccount(db, userId: userId, "account.logged_in", details: ["method": method])
    }

    /// The open two-factor step of this browser, if any.
    func pendingSecondFactor() throws -> PendingSecondFactor? {
        guard let token = request.cookies[StorefleetApp.pendingLoginCookie], !token.isEmpty else { return nil }
        return try Sessions.findSecondFactor(try registry(), token: token)
    }
}
