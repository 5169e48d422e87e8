import Postgres

/// A store a user reaches and the role they reach it with: a line of the store switcher, and what
/// an admin page checks before it shows anything.
public struct StoreAccess: Sendable, Equatable {
    public let orgId: Int64
    public let orgName: String
    public let role: MembershipRole
    public let storeId: Int64
    public let slug: String
    public let name: String
    public let status: StoreStatus
    /// True when the membership is limited to some of the organization's stores.
    public let limited: Bool

    public func allows(_ permission: Permission) -> Bool { role.allows(permission) }

    init(_ row: Row) throws {
        orgId = try row.decode("org_id")
        orgName = try row.decode("org_name")
        role = try row.decode("role")
        storeId = try row.decode("store_id")
        slug = try row.decode("slug")
        name = try row.decode("name")
        let status: String = try row.decode("status")
        self.status = StoreStatus(rawValue: status) ?? .failed
        limited = try row.decode("limited")
    }
}

/// An organization a user belongs to, with their role in it.
public struct OrganizationMembership: Sendable, Equatable {
    public let orgId: Int64
    public let orgName: String
    public let role: MembershipRole
    /// How many live stores the organization has, and may have.
    public let storeCount: Int
    public let storeLimit: Int
}

/// How many more stores an organization may create (the wizard asks before its first step;
/// a trigger on `stores` enforces the limit whatever the caller).
public struct StoreAllowance: Sendable, Equatable {
    public let used: Int
    public let limit: Int

    public init(used: Int, limit: Int) {
        self.used = used
        self.limit = limit
    }

    public var remaining: Int { max(0, limit - used) }
    public var canCreate: Bool { used < limit }
}

/// Who did something and from where, for the audit log.
public struct AuditOrigin: Sendable, Equatable {
    public let userId: Int64
    /// The client's address as nginx saw it; nil when unknown.
    public let ip: String?
    public let userAgent: String?

    public init(userId: Int64, ip: String? = nil, userAgent: String? = nil) {
        self.userId = userId
        // The columns' CHECKs count characters as PostgreSQL does: Unicode scalars.
        func bounded(_ text: String?, _ limit: Int) -> String? {
            guard let text, !text.isEmpty else { return nil }
            return String(String.UnicodeScalarView(text.unicodeScalars.prefix(limit)))
        }
        self.ip = bounded(ip, 64)
        self.userAgent = bounded(userAgent, 512)
    }

    /// Writes one line of the registry's audit log, in the caller's transaction (whose
    /// organization scope must be `orgId`).
    func record(_ db: Connection, action: String, orgId: Int64, storeId: Int64? = nil,
                details: [String: String] = [:]) throws {
        let json = JSON(rawText: PlatformAudit.jsonObject(details))
        try db.execute("""
            INSERT INTO audit_log (actor, action, org_id, store_id, details, user_id, address, user_agent)
            VALUES (\("user:\(userId)"), \(action), \(orgId), \(storeId), \(json)::jsonb, \(userId), \(ip), \(userAgent))
            """)
    }
}
