import Foundation
import Postgres

/// One line of `storefleet stores list`.
public struct StoreListing: Sendable {
    public let id: Int64
    public let slug: String
    public let name: String
    public let status: String
    public let server: String?
    public let version: String?
    public let reachable: Bool?
    public let latencyMs: Double?
    public let checkedAt: Date?
}

/// Platform operations on stores and their domains. Connect as storefleet_owner.
public struct StoreAdmin {
    public let registry: Connection

    public init(registry: Connection) {
        self.registry = registry
    }

    public func list() throws -> [StoreListing] {
        try registry.query("""
            SELECT s.id, s.slug, s.name, s.status::text AS status, ds.name AS server, td.schema_version,
                   h.reachable, h.latency_ms, h.checked_at
            FROM stores s
            LEFT JOIN tenant_databases td ON td.store_id = s.id AND td.status <> 'dropped'
            LEFT JOIN database_servers ds ON ds.id = td.server_id
            LEFT JOIN LATERAL (
                SELECT reachable, latency_ms, checked_at FROM tenant_database_health
                WHERE store_id = s.id ORDER BY checked_at DESC LIMIT 1) h ON true
            WHERE s.status <> 'deleted'
            ORDER BY s.slug
            """).map { row in
            StoreListing(id: try row.decode("id"), slug: try row.decode("slug"), name: try row.decode("name"),
                         status: try row.decode("status"), server: try row.decode("server"),
                         version: try row.decode("schema_version"), reachable: try row.decode("reachable"),
                         latencyMs: try row.decode("latency_ms"), checkedAt: try row.decode("checked_at"))
        }
    }

    /// Takes an active store offline (its storefront answers "unavailable"); reversible.
    public func suspend(slug: String) throws {
        try setStatus(slug: slug, from: .active, to: .suspended, action: "store.suspend")
    }

    public func resume(slug: String) throws {
        try setStatus(slug: slug, from: .suspended, to: .active, action: "store.resume")
    }

    func setStatus(slug: String, from: StoreStatus, to: StoreStatus, action: String) throws {
        guard let store = try StoreRecord.find(slug: slug, in: registry) else {
            throw RegistryError.storeNotFound("with the slug \(slug)")
        }
        if store.status == to { return }
        guard store.status == from else {
            throw RegistryError.wrongStatus(slug: slug, status: store.status.rawValue, action: String(action.dropFirst(6)))
        }
        try registry.transaction { db in
            try db.execute("UPDATE stores SET status = \(to.rawValue)::store_status WHERE id = \(store.id)")
            try PlatformAudit.record(db, actor: "cli", action: action, orgId: store.orgId, storeId: store.id,
                                     details: ["slug": slug])
        }
    }

    /// Points a custom domain at a store. `verified` stands for a DNS check done elsewhere;
    /// only verified domains resolve.
    @discardableResult
    public func addDomain(store slug: String, host rawHost: String, verified: Bool = false,
                          primary: Bool = false) throws -> Int64 {
        let host = try StoreAdmin.normalizeHost(rawHost)
        guard let store = try StoreRecord.find(slug: slug, in: registry) else {
            throw RegistryError.storeNotFound("with the slug \(slug)")
        }
        return try registry.transaction { db in
            if primary {
                try db.execute("UPDATE domains SET is_primary = false WHERE store_id = \(store.id) AND is_primary")
            }
            let rows: [Row]
            do {
                rows = try db.query("""
                    INSERT INTO domains (host, store_id, verified, is_primary, verified_at)
                    VALUES (\(host), \(store.id), \(verified), \(primary), CASE WHEN \(verified) THEN now() END)
                    ON CONFLICT (host) DO UPDATE SET verified = EXCLUDED.verified OR domains.verified,
                        is_primary = EXCLUDED.is_primary,
                        verified_at = coalesce(domains.verified_at, EXCLUDED.verified_at)
                    WHERE domains.store_id = EXCLUDED.store_id
                    RETURNING id
                    """)
            }
            guard let id = try rows.first?.decode("id", as: Int64.self) else { throw RegistryError.domainTaken(host) }
            try PlatformAudit.record(db, actor: "cli", action: "domain.add", orgId: store.orgId, storeId: store.id,
                                     details: ["host": host, "verified": verified ? "true" : "false"])
            return id
        }
    }

    /// Lower-case, no port, no trailing dot; letters, digits, hyphens and dots only.
    public static func normalizeHost(_ raw: String) throws(RegistryError) -> String {
        var host = raw.lowercased().trimmingCharacters(in: .whitespaces)
        if host.hasSuffix(".") { host.removeLast() }
        let labels = host.split(separator: ".", omittingEmptySubsequences: false)
        guard labels.count >= 2, host.utf8.count <= 253 else { throw .invalidHost(raw) }
        for label in labels {
            guard !label.isEmpty, label.utf8.count <= 63, !label.hasPrefix("-"), !label.hasSuffix("-"),
                  label.unicodeScalars.allSatisfy({ ("a"..."z").contains($0) || ("0"..."9").contains($0) || $0 == "-" })
            else { throw .invalidHost(raw) }
        }
        return host
    }
}
