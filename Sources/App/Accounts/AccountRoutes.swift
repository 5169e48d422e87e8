import HTTP

/// The merchant account pages on the platform host (docs/CONTRACTS.md, "Platform web"):
/// sign-up, email verification, log-in with an optional second factor, log-out, password
/// reset, the account page, sessions, two-factor set-up, and the development mail page.
extension StorefleetApp {
    func addAccountRoutes(to router: inout SiteRouter<PlatformSite>) {
        addSignUpRoutes(to: &router)
        addLoginRoutes(to: &router)
        addPasswordResetRoutes(to: &router)
        addAccountSettingsRoutes(to: &router)
        addSessionRoutes(to: &router)
        addTwoFactorRoutes(to: &router)
        addDevMailRoutes(to: &router)
    }
}

/// Limits of what people type into account forms.
enum AccountLimits {
    static let nameLength = 100
    static let passwordMinimum = 10
    static let passwordMaximum = 200
}

extension FormErrors {
    /// A new password: long enough to resist guessing, short enough to hash quickly. Not
    /// trimmed: spaces are part of a password.
    mutating func requireNewPassword(_ form: FormData, _ field: String) -> String {
        let value = form[field] ?? ""
        if value.isEmpty {
            add(field, "Enter a password.")
        } else if value.count < AccountLimits.passwordMinimum {
            add(field, "Use at least \(AccountLimits.passwordMinimum) characters.")
        } else if value.count > AccountLimits.passwordMaximum {
            add(field, "Use at most \(AccountLimits.passwordMaximum) characters.")
        }
        return value
    }

    /// A password the user already has (any length; only its presence is checked here).
    mutating func requirePassword(_ form: FormData, _ field: String, label: String = "your password") -> String {
        let value = form[field] ?? ""
        if value.isEmpty { add(field, "Enter \(label).") }
        else if value.count > AccountLimits.passwordMaximum { add(field, "That password is too long.") }
        return value
    }
}
