import HTTP
import Liquid
import Registry

extension StorefleetApp {
    func addSignUpRoutes(to router: inout SiteRouter<PlatformSite>) {
        // `?next=` (a page to open once signed in, e.g. an invitation) and `?email=` (prefilled).
        router.get("/signup") { request, _, site in
            let next = request.query["next"].flatMap { SafeNext.isLocalPath($0) ? $0 : nil }
            if try site.session() != nil { return .redirect(to: next ?? SafeNext.home) }
            let prefill: Value = ["email": .string(String((request.query["email"] ?? "").prefix(254)))]
            return try site.page("platform/account/signup", title: "Create your account",
                                 assigns: ["next": .string(next ?? ""), "form": prefill])
        }

        router.post("/signup") { _, _, site in
            let form = try site.verifiedForm()
            let next = form["next"].flatMap { SafeNext.isLocalPath($0) ? $0 : nil }
            var errors = FormErrors()
            let name = errors.requireText(form, "name", label: "your name", maxLength: AccountLimits.nameLength)
            let email = errors.requireEmail(form)
            let password = errors.requireNewPassword(form, "password")
            if !errors.isEmpty {
                return try site.page("platform/account/signup", title: "Create your account",
                                     assigns: ["next": .string(next ?? "")], form: form, errors: errors)
            }
            let db = try site.registry()
            let mail = AccountMail(site: site)
            switch try Users.signUp(db, name: name, email: email, password: password,
                                    organizationName: String((name + "’s stores").prefix(200))) {
            case .created(let user, let orgId):
                let token = try AccountTokens.issue(db, userId: user.id, purpose: .verifyEmail, email: user.email)
                try mail.verifyEmail(to: user.email, name: user.name, token: token, isChange: false, next: next)
                try site.auditAccount(db, userId: user.id, "account.signed_up", details: ["organization_id": String(orgId)])
            case .emailTaken(let existing):
                // The page says the same as for a new account; the owner of the address hears of it.
                try mail.signUpWithExistingAddress(to: existing)
                try site.auditAccount(db, userId: existing.id, "account.signup_with_existing_email")
            }
            return site.redirect(to: "/signup/check-email")
        }

        router.get("/signup/check-email") { _, _, site in
            try site.page("platform/account/check_email", title: "Check your inbox")
        }

        router.get("/verify-email/:token") { request, parameters, site in
            // Link checkers in mail systems send HEAD: it must not use the token up.
            if request.method == .head { return .html("") }
            let db = try site.registry()
            let signedIn = try site.session() != nil
            let next = SafeNext.path(request.query["next"])
            switch try Users.verifyEmail(db, token: parameters["token"] ?? "") {
            case .verified(let user):
                try site.auditAccount(db, userId: user.id, "account.email_verified")
                return signedIn
                    ? site.redirect(to: next, flash: .success("Your email address is confirmed."))
                    : site.redirect(to: "/login?next=" + FormEncoding.encode(next),
                                    flash: .success("Your email address is confirmed. Log in to continue."))
            case .changed(let user, let previous):
                try site.auditAccount(db, userId: user.id, "account.email_changed", details: ["from": previous, "to": user.email])
                try AccountMail(site: site).securityNotice(
                    to: previous, name: user.name, subject: "Your Storefleet email address was changed",
                    message: "The email address of your Storefleet account is now \(user.email). Mail about your account goes there from now on.")
                return signedIn
                    ? site.redirect(to: "/account", flash: .success("Your email address is now \(user.email)."))
                    : site.redirect(to: "/login", flash: .success("Your email address is now \(user.email). Log in to continue."))
            case .invalid:
                return try site.page("platform/account/link_invalid", title: "This link no longer works",
                                     assigns: ["kind": "verify", "signed_in": .bool(signedIn)], status: .gone)
            case .addressTaken:
                return try site.page("platform/account/link_invalid", title: "That address is in use",
                                     assigns: ["kind": "taken", "signed_in": .bool(signedIn)], status: .conflict)
            }
        }

        router.post("/verify-email/resend") { _, _, site in
            _ = try site.verifiedForm()
            let session = try site.requireUser()
            let db = try site.registry()
            guard let user = try Users.find(db, id: session.userId) else { throw Redirect(to: "/login") }
            let back = "/account"
            if user.isEmailVerified && user.pendingEmail == nil {
                return site.redirect(to: back, flash: .info("Your email address is already confirmed."))
            }
            if try AccountTokens.recentlyIssued(db, userId: user.id, purpose: .verifyEmail, withinSeconds: 3600) >= 5 {
                return site.redirect(to: back, flash: .error("We’ve sent several links in the last hour. Check your spam folder, or try again later."))
            }
            let address = user.isEmailVerified ? user.pendingEmail! : user.email
            let token = try AccountTokens.issue(db, userId: user.id, purpose: .verifyEmail, email: address)
            try AccountMail(site: site).verifyEmail(to: address, name: user.name, token: token, isChange: address != user.email)
            try site.auditAccount(db, userId: user.id, "account.verification_resent")
            return site.redirect(to: back, flash: .success("We sent a new link to \(address)."))
        }
    }
}
