/// What one worker process needs to know to answer requests, read once at start-up.
///
/// The values come from the `STOREFLEET_*` environment keys of docs/CONTRACTS.md; the
/// executable's flags override them. Configuration is a value passed down, never a global.
public struct AppConfiguration: Sendable {
    /// The platform host, e.g. `storefleet.localhost`; stores live on its subdomains.
    public var platformDomain: String
    /// The registry database as the application role (`storefleet_app`).
    public var registryURL: String
    /// The master key file that opens tenant credentials; nil reads the key from the environment.
    public var masterKeyFile: String?
    /// Bearer token for `GET /metrics`; nil or empty refuses every metrics request.
    public var metricsToken: String?
    /// The `templates/` folder: `platform/` pages and `themes/<name>/`.
    public var templateDirectory: String
    /// The theme a store without a theme of its own is rendered with.
    public var defaultTheme: String
    /// Development: templates are re-read when their files change. Never on in production.
    public var developmentMode: Bool
    /// Seconds a store whose database was unreachable answers 503 before it is tried again
    /// (doubling per failure, at most 10 s); 0 tries on every request.
    public var tenantRetryDelay: Double
    /// Whether tenant connections may LISTEN (direct to PostgreSQL). Behind PgBouncer in
    /// transaction mode (`STOREFLEET_TENANT_POOL=pgbouncer`) they may not, and cached storefront
    /// pages are checked with one query per request instead of by notification.
    public var tenantNotifications: Bool
    /// Tenant connections one worker keeps open (an LRU). Workers × this must stay under each
    /// database server's `max_connections` (the local stack: 2 × 256 of 700). Below the number of stores a worker serves in turn, an
    /// LRU reconnects on almost every request, so size it to cover them, or the servers'
    /// tenant endpoints must be PgBouncer.
    public var tenantConnectionCapacity: Int
    /// The whole environment, handed to the keyring (which may read the key from a variable).
    public var environment: [String: String]

    public init(platformDomain: String, registryURL: String, masterKeyFile: String? = nil,
                metricsToken: String? = nil, templateDirectory: String = "templates",
                defaultTheme: String = "atelier", developmentMode: Bool = false,
                tenantRetryDelay: Double = 1, tenantNotifications: Bool = true,
                tenantConnectionCapacity: Int = 256, environment: [String: String] = [:]) {
        self.platformDomain = platformDomain
        self.registryURL = registryURL
        self.masterKeyFile = masterKeyFile
        self.metricsToken = metricsToken
        self.templateDirectory = templateDirectory
        self.defaultTheme = defaultTheme
        self.developmentMode = developmentMode
        self.tenantRetryDelay = tenantRetryDelay
        self.tenantNotifications = tenantNotifications
        self.tenantConnectionCapacity = tenantConnectionCapacity
        self.environment = environment
    }

    /// Environment keys, as listed in docs/CONTRACTS.md.
    public enum Key {
        public static let platformDomain = "STOREFLEET_PLATFORM_DOMAIN"
        public static let registryURL = "STOREFLEET_REGISTRY_URL"
        public static let masterKeyFile = "STOREFLEET_MASTER_KEY_FILE"
        public static let metricsToken = "STOREFLEET_METRICS_TOKEN"
        public static let templateDirectory = "STOREFLEET_TEMPLATE_DIR"
        public static let defaultTheme = "STOREFLEET_DEFAULT_THEME"
        public static let developmentMode = "STOREFLEET_DEV"
        public static let tenantRetryDelay = "STOREFLEET_TENANT_RETRY_SECONDS"
        public static let tenantPool = "STOREFLEET_TENANT_POOL"
        public static let tenantConnections = "STOREFLEET_TENANT_CONNECTIONS"
        // Payments (issue 7); read by `AppConfiguration.stripe` (Payments/StripeSettings.swift).
        public static let stripeAPIBase = "STOREFLEET_STRIPE_API_BASE"
        public static let stripeJSURL = "STOREFLEET_STRIPE_JS_URL"
        public static let stripeSecretKey = "STOREFLEET_STRIPE_SECRET_KEY"
        public static let stripePublishableKey = "STOREFLEET_STRIPE_PUBLISHABLE_KEY"
        public static let stripeWebhookSecret = "STOREFLEET_STRIPE_WEBHOOK_SECRET"
        public static let stripeFeePPM = "STOREFLEET_STRIPE_FEE_PPM"
        public static let stripeFeeFixedMinor = "STOREFLEET_STRIPE_FEE_FIXED_MINOR"
    }

    /// Reads the configuration from `environment`. `packageRoot` anchors the default template
    /// folder when `STOREFLEET_TEMPLATE_DIR` is not set.
    public static func fromEnvironment(_ environment: [String: String],
                                       packageRoot: String = ".") throws(ConfigurationError) -> AppConfiguration {
        func required(_ key: String) throws(ConfigurationError) -> String {
            guard let v = environment[key], !v.isEmpty else { throw ConfigurationError(missingKey: key) }
            return v
        }
        func optional(_ key: String) -> String? {
            guard let v = environment[key], !v.isEmpty else { return nil }
            return v
        }
        let dev = optional(Key.developmentMode).map { ["1", "true", "yes", "on"].contains($0.lowercased()) } ?? false
        return AppConfiguration(
            platformDomain: try required(Key.platformDomain).lowercased(),
            registryURL: try required(Key.registryURL),
            masterKeyFile: optional(Key.masterKeyFile),
            metricsToken: optional(Key.metricsToken),
            templateDirectory: optional(Key.templateDirectory) ?? packageRoot + "/templates",
            defaultTheme: optional(Key.defaultTheme) ?? "atelier",
            developmentMode: dev,
            tenantRetryDelay: optional(Key.tenantRetryDelay).flatMap(Double.init).map { max(0, $0) } ?? 1,
            tenantNotifications: optional(Key.tenantPool)?.lowercased() != "pgbouncer",
            tenantConnectionCapacity: optional(Key.tenantConnections).flatMap(Int.init).map { max(1, $0) } ?? 256,
            environment: environment)
    }
}

/// The configuration lacks a value the app cannot start without.
public struct ConfigurationError: Error, CustomStringConvertible {
    public let missingKey: String
    public var description: String { "missing configuration: set \(missingKey) (see docs/CONTRACTS.md)" }
}
