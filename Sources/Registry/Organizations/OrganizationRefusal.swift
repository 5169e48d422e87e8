/// What the rules of an organization refuse, for the person who tried it. The App shows each
/// one next to the field it concerns (or as a 403 / 404 page).
public enum OrganizationRefusal: Equatable, Sendable {
    /// Only owners manage the team and its invitations.
    case notAnOwner
    /// Not an email address we can send an invitation to.
    case invalidEmail
    /// The address already belongs to a member of the organization.
    case alreadyMember
    /// A store that is not (or no longer) one of the organization's.
    case unknownStore
    /// An organization always keeps at least one owner.
    case lastOwner
    /// No such member in this organization.
    case memberNotFound
    /// No open invitation behind the link (unknown, revoked or for another organization).
    case invitationNotFound
    /// The invitation's link is too old; the owner can send a new one.
    case invitationExpired
    /// Someone already accepted the invitation.
    case invitationUsed
    /// The signed-in account's email is not the one invited.
    case emailMismatch
    /// The organization has as many stores as it may have.
    case storeLimitReached(limit: Int)
    /// Too many invitations sent in the last day (a brake on mail sent in our name).
    case tooManyInvitations(limit: Int)

    /// The sentence a person sees.
    public var message: String {
        switch self {
        case .notAnOwner: return "Only owners can manage the team."
        case .invalidEmail: return "Enter an email address like name@example.com."
        case .alreadyMember: return "This person is already a member of the team."
        case .unknownStore: return "Pick stores of this organization only."
        case .lastOwner: return "An organization needs at least one owner. Make someone else an owner first."
        case .memberNotFound: return "This person is not a member of the team."
        case .invitationNotFound: return "This invitation link is not valid. It may have been withdrawn."
        case .invitationExpired: return "This invitation has expired. Ask the owner to send a new one."
        case .invitationUsed: return "This invitation has already been accepted."
        case .emailMismatch: return "This invitation was sent to another email address. Log in with that address to accept it."
        case .storeLimitReached(let limit): return "Your organization has reached its limit of \(limit) stores."
        case .tooManyInvitations(let limit): return "You have sent \(limit) invitations today, the most a day allows. Try again tomorrow."
        }
    }
}
