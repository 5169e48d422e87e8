/// Where a store is in its life. Only `active` and `suspended` stores are ever returned by a
/// Host or slug lookup; a store being provisioned, failed or deleted is invisible to requests.
public enum StoreStatus: String, Sendable, CaseIterable {
    case provisioning, active, suspended, failed, deleted
}

/// The routing fields of a store: what the Host lookup returns, and nothing else.
public struct StoreRoute: Sendable, Equatable {
    public let storeId: Int64
    public let slug: String
    public let name: String
    public let status: StoreStatus
    public let currency: String
    public let locale: String
    public let timezone: String
    /// The custom domain marked primary, else nil.
    public let primaryHost: String?

    public init(storeId: Int64, slug: String, name: String, status: StoreStatus, currency: String,
                locale: String, timezone: String, primaryHost: String?) {
        self.storeId = storeId
        self.slug = slug
        self.name = name
        self.status = status
        self.currency = currency
        self.locale = locale
        self.timezone = timezone
        self.primaryHost = primaryHost
    }
}

/// What a request's Host header names.
public enum HostResolution: Sendable, Equatable {
    /// The platform host (`PLATFORM_DOMAIN`, `localhost`, `127.0.0.1`): sign-up, wizard, admin.
    case platform
    /// A store's storefront, on `<slug>.PLATFORM_DOMAIN` or a verified custom domain.
    case store(StoreRoute)
    /// No store answers to this host.
    case unknown
}
