import Foundation
import Postgres

extension Provisioner {
    /// Removes a store's database, role and credentials and marks it `deleted` (its slug is free
    /// again). Works on a store in any state, including one whose provisioning failed half-way;
    /// running it twice is harmless.
    public func deprovision(slug: String) throws {
        guard let store = try StoreRecord.find(slug: slug, in: registry) else {
            throw RegistryError.storeNotFound("with the slug \(slug)")
        }
        try registry.execute("SELECT pg_advisory_lock(\(Provisioner.storeLockClass), \(Int32(truncatingIfNeeded: store.id)))")
        defer { _ = try? registry.execute("SELECT pg_advisory_unlock(\(Provisioner.storeLockClass), \(Int32(truncatingIfNeeded: store.id)))") }
        // Invisible first: from here on no request resolves to it.
        try registry.execute("UPDATE stores SET status = 'failed' WHERE id = \(store.id)")
        if let placement = try TenantPlacement.find(storeId: store.id, in: registry) {
            let server = try servers.server(id: placement.serverId)
            let admin = try servers.adminConnection(server)
            try dropDatabase(placement.databaseName, role: placement.databaseName, admin: admin)
            try admin.execute("DROP ROLE IF EXISTS \(unsafeIdentifier: placement.databaseName)")
        } else {
            // A provisioning that failed before placement may still have made nothing; nothing to drop.
        }
        try registry.transaction { db in
            try db.execute("DELETE FROM tenant_connections WHERE store_id = \(store.id)")
            try db.execute("UPDATE tenant_databases SET status = 'dropped' WHERE store_id = \(store.id)")
            try db.execute("DELETE FROM domains WHERE store_id = \(store.id)")
            try db.execute("""
                UPDATE stores SET status = 'deleted', deleted_at = now() WHERE id = \(store.id)
                """)
            try PlatformAudit.record(db, actor: "provisioner", action: "store.deprovision", orgId: store.orgId,
                                     storeId: store.id, details: ["slug": store.slug])
        }
    }

    /// DROP DATABASE, ending the store's own sessions first (workers' cached connections).
    /// Terminating another role's sessions takes membership in that role, so the admin takes
    /// it just before (the role is dropped right after).
    func dropDatabase(_ name: String, role: String, admin: Connection) throws {
        if try !admin.query("SELECT 1 FROM pg_roles WHERE rolname = \(role)").isEmpty {
            try admin.execute("GRANT \(unsafeIdentifier: role) TO CURRENT_USER")
        }
        try admin.execute("DROP DATABASE IF EXISTS \(unsafeIdentifier: name) WITH (FORCE)")
    }
}
