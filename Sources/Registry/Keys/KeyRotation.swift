import Crypto
import Foundation
import Postgres

/// `storefleet keys rotate`: appends a new current key to the key file, then re-seals every
/// sealed value in the registry under it, in one transaction (all or nothing). The old keys stay
/// in the file, so a value sealed under one still opens until it is re-sealed.
public enum KeyRotation {
    public struct Result: Sendable {
        public let newKeyID: String
        public let resealed: Int
    }

    public static func rotate(registry: Connection, keyFile: String) throws -> Result {
        let kid = try Keyring.appendNewKey(toFile: keyFile)
        let keyring = try Keyring.load(file: keyFile, environment: [:])
        let resealed = try reseal(registry: registry, keyring: keyring)
        try PlatformAudit.record(registry, actor: "cli", action: "keys.rotate",
                                 details: ["key_id": kid, "resealed": String(resealed)])
        return Result(newKeyID: kid, resealed: resealed)
    }

    /// Re-seals every value not sealed under the keyring's current key; returns how many.
    public static func reseal(registry: Connection, keyring: Keyring) throws -> Int {
        try registry.transaction { db in
            var count = 0
            for row in try db.query("SELECT id, admin_conninfo_sealed FROM database_servers ORDER BY id FOR UPDATE") {
                let sealed: String = try row.decode("admin_conninfo_sealed")
                guard keyring.needsResealing(sealed) else { continue }
                let fresh = try keyring.seal(try keyring.open(sealed))
                try db.execute("UPDATE database_servers SET admin_conninfo_sealed = \(fresh) WHERE id = \(try row.decode("id", as: Int64.self))")
                count += 1
            }
            for row in try db.query("SELECT store_id, password_sealed FROM tenant_connections ORDER BY store_id FOR UPDATE") {
                let sealed: String = try row.decode("password_sealed")
                guard keyring.needsResealing(sealed) else { continue }
                let fresh = try keyring.seal(try keyring.open(sealed))
                try db.execute("""
                    UPDATE tenant_connections SET password_sealed = \(fresh), rotated_at = now()
                    WHERE store_id = \(try row.decode("store_id", as: Int64.self))
                    """)
                count += 1
            }
            return count
        }
    }
}
