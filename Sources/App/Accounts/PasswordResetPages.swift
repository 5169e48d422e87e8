import HTTP
import Liquid
import Registry

extension StorefleetApp {
    func addPasswordResetRoutes(to router: inout SiteRouter<PlatformSite>) {
        router.get("/password/forgot") { _, _, site in
            try site.page("platform/account/forgot_password", title: "Reset your password")
        }

        router.post("/password/forgot") { _, _, site in
            let form = try site.verifiedForm()
            var errors = FormErrors()
            let email = errors.requireEmail(form)
            if !errors.isEmpty {
                return try site.page("platform/account/forgot_password", title: "Reset your password", form: form, errors: errors)
            }
            let db = try site.registry()
            if let user = try Users.find(db, email: email),
               try AccountTokens.recentlyIssued(db, userId: user.id, purpose: .resetPassword, withinSeconds: 3600) < 5 {
                let token = try AccountTokens.issue(db, userId: user.id, purpose: .resetPassword, email: user.email)
                try AccountMail(site: site).resetPassword(to: user, token: token)
                try site.auditAccount(db, userId: user.id, "account.password_reset_requested")
            }
            // The same answer whether or not the address has an account.
            return site.redirect(to: "/password/forgot", flash: .info(
                "If an account uses \(email), we’ve sent it a link to reset the password. The link works for one hour."))
        }

        router.get("/password/reset/:token") { _, parameters, site in
            let token = parameters["token"] ?? ""
            guard try AccountTokens.peek(try site.registry(), token: token, purpose: .resetPassword) != nil else {
                return try site.page("platform/account/link_invalid", title: "This link no longer works",
                                     assigns: ["kind": "reset"], status: .gone)
            }
            return try site.page("platform/account/reset_password", title: "Choose a new password",
                                 assigns: ["token": .string(token)])
        }

        router.post("/password/reset/:token") { _, parameters, site in
            let form = try site.verifiedForm()
            let token = parameters["token"] ?? ""
            let db = try site.registry()
            var errors = FormErrors()
            let password = errors.requireNewPassword(form, "password")
            if !errors.isEmpty {
                guard try AccountTokens.peek(db, token: token, purpose: .resetPassword) != nil else {
                    return try site.page("platform/account/link_invalid", title: "This link no longer works",
                                         assigns: ["kind": "reset"], status: .gone)
                }
                return try site.page("platform/account/reset_password", title: "Choose a new password",
                                     assigns: ["token": .string(token)], form: form, errors: errors)
            }
            guard let user = try Users.resetPassword(db, token: token, newPassword: password) else {
                return try site.page("platform/account/link_invalid", title: "This link no longer works",
                                     assigns: ["kind": "reset"], status: .gone)
            }
            try site.auditAccount(db, userId: user.id, "account.password_reset")
            // Every session ended with the reset, this browser's included.
            if try site.session() != nil { try site.signOut() }
            return site.redirect(to: "/login", flash: .success("Your password is changed. Log in with your new password."))
        }
    }
}
