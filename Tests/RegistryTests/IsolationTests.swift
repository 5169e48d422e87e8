import Crypto
import Foundation
import Postgres
import Registry
import Testing
import TestSupport

@Suite("Row-level security and routing")
struct IsolationTests {
    @Test func theAppRoleSeesOnlyTheOrganizationSetInItsTransaction() throws {
        try RegistryFixture.run { f in
            let scratch = try ScratchRegistry(f)
            defer { try? scratch.drop(f) }
            let owner = try scratch.owner()
            var orgs: [Int64] = []
            for name in ["Org A", "Org B"] {
                let id: Int64 = try owner.queryFirst("INSERT INTO organizations (name) VALUES (\(name)) RETURNING id")!.decode("id")
                orgs.append(id)
                for n in 1...2 {
                    try owner.execute("""
                        INSERT INTO stores (org_id, slug, name) VALUES (\(id), \(RegistryFixture.uniqueSlug("rls\(n)")), \(name))
                        """)
                }
            }
            let app = try scratch.app()
            // No org set: nothing at all.
            #expect(try app.query("SELECT id FROM stores").isEmpty)
            #expect(try app.query("SELECT id FROM organizations").isEmpty)
            for org in orgs {
                let seen: [Int64] = try OrganizationScope.run(app, orgId: org) { db in
                    try db.query("SELECT org_id FROM stores").map { try $0.decode("org_id", as: Int64.self) }
                }
                #expect(seen.count == 2)
                #expect(seen.allSatisfy { $0 == org })
            }
            // The setting is transaction-local: gone after COMMIT (safe behind PgBouncer).
            #expect(try app.query("SELECT id FROM stores").isEmpty)
            // Writing into another org is refused.
            #expect(throws: PostgresError.self) {
                try app.transaction { db in
                    try db.execute("SELECT set_config('storefleet.org_id', \(String(orgs[0])), true)")
                    try db.execute("INSERT INTO stores (org_id, slug, name) VALUES (\(orgs[1]), 'sneaky-store', 'X')")
                }
            }
            // The app owns nothing and cannot read credentials or servers directly.
            #expect(throws: PostgresError.self) { _ = try app.query("SELECT * FROM tenant_connections") }
            #expect(throws: PostgresError.self) { _ = try app.query("SELECT * FROM database_servers") }
            #expect(try app.queryFirst("""
                SELECT count(*) AS n FROM pg_tables WHERE schemaname = current_schema() AND tableowner = current_user
                """)?.decode("n", as: Int.self) == 0)
        }
    }

    @Test func directoryResolvesPlatformSlugsAndVerifiedDomainsAndForgetsOnNotify() throws {
        try RegistryFixture.run { f in
            let owner = try f.owner()
            let slug = RegistryFixture.uniqueSlug("dir")
            let store = try f.provisioner(owner).provision(ProvisionRequest(slug: slug, name: "Dir"))
            defer { _ = try? f.provisioner(owner).deprovision(slug: slug) }
            let directory = try f.directory()
            #expect(try directory.resolve(host: f.platformDomain) == .platform)
            #expect(try directory.resolve(host: "localhost") == .platform)
            #expect(try directory.resolve(host: "127.0.0.1") == .platform)
            #expect(try directory.resolve(host: "nope-\(slug).\(f.platformDomain)") == .unknown)
            #expect(try directory.resolve(host: "a.\(slug).\(f.platformDomain)") == .unknown)

            // A custom domain resolves only once verified; the change applies at once via NOTIFY.
            let host = "\(slug).example.test"
            let admin = StoreAdmin(registry: owner)
            try admin.addDomain(store: slug, host: host)
            #expect(try directory.resolve(host: host) == .unknown)
            try admin.addDomain(store: slug, host: host, verified: true, primary: true)
            #expect(directory.waitForInvalidation(timeoutMilliseconds: 5000))
            guard case .store(let route) = try directory.resolve(host: host) else {
                Issue.record("verified domain does not resolve"); return
            }
            #expect(route.storeId == store.storeId)
            #expect(route.primaryHost == host)

            // Suspension shows at once in a worker that had the route cached.
            try admin.suspend(slug: slug)
            #expect(directory.waitForInvalidation(timeoutMilliseconds: 5000))
            #expect(try directory.resolve(slug: slug)?.status == .suspended)
            try admin.resume(slug: slug)
            #expect(directory.waitForInvalidation(timeoutMilliseconds: 5000))
            #expect(try directory.resolve(slug: slug)?.status == .active)
        }
    }
}
