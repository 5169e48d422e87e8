/// Store slugs: the first label of `<slug>.PLATFORM_DOMAIN`, so a DNS label of lower-case
/// letters, digits and inner hyphens, and never a name the platform uses itself.
public enum Slug {
    /// Names the platform keeps: its own hosts, and words a shopper could be fooled by.
    public static let reserved: Set<String> = [
        "www", "admin", "api", "app", "apps", "mail", "smtp", "imap", "pop", "ftp", "static", "assets",
        "media", "cdn", "img", "images", "storefleet", "platform", "dashboard", "account", "accounts",
        "login", "logout", "signin", "signup", "register", "auth", "oauth", "sso", "help", "support",
        "status", "blog", "docs", "dev", "staging", "test", "billing", "checkout", "pay", "payments",
        "store", "stores", "shop", "root", "system", "internal", "localhost", "metrics", "health",
        "webhooks", "ns1", "ns2", "mx", "autoconfig", "autodiscover", "security", "abuse", "postmaster",
    ]

    /// Throws a message a merchant can act on, or returns the slug as given.
    public static func validate(_ slug: String) throws(RegistryError) -> String {
        if slug.isEmpty { throw .invalidSlug(slug, reason: "it is empty") }
        if slug.utf8.count < 3 { throw .invalidSlug(slug, reason: "use at least 3 characters") }
        if slug.utf8.count > 63 { throw .invalidSlug(slug, reason: "use at most 63 characters") }
        for c in slug.unicodeScalars where !(("a"..."z").contains(c) || ("0"..."9").contains(c) || c == "-") {
            throw .invalidSlug(slug, reason: "use only lower-case letters a-z, digits and hyphens")
        }
        if slug.hasPrefix("-") || slug.hasSuffix("-") {
            throw .invalidSlug(slug, reason: "it cannot start or end with a hyphen")
        }
        if slug.contains("--") { throw .invalidSlug(slug, reason: "it cannot contain two hyphens in a row") }
        if reserved.contains(slug) || slug.hasPrefix("sf-") || slug.hasPrefix("xn--") {
            throw .reservedSlug(slug)
        }
        return slug
    }
}
