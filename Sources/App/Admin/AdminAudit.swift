#if canImport(Glibc)
import Glibc
#endif
import Foundation
import Postgres
import Registry

/// Audit lines for admin actions that change data: who (the user), what (an action name and the
/// fields it touched), when (the database's clock) and from where (the client's address as nginx
/// saw it, and the request id that ties it to the access log).
///
/// A store action is written twice: to the store's own `audit_log` in the same transaction as
/// the change (the admin's audit page reads it), and to the registry's `audit_log` (the
/// platform's view of every organization), inside the organization's scope.
enum AdminAudit {
    /// Writes the store's own line, in the caller's tenant transaction.
    static func recordInStore(_ db: Connection, site: PlatformSite, context: AdminContext, action: String,
                              subjectType: String? = nil, subjectId: String? = nil,
                              details: [String: String] = [:]) throws {
        let json = JSON(rawText: AdminAudit.jsonObject(details))
        let ip = AdminAudit.ipAddress(site.remoteAddress)
        try db.execute("""
            INSERT INTO audit_log (actor_kind, actor_id, actor_label, action, subject_type, subject_id,
                                   details, request_id, ip_address)
            VALUES ('user', \(String(context.session.userId)), \(context.session.userEmail), \(action),
                    \(subjectType), \(subjectId), \(json)::jsonb, \(site.request.requestId), \(ip)::inet)
            """)
    }

    /// Writes the registry's line (columns of registry migrations 0002 and 0003: `user_id`,
    /// `address`, `user_agent`), inside `OrganizationScope` of the store's organization.
    static func recordInRegistry(_ registry: Connection, site: PlatformSite, context: AdminContext,
                                 action: String, details: [String: String] = [:]) throws {
        var details = details
        details["request_id"] = site.request.requestId
        let json = JSON(rawText: jsonObject(details))
        let agent = site.request.headers["user-agent"].map { String($0.prefix(512)) }
        try registry.execute("""
            INSERT INTO audit_log (actor, action, org_id, store_id, details, user_id, address, user_agent)
            VALUES (\("user:\(context.session.userId)"), \(action), \(context.store.orgId), \(context.route.storeId),
                    \(json)::jsonb, \(context.session.userId), \(ipAddress(site.remoteAddress)), \(agent))
            """)
    }

    /// `{"key": "value"}` with sorted keys.
    static func jsonObject(_ values: [String: String]) -> String {
        let data = (try? JSONSerialization.data(withJSONObject: values, options: [.sortedKeys])) ?? Data("{}".utf8)
        return String(decoding: data, as: UTF8.self)
    }

    /// The client address when it is one (IPv4 or IPv6 text), else nil: it is cast to `inet`.
    static func ipAddress(_ text: String) -> String? {
        guard !text.isEmpty, text.utf8.count <= 64 else { return nil }
        var v4 = in_addr()
        var v6 = in6_addr()
        if inet_pton(AF_INET, text, &v4) == 1 || inet_pton(AF_INET6, text, &v6) == 1 { return text }
        return nil
    }
}
