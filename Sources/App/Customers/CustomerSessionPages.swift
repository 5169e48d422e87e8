import Commerce
import Foundation
import HTTP
import Liquid
import Postgres

/// Log-in, log-out and sign-up on a store's host.
///
/// Sign-up never says whether an address has an account: it always answers "check your inbox".
/// A new address (or a guest's, from checkout) gets a link that sets the password chosen and
/// logs in — so a guest claims their customer record and past orders by proving the inbox, and
/// nobody can take over an address they cannot read. An address with an account gets a mail
/// saying so, with log-in and reset links.
extension StorefleetApp {
    /// `GET /account/login` (`?return_to=` a path on this store).
    func loginPage(_ site: StoreSite) throws -> Response {
        try site.withTenant { db in
            let back = Self.returnPath(site.request.query["return_to"])
            if try site.customer(db: db) != nil { return .redirect(to: back) }
            return try customerPage(site, db: db, "login", title: "Log in",
                                    assigns: ["return_to": .string(back)], form: site.request.query)
        }
    }

    /// `POST /account/login`: `email`, `password`, `return_to`. A wrong password and an unknown
    /// address get the same 422 page; too many failures a 429 page.
    func logIn(_ site: StoreSite) throws -> Response {
        let form = try site.verifiedForm()
        let email = (form["email"] ?? "").trimmingWhitespace()
        let password = form["password"] ?? ""
        let back = Self.returnPath(form["return_to"])
        return try site.withTenant { db in
            var errors = FormErrors()
            if email.isEmpty { errors.add("email", "Enter your email address.") }
            if password.isEmpty { errors.add("password", "Enter your password.") }
            if errors.isEmpty {
                switch try CustomerAccounts.authenticate(db, email: email, password: password,
                                                         address: site.request.remoteAddress) {
                case .authenticated(let account):
                    if let old = site.request.cookies[ShopCookie.customer] { try CustomerSessions.revoke(db, token: old) }
                    try site.logIn(account, db: db)
                    return site.redirect(to: back)
                case .invalid:
                    errors.add("login", "That email and password don't match an account. Check both, or reset your password.")
                case .throttled:
                    errors.add("login", "Too many attempts to log in. Wait 15 minutes, or reset your password by email.")
                    return try customerPage(site, db: db, "login", title: "Log in", assigns: ["return_to": .string(back)],
                                            form: form, errors: errors, status: .tooManyRequests)
                }
            }
            return try customerPage(site, db: db, "login", title: "Log in", assigns: ["return_to": .string(back)],
                                    form: form, errors: errors, status: .unprocessableContent)
        }
    }

    /// `POST /account/logout`: ends the session. The cart cookies go too (the cart stays saved
    /// with the account and comes back at the next log-in), so a shared computer shows nothing.
    func logOut(_ site: StoreSite) throws -> Response {
        _ = try site.verifiedForm()
        if let token = site.request.cookies[ShopCookie.customer] {
            try site.withTenant { db in try CustomerSessions.revoke(db, token: token) }
        }
        site.deleteCookie(ShopCookie.customer)
        site.deleteCookie(ShopCookie.cart)
        site.deleteCookie(ShopCookie.cartCount)
        return site.redirect(to: "/", flash: .info("You are logged out."))
    }

    /// `GET /account/register`.
    func registerPage(_ site: StoreSite) throws -> Response {
        try site.withTenant { db in
            if try site.customer(db: db) != nil { return .redirect(to: "/account") }
            return try customerPage(site, db: db, "register", title: "Create an account", form: site.request.query)
        }
    }

    /// `POST /account/register`: `first_name`, `last_name`, `email`, `password` (≥ 10 characters).
    func register(_ site: StoreSite) throws -> Response {
        let form = try site.verifiedForm()
        var errors = FormErrors()
        let first = Self.optionalName(form, "first_name", errors: &errors)
        let last = Self.optionalName(form, "last_name", errors: &errors)
        let email = CustomerRules.normalizedEmail(form["email"] ?? "")
        if email == nil { errors.add("email", "Enter an email address like name@example.com.") }
        let password = form["password"] ?? ""
        if let problem = CustomerRules.passwordProblem(password) { errors.add("password", problem) }
        return try site.withTenant { db in
            guard errors.isEmpty, let email else {
                return try customerPage(site, db: db, "register", title: "Create an account", form: form, errors: errors,
                                        status: .unprocessableContent)
            }
            let mail = CustomerMail(site: site)
            switch try CustomerAccounts.register(db, firstName: first, lastName: last, email: email, password: password) {
            case .confirmationNeeded(let customer, let token):
                try mail.confirmSignUp(to: customer, firstName: first, token: token)
            case .alreadyRegistered(let customer):
                try mail.alreadyRegistered(to: customer)
            case .tooManyRequests:
                break
            }
            return site.redirect(to: "/account/register/sent")
        }
    }

    /// `GET /account/register/sent`: the same words whatever the address was.
    func registerSentPage(_ site: StoreSite) throws -> Response {
        try site.withTenant { db in try customerPage(site, db: db, "register_sent", title: "Check your inbox") }
    }

    /// `GET /account/confirm/:token`: a button, so a mail scanner fetching the link spends nothing.
    func confirmPage(_ site: StoreSite, token: String) throws -> Response {
        try site.withTenant { db in
            let valid = try CustomerTokens.peek(db, token: token, purpose: .emailConfirmation) != nil
            return try customerPage(site, db: db, "confirm", title: "Confirm your account",
                                    assigns: ["valid": .bool(valid), "action": .string("/account/confirm/" + token)],
                                    status: valid ? .ok : .notFound)
        }
    }

    /// `POST /account/confirm/:token`: sets the password, links guest orders, logs in.
    func confirm(_ site: StoreSite, token: String) throws -> Response {
        _ = try site.verifiedForm()
        return try site.withTenant { db in
            guard let account = try CustomerAccounts.confirm(db, token: token) else {
                return try customerPage(site, db: db, "confirm", title: "Confirm your account",
                                        assigns: ["valid": false], status: .notFound)
            }
            try site.logIn(account, db: db)
            return site.redirect(to: "/account", flash: .success("Welcome! Your account is ready."))
        }
    }

    /// An optional name field: trimmed, at most 100 characters, no control characters.
    static func optionalName(_ form: FormData, _ field: String, errors: inout FormErrors) -> String {
        let value = (form[field] ?? "").trimmingWhitespace()
        if value.count > 100 { errors.add(field, "Use at most 100 characters.") }
        else if value.unicodeScalars.contains(where: { $0.value < 0x20 || $0.value == 0x7F }) {
            errors.add(field, "Use letters, not control characters.")
        }
        return value
    }
}
