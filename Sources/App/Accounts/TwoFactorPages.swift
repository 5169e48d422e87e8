import Crypto
import HTTP
import Liquid
import Registry

extension StorefleetApp {
    func addTwoFactorRoutes(to router: inout SiteRouter<PlatformSite>) {
        router.get("/account/two-factor") { _, _, site in
            try site.twoFactorPage()
        }

        router.post("/account/two-factor/enable") { _, _, site in
            let form = try site.verifiedForm()
            let session = try site.requireUser()
            var errors = FormErrors()
            let code = (form["code"] ?? "").filter { !$0.isWhitespace }
            if code.isEmpty { errors.add("code", "Enter the 6-digit code your app shows.") }
            else if code.count != 6 || !code.allSatisfy(\.isASCIIDigit) { errors.add("code", "The code is 6 digits, like 123456.") }
            if !errors.isEmpty { return try site.twoFactorPage(form: form, errors: errors) }
            let db = try site.registry()
            guard let codes = try TwoFactor.confirmEnrolment(db, keyring: site.keyring, userId: session.userId, code: code) else {
                errors.add("code", "That code didn’t match. Check that your phone’s clock is right and type the current code.")
                return try site.twoFactorPage(form: form, errors: errors)
            }
            try site.auditAccount(db, userId: session.userId, "account.two_factor_enabled")
            try AccountMail(site: site).securityNotice(
                to: session.userEmail, name: session.userName, subject: "Two-factor authentication is on",
                message: "Two-factor authentication is now on for your Storefleet account: logging in asks for a code from your authenticator app.")
            // Shown once, on this response only (no-store): never stored in the clear.
            return try site.page("platform/account/recovery_codes", title: "Save your recovery codes",
                                 assigns: ["codes": .array(codes.map { .string($0) })])
        }

        router.post("/account/two-factor/disable") { _, _, site in
            let form = try site.verifiedForm()
            let session = try site.requireUser()
            var errors = FormErrors()
            let db = try site.registry()
            guard try Users.find(db, id: session.userId)?.totpEnabled == true else {
                return site.redirect(to: "/account/two-factor", flash: .info("Two-factor authentication is already off."))
            }
            let password = errors.requirePassword(form, "current_password", label: "your current password")
            if !errors.isEmpty { return try site.twoFactorPage(form: form, errors: errors) }
            guard try site.checkCurrentPassword(db, session: session, password: password, errors: &errors) else {
                return try site.twoFactorPage(form: form, errors: errors)
            }
            try TwoFactor.disable(db, userId: session.userId)
            try site.auditAccount(db, userId: session.userId, "account.two_factor_disabled")
            try AccountMail(site: site).securityNotice(
                to: session.userEmail, name: session.userName, subject: "Two-factor authentication is off",
                message: "Two-factor authentication was turned off for your Storefleet account: logging in asks only for your password now.")
            return site.redirect(to: "/account/two-factor", flash: .success("Two-factor authentication is off."))
        }

        router.post("/account/two-factor/recovery-codes") { _, _, site in
            let form = try site.verifiedForm()
            let session = try site.requireUser()
            var errors = FormErrors()
            let password = errors.requirePassword(form, "current_password", label: "your current password")
            let db = try site.registry()
            guard errors.isEmpty, try site.checkCurrentPassword(db, session: session, password: password, errors: &errors),
                  try Users.find(db, id: session.userId)?.totpEnabled == true else {
                if errors.isEmpty { return site.redirect(to: "/account/two-factor") }
                return try site.twoFactorPage(form: form, errors: errors)
            }
            let codes = try TwoFactor.regenerateRecoveryCodes(db, userId: session.userId)
            try site.auditAccount(db, userId: session.userId, "account.recovery_codes_regenerated")
            return try site.page("platform/account/recovery_codes", title: "Save your recovery codes",
                                 assigns: ["codes": .array(codes.map { .string($0) }), "regenerated": true])
        }
    }
}

extension PlatformSite {
    /// Two-factor set-up: when off, a secret (kept across reloads until confirmed) with its
    /// `otpauth://` URI and the form for the first code; when on, the way to turn it off.
    func twoFactorPage(form: FormData? = nil, errors: FormErrors? = nil) throws -> Response {
        let session = try requireUser()
        let db = try registry()
        guard let user = try Users.find(db, id: session.userId) else { throw Redirect(to: "/login") }
        var assigns: [String: Value] = ["enabled": .bool(user.totpEnabled)]
        if user.totpEnabled {
            assigns["recovery_codes_left"] = .int(try TwoFactor.remainingRecoveryCodes(db, userId: user.id))
        } else {
            let totp = try TwoFactor.beginEnrolment(db, keyring: keyring, userId: user.id)
            let secret = Base32.encode(totp.secret, padding: false)
            assigns["secret"] = .string(secret)
            assigns["secret_grouped"] = .string(stride(from: 0, to: secret.count, by: 4).map { i in
                let start = secret.index(secret.startIndex, offsetBy: i)
                return String(secret[start..<secret.index(start, offsetBy: min(4, secret.count - i))])
            }.joined(separator: " "))
            let uri = totp.provisioningURI(issuer: "Storefleet", account: user.email)
            assigns["otpauth_uri"] = .string(uri)
            if let qr = QRCode(uri) {
                assigns["qr_svg"] = .safe(qr.svg(label: "QR code to scan with your authenticator app"))
            }
        }
        return try page("platform/account/two_factor", title: "Two-factor authentication", assigns: assigns,
                        form: form, errors: errors)
    }
}

extension Character {
    var isASCIIDigit: Bool { ("0"..."9").contains(self) }
}
