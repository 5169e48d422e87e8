import HTTP
import Liquid
import Postgres
import Registry

extension StorefleetApp {
    func addAccountSettingsRoutes(to router: inout SiteRouter<PlatformSite>) {
        router.get("/account") { _, _, site in
            try site.accountPage()
        }

        router.post("/account/profile") { _, _, site in
            let form = try site.verifiedForm()
            let session = try site.requireUser()
            var errors = FormErrors()
            let name = errors.requireText(form, "name", label: "your name", maxLength: AccountLimits.nameLength)
            if !errors.isEmpty { return try site.accountPage(active: "profile", form: form, errors: errors) }
            let db = try site.registry()
            if name != session.userName {
                try Users.changeName(db, userId: session.userId, name: name)
                try site.auditAccount(db, userId: session.userId, "account.name_changed")
            }
            return site.redirect(to: "/account", flash: .success("Your name is saved."))
        }

        router.post("/account/email") { _, _, site in
            let form = try site.verifiedForm()
            let session = try site.requireUser()
            var errors = FormErrors()
            let email = errors.requireEmail(form)
            let password = errors.requirePassword(form, "current_password", label: "your current password")
            if errors.isEmpty && email == session.userEmail.lowercased() {
                errors.add("email", "That’s already your email address.")
            }
            if !errors.isEmpty { return try site.accountPage(active: "email", form: form, errors: errors) }
            let db = try site.registry()
            guard try site.checkCurrentPassword(db, session: session, password: password, errors: &errors) else {
                return try site.accountPage(active: "email", form: form, errors: errors)
            }
            let token = try Users.startEmailChange(db, userId: session.userId, newEmail: email)
            try AccountMail(site: site).verifyEmail(to: email, name: session.userName, token: token, isChange: true)
            try site.auditAccount(db, userId: session.userId, "account.email_change_requested", details: ["to": email])
            return site.redirect(to: "/account", flash: .info(
                "We sent a link to \(email). Your address changes when you open it; until then it stays \(session.userEmail)."))
        }

        router.post("/account/email/cancel") { _, _, site in
            _ = try site.verifiedForm()
            let session = try site.requireUser()
            let db = try site.registry()
            try Users.cancelEmailChange(db, userId: session.userId)
            try site.auditAccount(db, userId: session.userId, "account.email_change_cancelled")
            return site.redirect(to: "/account", flash: .info("The change of email address is cancelled."))
        }

        router.post("/account/password") { _, _, site in
            let form = try site.verifiedForm()
            let session = try site.requireUser()
            var errors = FormErrors()
            let current = errors.requirePassword(form, "current_password", label: "your current password")
            let new = errors.requireNewPassword(form, "new_password")
            if !errors.isEmpty { return try site.accountPage(active: "password", form: form, errors: errors) }
            let db = try site.registry()
            guard try site.checkCurrentPassword(db, session: session, password: current, errors: &errors) else {
                return try site.accountPage(active: "password", form: form, errors: errors)
            }
            try Users.setPassword(db, userId: session.userId, newPassword: new, keepingSession: session.id)
            try site.auditAccount(db, userId: session.userId, "account.password_changed")
            try AccountMail(site: site).securityNotice(
                to: session.userEmail, name: session.userName, subject: "Your Storefleet password was changed",
                message: "The password of your Storefleet account was changed, and every other session was signed out.")
            return site.redirect(to: "/account", flash: .success("Your password is changed. Other sessions were signed out."))
        }
    }
}

extension PlatformSite {
    /// The account page: profile, email and password forms. `active` names the form whose
    /// errors are shown (the email and password forms both have `current_password`).
    func accountPage(active: String? = nil, form: FormData? = nil, errors: FormErrors? = nil) throws -> Response {
        let session = try requireUser()
        let db = try registry()
        guard let user = try Users.find(db, id: session.userId) else { throw Redirect(to: "/login") }
        let sessions = try Sessions.list(db, userId: user.id)
        return try page("platform/account/account", title: "Account", assigns: [
            "user": user.liquidValue,
            "active_form": .string(active ?? ""),
            "session_count": .int(sessions.count),
            "recovery_codes_left": .int(user.totpEnabled ? try TwoFactor.remainingRecoveryCodes(db, userId: user.id) : 0),
        ], form: form, errors: errors)
    }

    /// Checks the current password for a change, counting wrong ones like failed log-ins (a
    /// left-open session must not become a way to guess the password). False with an error set.
    func checkCurrentPassword(_ db: Connection, session: SessionRecord, password: String, errors: inout FormErrors) throws -> Bool {
        let throttle = LoginThrottle.standard
        if try throttle.isThrottled(db, email: session.userEmail, address: remoteAddress) {
            errors.add("current_password", "Too many wrong passwords. Wait 15 minutes and try again.")
            return false
        }
        if try Users.checkPassword(db, userId: session.userId, password: password) { return true }
        try throttle.recordFailure(db, email: session.userEmail, address: remoteAddress)
        errors.add("current_password", "That password isn’t right.")
        return false
    }
}

extension UserAccount {
    var liquidValue: Value {
        var d: [String: Value] = [
            "id": .int(Int(id)), "name": .string(name), "email": .string(email),
            "email_verified": .bool(isEmailVerified), "two_factor_enabled": .bool(totpEnabled),
            "created_at": .string(AccountDates.day(createdAt)),
        ]
        if let pendingEmail { d["pending_email"] = .string(pendingEmail) }
        return .dictionary(d)
    }
}
