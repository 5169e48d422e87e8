import Crypto
import Foundation
import Postgres
import Registry
import Testing
import TestSupport

@Suite("Key rotation")
struct KeyRotationTests {
    @Test func rotationAppendsACurrentKeyAndResealsEverySealedValue() throws {
        try RegistryFixture.run { f in
            let scratch = try ScratchRegistry(f)
            defer { try? scratch.drop(f) }
            let owner = try scratch.owner()
            // A key file of its own, starting with one key.
            let keyFile = NSTemporaryDirectory() + "sf-keys-" + RegistryFixture.uniqueSlug("k")
            try Keyring.appendNewKey(toFile: keyFile, kid: "old")
            let before = try Keyring.load(file: keyFile, environment: [:])
            let servers = DatabaseServers(registry: owner, keyring: before)
            let adminURL = try f.stack.value("STOREFLEET_SERVER1_ADMIN_URL")
            try servers.add(name: "s1", adminURL: adminURL, tenantHost: "127.0.0.1", tenantPort: 5432)
            let storeId: Int64 = try owner.queryFirst("INSERT INTO stores (slug, name) VALUES ('rot-store', 'R') RETURNING id")!.decode("id")
            try owner.execute("""
                INSERT INTO tenant_connections (store_id, role_name, password_sealed)
                VALUES (\(storeId), 'r', \(try before.seal(Array("s3cret".utf8))))
                """)

            let result = try KeyRotation.rotate(registry: owner, keyFile: keyFile)
            #expect(result.resealed == 2)
            let after = try Keyring.load(file: keyFile, environment: [:])
            #expect(after.keyIDs == ["old", result.newKeyID])

            let sealedURL: String = try owner.queryFirst("SELECT admin_conninfo_sealed FROM database_servers")!.decode("admin_conninfo_sealed")
            let sealedPassword: String = try owner.queryFirst("SELECT password_sealed FROM tenant_connections")!.decode("password_sealed")
            for sealed in [sealedURL, sealedPassword] {
                #expect(Keyring.keyID(of: sealed) == result.newKeyID)
                #expect(!after.needsResealing(sealed))
                // The old key alone no longer opens anything.
                #expect(throws: (any Error).self) { _ = try before.open(sealed) }
            }
            #expect(String(decoding: try after.open(sealedURL), as: UTF8.self) == adminURL)
            #expect(String(decoding: try after.open(sealedPassword), as: UTF8.self) == "s3cret")
            // Nothing left to re-seal.
            #expect(try KeyRotation.reseal(registry: owner, keyring: after) == 0)
        }
    }
}
