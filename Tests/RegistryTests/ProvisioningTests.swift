import Crypto
import Foundation
import Postgres
import Registry
import Testing
import TestSupport

@Suite("Provisioning")
struct ProvisioningTests {
    @Test func provisionedStoreResolvesByHostAndServesFromItsOwnDatabase() throws {
        try RegistryFixture.run { f in
            let owner = try f.owner()
            let slug = RegistryFixture.uniqueSlug("shop")
            let store = try f.provisioner(owner).provision(ProvisionRequest(slug: slug, name: "Shop", currency: "USD"))
            defer { _ = try? f.provisioner(owner).deprovision(slug: slug) }
            #expect(store.version == f.tenantMigrations.latest)

            let directory = try f.directory()
            guard case .store(let route) = try directory.resolve(host: slug + "." + f.platformDomain) else {
                Issue.record("the new store does not resolve"); return
            }
            #expect(route.storeId == store.storeId)
            #expect(route.currency == "USD")
            #expect(route.status == .active)
            let tenant = try directory.tenantConnection(storeId: store.storeId)
            let me = try tenant.queryFirst("SELECT current_user AS u, current_database() AS d")
            #expect(try me?.decode("u", as: String.self) == store.databaseName)
            #expect(try me?.decode("d", as: String.self) == store.databaseName)
            // The store's own settings carry what the merchant chose.
            let settings = try tenant.queryFirst("SELECT name, currency FROM store_settings")
            #expect(try settings?.decode("name", as: String.self) == "Shop")
            #expect(try settings?.decode("currency", as: String.self) == "USD")
            // The store's own audit log starts with its creation.
            #expect(try tenant.queryFirst("SELECT count(*) AS n FROM audit_log WHERE action = 'store.provision'")?
                .decode("n", as: Int.self) == 1)
            // The store's role reads and writes its tables (granted through the tenant group role).
            try tenant.execute("INSERT INTO outbox (topic) VALUES ('test.ping')")
            #expect(try tenant.queryFirst("SELECT count(*) AS n FROM outbox")?.decode("n", as: Int.self) == 1)

            // The registry's ledger lists every tenant migration for the store.
            let ledger = try owner.query("SELECT migration FROM tenant_migrations WHERE store_id = \(store.storeId) ORDER BY migration")
            #expect(try ledger.map { try $0.decode("migration", as: String.self) } == f.tenantMigrations.files.map(\.name))
        }
    }

    @Test func storeRoleCannotConnectToAnotherStoresDatabase() throws {
        try RegistryFixture.run { f in
            let owner = try f.owner()
            let a = RegistryFixture.uniqueSlug("iso-a"), b = RegistryFixture.uniqueSlug("iso-b")
            let storeA = try f.provisioner(owner).provision(ProvisionRequest(slug: a, name: "A", server: "server1"))
            defer { _ = try? f.provisioner(owner).deprovision(slug: a) }
            let storeB = try f.provisioner(owner).provision(ProvisionRequest(slug: b, name: "B", server: "server1"))
            defer { _ = try? f.provisioner(owner).deprovision(slug: b) }

            let aInfo = try TenantConnector.connInfo(storeId: storeA.storeId, registry: owner, keyring: f.keyring)
            // A's own credentials work on A's database...
            _ = try Connection(url: aInfo.keywordString)
            // ...and are refused on B's, and on the template.
            #expect(throws: PostgresError.self) { _ = try Connection(url: aInfo.database(storeB.databaseName).keywordString) }
            #expect(throws: PostgresError.self) { _ = try Connection(url: aInfo.database("sf_template").keywordString) }
            // ...and on the server's maintenance databases (scripts/stack.sh revokes PUBLIC's CONNECT).
            #expect(throws: PostgresError.self) { _ = try Connection(url: aInfo.database("postgres").keywordString) }
            #expect(throws: PostgresError.self) { _ = try Connection(url: aInfo.database("template1").keywordString) }
        }
    }

    @Test(arguments: ProvisionStep.allCases)
    func provisioningRetriesAfterAFailureAt(step: ProvisionStep) throws {
        try RegistryFixture.run { f in
            let owner = try f.owner()
            let slug = RegistryFixture.uniqueSlug("retry")
            let directory = try f.directory()
            do {
                _ = try f.provisioner(owner, failAt: step).provision(ProvisionRequest(slug: slug, name: "Retry"))
                Issue.record("provisioning did not fail at \(step)")
            } catch let error as RegistryError {
                #expect("\(error)".contains("step \(step.rawValue)"))
            }
            defer { _ = try? f.provisioner(owner).deprovision(slug: slug) }
            // Never visible before it is complete.
            #expect(try directory.resolve(slug: slug) == nil)
            let status = try owner.queryFirst("SELECT status::text AS s FROM stores WHERE slug = \(slug) AND status <> 'deleted'")
            #expect(try status?.decode("s", as: String.self) == "failed")

            let store = try f.provisioner(owner).provision(ProvisionRequest(slug: slug, name: "Retry"))
            #expect(directory.waitForInvalidation(timeoutMilliseconds: 5000))
            #expect(try directory.resolve(slug: slug)?.storeId == store.storeId)
            let tenant = try directory.tenantConnection(storeId: store.storeId)
            #expect(try tenant.queryFirst("SELECT count(*) AS n FROM sf_schema_migrations")?.decode("n", as: Int.self)
                    == f.tenantMigrations.files.count)
            #expect(try tenant.queryFirst("SELECT count(*) AS n FROM audit_log WHERE action = 'store.provision'")?
                .decode("n", as: Int.self) == 1)
            // One ledger entry per migration, even after a retry.
            let ledger = try owner.queryFirst("SELECT count(*) AS n FROM tenant_migrations WHERE store_id = \(store.storeId)")
            #expect(try ledger?.decode("n", as: Int.self) == f.tenantMigrations.files.count)
        }
    }

    @Test func deprovisionRemovesDatabaseRoleAndRouteAndFreesTheSlug() throws {
        try RegistryFixture.run { f in
            let owner = try f.owner()
            let slug = RegistryFixture.uniqueSlug("gone")
            let store = try f.provisioner(owner).provision(ProvisionRequest(slug: slug, name: "Gone", server: "server2"))
            let info = try TenantConnector.connInfo(storeId: store.storeId, registry: owner, keyring: f.keyring)
            let directory = try f.directory()
            _ = try directory.tenantConnection(storeId: store.storeId)   // a worker holds a connection

            try f.provisioner(owner).deprovision(slug: slug)
            directory.pollInvalidations()
            #expect(try directory.resolve(slug: slug) == nil)
            #expect(throws: PostgresError.self) { _ = try Connection(url: info.keywordString) }
            let servers = DatabaseServers(registry: owner, keyring: f.keyring)
            let admin = try servers.adminConnection(try servers.server(named: "server2"))
            #expect(try admin.query("SELECT 1 FROM pg_database WHERE datname = \(store.databaseName)").isEmpty)
            #expect(try admin.query("SELECT 1 FROM pg_roles WHERE rolname = \(store.databaseName)").isEmpty)

            // The slug can be used again.
            _ = try f.provisioner(owner).provision(ProvisionRequest(slug: slug, name: "Again"))
            try f.provisioner(owner).deprovision(slug: slug)
        }
    }

    @Test func reservedAndInvalidSlugsAreRefusedWithAClearMessage() throws {
        #expect(throws: RegistryError.reservedSlug("admin")) { try Slug.validate("admin") }
        #expect(throws: RegistryError.reservedSlug("www")) { try Slug.validate("www") }
        for bad in ["", "ab", "Shop", "my_shop", "-shop", "shop-", "sh--op", "shöp", "a.b", String(repeating: "a", count: 64)] {
            #expect(throws: RegistryError.self) { try Slug.validate(bad) }
        }
        #expect(try Slug.validate("my-shop-1") == "my-shop-1")
        #expect("\(RegistryError.reservedSlug("api"))".contains("reserved"))

        try RegistryFixture.run { f in
            let owner = try f.owner()
            #expect(throws: RegistryError.reservedSlug("static")) {
                _ = try f.provisioner(owner).provision(ProvisionRequest(slug: "static", name: "X"))
            }
            #expect(try owner.query("SELECT 1 FROM stores WHERE slug = 'static'").isEmpty)
        }
    }

    @Test func storesArePlacedOnBothServersAndServedFromBoth() throws {
        try RegistryFixture.run { f in
            let owner = try f.owner()
            var slugs: [String] = []
            defer { for s in slugs { _ = try? f.provisioner(owner).deprovision(slug: s) } }
            let directory = try f.directory()
            for server in f.serverNames {
                let slug = RegistryFixture.uniqueSlug("place")
                slugs.append(slug)
                let store = try f.provisioner(owner).provision(ProvisionRequest(slug: slug, name: "P", server: server))
                #expect(store.serverName == server)
                let tenant = try directory.tenantConnection(storeId: store.storeId)
                let port = try tenant.queryFirst("SELECT current_setting('port') AS p")?.decode("p", as: String.self)
                // The server's own port (the tenant endpoint may be PgBouncer in front of it).
                let servers = DatabaseServers(registry: owner, keyring: f.keyring)
                #expect(port == (try servers.adminConnInfo(try servers.server(named: server))["port"]))
            }
            // Without --server, the least-loaded server is chosen.
            #expect(Placement.choose([ServerLoad(serverId: 1, stores: 10, capacity: 100),
                                      ServerLoad(serverId: 2, stores: 3, capacity: 100)]) == 2)
            #expect(Placement.choose([ServerLoad(serverId: 1, stores: 10, capacity: 100),
                                      ServerLoad(serverId: 2, stores: 10, capacity: 10)]) == 1)
            #expect(Placement.choose([ServerLoad(serverId: 1, stores: 5, capacity: 5)]) == nil)
        }
    }
}
