import Foundation
import HTTP
import Liquid
import Postgres

extension StorefleetApp {
    /// `GET /store/:slug/admin/audit[?before=<id>]`: the store's own audit log, newest first,
    /// 50 lines a page, times in the store's timezone.
    func auditPage(_ site: PlatformSite, _ context: AdminContext, before: Int64?) throws -> Response {
        let zone = TimeZone(identifier: context.route.timezone) != nil ? context.route.timezone : "UTC"
        let pageSize = 50
        let rows = try withTenant(context.route) { db in
            try db.query("""
                SELECT id, to_char(occurred_at AT TIME ZONE \(zone), 'Mon FMDD, YYYY HH24:MI:SS') AS at,
                       actor_kind, actor_label, action, subject_type, subject_id, details::text AS details,
                       host(ip_address) AS ip
                FROM audit_log
                WHERE \(before ?? Int64.max) > id
                ORDER BY id DESC LIMIT \(Int32(pageSize + 1))
                """)
        }
        var entries: [Value] = []
        var nextBefore: Int64?
        for (i, row) in rows.enumerated() {
            let id: Int64 = try row.decode("id")
            if i == pageSize { break }
            if i == pageSize - 1, rows.count > pageSize { nextBefore = id }
            let kind: String = try row.decode("actor_kind")
            let label: String = try row.decode("actor_label")
            let action: String = try row.decode("action")
            entries.append([
                "at": .string(try row.decode("at")),
                "actor": .string(label.isEmpty ? AuditWording.actor(kind) : label),
                "action": .string(action),
                "description": .string(AuditWording.describe(action)),
                "details": .string(AuditWording.details(try row.decode("details"))),
                "ip": .string(try row.decode("ip", as: String?.self) ?? "—"),
            ])
        }
        var assigns: [String: Value] = ["entries": .array(entries), "timezone": .string(zone)]
        if let nextBefore { assigns["older_url"] = .string(context.adminURL + "/audit?before=\(nextBefore)") }
        if before != nil { assigns["newest_url"] = .string(context.adminURL + "/audit") }
        return try AdminPages.render(site, context, area: .audit, page: "admin/audit", title: "Audit log", assigns: assigns)
    }
}

/// Audit lines in words people read.
enum AuditWording {
    static func actor(_ kind: String) -> String {
        switch kind {
        case "system": return "Storefleet"
        case "customer": return "A customer"
        case "api": return "An app"
        default: return "Someone"
        }
    }

    static func describe(_ action: String) -> String {
        switch action {
        case "settings.update": return "Changed the store settings"
        case "store.create", "store.created": return "Created the store"
        default:
            // `discount.create` → "Discount create".
            let spaced = action.replacingOccurrences(of: ".", with: " ").replacingOccurrences(of: "_", with: " ")
            return spaced.prefix(1).uppercased() + spaced.dropFirst()
        }
    }

    /// `{"fields": "name,currency"}` → `fields: name, currency`.
    static func details(_ json: String) -> String {
        guard let data = json.data(using: .utf8),
              let object = try? JSONSerialization.jsonObject(with: data) as? [String: Any], !object.isEmpty else { return "" }
        return object.keys.sorted().map { key in
            let value = object[key].map { "\($0)" } ?? ""
            return key.replacingOccurrences(of: "_", with: " ") + ": "
                + value.replacingOccurrences(of: ",", with: ", ").prefix(200)
        }.joined(separator: " · ")
    }
}
