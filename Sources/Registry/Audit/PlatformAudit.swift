import Foundation
import Postgres

/// The registry's audit log of platform actions (a store's own actions are audited in its
/// database by the code that makes them, in the same transaction).
public enum PlatformAudit {
    public static func record(_ registry: Connection, actor: String, action: String,
                              orgId: Int64? = nil, storeId: Int64? = nil,
                              details: [String: String] = [:]) throws {
        let json = JSON(rawText: jsonObject(details))
        try registry.execute("""
            INSERT INTO audit_log (actor, action, org_id, store_id, details)
            VALUES (\(actor), \(action), \(orgId), \(storeId), \(json)::jsonb)
            """)
    }

    static func jsonObject(_ values: [String: String]) -> String {
        let data = (try? JSONSerialization.data(withJSONObject: values, options: [.sortedKeys])) ?? Data("{}".utf8)
        return String(decoding: data, as: UTF8.self)
    }
}
