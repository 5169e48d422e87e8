import Foundation
import Postgres

/// The registry's audit log of platform actions (a store's own actions are audited in its
/// database by the code that makes them, in the same transaction).
public enum PlatformAudit {
    /// `address` is where the action came from (the client's IP address), when a person did it.
    public static func record(_ registry: Connection, actor: String, action: String,
                              orgId: Int64? = nil, storeId: Int64? = nil,
                              details: [String: String] = [:], address: String? = nil) throws {
        let json = JSON(rawText: jsonObject(details))
        try registry.execute("""
            INSERT INTO audit_log (actor, action, org_id, store_id, details, address)
            VALUES (\(actor), \(action), \(orgId), \(storeId), \(json)::jsonb, \(address.map { String($0.prefix(64)) }))
            """)
    }

    static func jsonObject(_ values: [String: String]) -> String {
        let data = (try? JSONSerialization.data(withJSONObject: values, options: [.sortedKeys])) ?? Data("{}".utf8)
        return String(decoding: data, as: UTF8.self)
    }
}
