/// Failures of the account code that are not a wrong password or a bad token (those are
/// outcomes, not errors). `description` is safe to log; the pages show their own words.
public enum AccountError: Error, CustomStringConvertible, Equatable {
    /// A row changed under us between two statements (an account deleted mid-sign-up); retry.
    case concurrentChange
    /// Two-factor enrolment asked for while two-factor sign-in is already on.
    case twoFactorAlreadyEnabled

    public var description: String {
        switch self {
        case .concurrentChange: return "the account changed while this request ran; try again"
        case .twoFactorAlreadyEnabled: return "two-factor sign-in is already enabled"
        }
    }
}
