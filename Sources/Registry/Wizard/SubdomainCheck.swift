import Foundation
import Postgres

/// Whether a merchant may have `<subdomain>.PLATFORM_DOMAIN`, with the reason in words when not.
public struct SubdomainVerdict: Sendable, Equatable {
    public enum Outcome: String, Sendable {
        /// Free: a store may take it now (the unique index still decides a race).
        case available
        /// Not a DNS label we accept (too short, a bad character, ...).
        case invalid
        /// Kept for the platform.
        case reserved
        /// Another live store has it.
        case taken
    }

    /// The subdomain as it was checked: trimmed and lower-cased.
    public let subdomain: String
    public let outcome: Outcome
    /// One sentence a merchant can act on.
    public let reason: String

    public var isAvailable: Bool { outcome == .available }
}

/// The wizard's subdomain rules: `Slug`'s syntax and reserved names, explained, plus whether a
/// live store already has it (asked through `storefleet_slug_in_use`, since the application role
/// sees only its own organization's stores).
public enum SubdomainCheck {
    /// Trims and lower-cases what a merchant typed (a host name is case-insensitive).
    public static func normalize(_ typed: String) -> String {
        typed.trimmingCharacters(in: .whitespacesAndNewlines).lowercased()
    }

    /// The rules alone, without asking the registry: nil when the name may be used.
    public static func ruleViolation(_ subdomain: String) -> SubdomainVerdict? {
        do {
            _ = try Slug.validate(subdomain)
            return nil
        } catch {
            switch error {
            case .reservedSlug:
                return SubdomainVerdict(subdomain: subdomain, outcome: .reserved, reason: reservedReason(subdomain))
            case .invalidSlug(_, let reason):
                return SubdomainVerdict(subdomain: subdomain, outcome: .invalid, reason: sentence(reason))
            default:
                return SubdomainVerdict(subdomain: subdomain, outcome: .invalid,
                                        reason: "This address can’t be used. Try another.")
            }
        }
    }

    /// The rules, then the registry. `registry` may be the application role's connection.
    public static func check(_ typed: String, registry: Connection) throws -> SubdomainVerdict {
        let subdomain = normalize(typed)
        if let violation = ruleViolation(subdomain) { return violation }
        let inUse = try registry.queryFirst("SELECT storefleet_slug_in_use(\(subdomain)) AS taken")?
            .decode("taken", as: Bool.self) ?? true
        if inUse {
            return SubdomainVerdict(subdomain: subdomain, outcome: .taken,
                                    reason: "Another store already uses \(subdomain). Try a variation, such as \(subdomain)-shop.")
        }
        return SubdomainVerdict(subdomain: subdomain, outcome: .available, reason: "\(subdomain) is available.")
    }

    static func sentence(_ reason: String) -> String {
        switch reason {
        case "it is empty": return "Choose an address for your store."
        case "use at least 3 characters": return "Use at least 3 characters."
        case "use at most 63 characters": return "Use at most 63 characters."
        case "use only lower-case letters a-z, digits and hyphens":
            return "Use only letters a–z, digits and hyphens (no spaces, dots or accents)."
        case "it cannot start or end with a hyphen": return "An address can’t start or end with a hyphen."
        case "it cannot contain two hyphens in a row": return "An address can’t contain two hyphens in a row."
        default: return reason.prefix(1).uppercased() + reason.dropFirst() + "."
        }
    }

    /// Why a name is kept, by the group it belongs to.
    static func reservedReason(_ subdomain: String) -> String {
        if subdomain.hasPrefix("sf-") { return "Addresses starting with “sf-” are kept for Storefleet’s own use." }
        if subdomain.hasPrefix("xn--") {
            return "Addresses starting with “xn--” are kept for internationalised domain names."
        }
        for group in reservedGroups where group.names.contains(subdomain) {
            return "“\(subdomain)” \(group.reason)"
        }
        return "“\(subdomain)” is reserved for the platform."
    }

    static let reservedGroups: [(names: Set<String>, reason: String)] = [
        (["www", "admin", "api", "app", "apps", "static", "assets", "media", "cdn", "img", "images",
          "storefleet", "platform", "dashboard", "root", "system", "internal", "localhost", "metrics",
          "health", "webhooks", "dev", "staging", "test"],
         "is used by Storefleet’s own services."),
        (["mail", "smtp", "imap", "pop", "ftp", "mx", "ns1", "ns2", "autoconfig", "autodiscover",
          "postmaster", "abuse", "security"],
         "is kept for email and network services."),
        (["account", "accounts", "login", "logout", "signin", "signup", "register", "auth", "oauth", "sso",
          "billing", "checkout", "pay", "payments"],
         "looks like a sign-in or payment page, so shoppers could be misled by it."),
        (["help", "support", "status", "blog", "docs"],
         "is kept for Storefleet’s help, status and news pages."),
        (["store", "stores", "shop"],
         "is too general to name one store. Add your brand, such as “acme-shop”."),
    ]
}
