import Postgres

/// What a member of an organization may do. Owners do everything; admins everything inside the
/// stores except managing the team and billing; staff run the day-to-day shop.
public enum MembershipRole: String, CaseIterable, Sendable, PostgresDecodable {
    case owner, admin, staff

    /// Whether this role may do `permission` (in the stores its membership reaches).
    public func allows(_ permission: Permission) -> Bool {
        switch self {
        case .owner:
            return true
        case .admin:
            switch permission {
            case .staff, .billing, .deleteStore: return false
            default: return true
            }
        case .staff:
            switch permission {
            case .catalog, .orders, .customers, .discounts: return true
            default: return false
            }
        }
    }

    /// The name people read ("Owner").
    public var title: String {
        switch self {
        case .owner: return "Owner"
        case .admin: return "Admin"
        case .staff: return "Staff"
        }
    }

    /// One line on what the role may do, for the invite form.
    public var summary: String {
        switch self {
        case .owner: return "Everything, including the team, billing and deleting stores."
        case .admin: return "Everything in the stores except the team and billing."
        case .staff: return "Products, orders, customers and discounts."
        }
    }
}

/// An area of the admin a role may or may not reach. Deleting a store is the owners' alone:
/// the issue lists it with staff and billing as what sets an owner apart.
public enum Permission: String, CaseIterable, Sendable {
    case catalog, orders, customers, discounts, payments, domains, settings, themes, feeds
    case staff, billing, deleteStore
}
