import Commerce
import Foundation
import HTTP
import Liquid
import Postgres

/// Forgotten passwords on a store's host: `/account/recover` mails a one-hour link (to any
/// customer of the address, a guest too — the link proves the inbox), `/account/reset/:token`
/// sets the password, logs out every other session and logs in here.
extension StorefleetApp {
    func recoverPage(_ site: StoreSite) throws -> Response {
        try site.withTenant { db in try customerPage(site, db: db, "recover", title: "Reset your password", form: site.request.query) }
    }

    /// `POST /account/recover`: `email`. The same answer whether or not the address is known.
    func recover(_ site: StoreSite) throws -> Response {
        let form = try site.verifiedForm()
        return try site.withTenant { db in
            guard let email = CustomerRules.normalizedEmail(form["email"] ?? "") else {
                var errors = FormErrors()
                errors.add("email", "Enter an email address like name@example.com.")
                return try customerPage(site, db: db, "recover", title: "Reset your password", form: form, errors: errors,
                                        status: .unprocessableContent)
            }
            if let (customer, token) = try CustomerAccounts.startPasswordReset(db, email: email) {
                try CustomerMail(site: site).resetPassword(to: customer, token: token)
            }
            return site.redirect(to: "/account/login", flash: .info(
                "If \(email) has an account here, we've sent it a link to choose a new password. It works for one hour."))
        }
    }

    func resetPage(_ site: StoreSite, token: String) throws -> Response {
        try site.withTenant { db in
            let valid = try CustomerTokens.peek(db, token: token, purpose: .passwordReset) != nil
            return try customerPage(site, db: db, "reset_password", title: "Choose a new password",
                                    assigns: ["valid": .bool(valid), "action": .string("/account/reset/" + token)],
                                    status: valid ? .ok : .notFound)
        }
    }

    /// `POST /account/reset/:token`: `password` (≥ 10 characters).
    func reset(_ site: StoreSite, token: String) throws -> Response {
        let form = try site.verifiedForm()
        let password = form["password"] ?? ""
        return try site.withTenant { db in
            let action: Value = .string("/account/reset/" + token)
            if let problem = CustomerRules.passwordProblem(password) {
                var errors = FormErrors()
                errors.add("password", problem)
                let valid = try CustomerTokens.peek(db, token: token, purpose: .passwordReset) != nil
                return try customerPage(site, db: db, "reset_password", title: "Choose a new password",
                                        assigns: ["valid": .bool(valid), "action": action], errors: errors,
                                        status: .unprocessableContent)
            }
            guard let account = try CustomerAccounts.resetPassword(db, token: token, newPassword: password) else {
                return try customerPage(site, db: db, "reset_password", title: "Choose a new password",
                                        assigns: ["valid": false, "action": action], status: .notFound)
            }
            try site.logIn(account, db: db)
            return site.redirect(to: "/account", flash: .success("Your new password is set. You're logged in."))
        }
    }
}
