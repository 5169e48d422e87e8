import Crypto
import Foundation
import Postgres
import Registry
import Testing
import TestSupport

@Suite("Health and store listing")
struct HealthTests {
    @Test func healthProbesRecordReachabilityAndTheListShowsServerVersionAndHealth() throws {
        try RegistryFixture.run { f in
            let owner = try f.owner()
            let slug = RegistryFixture.uniqueSlug("health")
            let store = try f.provisioner(owner).provision(ProvisionRequest(slug: slug, name: "Health", server: "server2"))
            defer { _ = try? f.provisioner(owner).deprovision(slug: slug) }
            let probe = HealthProbe(registry: owner, keyring: f.keyring)

            let up = probe.probe(storeId: store.storeId, slug: slug)
            #expect(up.reachable)
            #expect((up.sizeBytes ?? 0) > 1_000_000)
            #expect((up.connections ?? 0) >= 1)

            // The store's database stops accepting its role: the probe says so, with the reason.
            let servers = DatabaseServers(registry: owner, keyring: f.keyring)
            let admin = try servers.adminConnection(try servers.server(named: "server2"))
            try admin.execute("REVOKE CONNECT ON DATABASE \(unsafeIdentifier: store.databaseName) FROM \(unsafeIdentifier: store.databaseName)")
            let samples = try probe.probeAll()
            let down = try #require(samples.first { $0.storeId == store.storeId })
            #expect(!down.reachable)
            #expect(down.error?.contains("permission denied") == true)

            let listed = try #require(try StoreAdmin(registry: owner).list().first { $0.slug == slug })
            #expect(listed.server == "server2")
            #expect(listed.version == f.tenantMigrations.latest)
            #expect(listed.status == "active")
            #expect(listed.reachable == false)
        }
    }
}
