import Crypto
import Foundation
import Postgres
import Registry
import Testing
import TestSupport

@Suite("Migrations")
struct MigrationTests {
    @Test func migrateCarriesOnAcrossTenantsWhenOneIsBroken() throws {
        try RegistryFixture.run { f in
            let owner = try f.owner()
            let template = "sf_tpl_" + RegistryFixture.uniqueSlug("x").replacingOccurrences(of: "-", with: "_")
            let base = try f.tenantMigrationsCopy()
            var slugs: [String] = []
            defer {
                for s in slugs { _ = try? f.provisioner(owner, migrations: base, template: template).deprovision(slug: s) }
                try? f.dropTemplate(template, owner: owner)
            }
            var stores: [ProvisionedStore] = []
            for i in 0..<6 {
                let slug = RegistryFixture.uniqueSlug("mig")
                slugs.append(slug)
                stores.append(try f.provisioner(owner, migrations: base, template: template)
                    .provision(ProvisionRequest(slug: slug, name: "M", server: f.serverNames[i % 2])))
            }
            // Break the third store: the new migration's table already exists there.
            let broken = stores[2]
            let servers = DatabaseServers(registry: owner, keyring: f.keyring)
            let brokenServer = try servers.server(named: broken.serverName)
            try servers.adminConnection(brokenServer, database: broken.databaseName)
                .execute("CREATE TABLE loyalty_points (id int)")

            let next = try f.tenantMigrationsCopy(extra: [
                "9000_loyalty": "CREATE TABLE loyalty_points (customer_id bigint PRIMARY KEY, points int NOT NULL DEFAULT 0);\nCREATE INDEX loyalty_points_idx ON loyalty_points (points);",
            ])
            let migrator = TenantMigrator(registry: owner, keyring: f.keyring, migrations: next, templateName: template)
            try migrator.refreshTemplates()
            let outcomes = migrator.migrate(try migrator.stores(slugs: slugs))
            #expect(outcomes.count == 6)
            for o in outcomes {
                if o.storeId == broken.storeId {
                    #expect(!o.succeeded)
                    #expect(o.error?.contains("9000_loyalty.sql") == true)
                } else {
                    #expect(o.succeeded, "\(o.slug): \(o.error ?? "")")
                    #expect(o.applied == ["9000_loyalty"])
                    #expect(o.version == "9000_loyalty")
                }
            }
            // The ledger has the failure, with its error, and the others' successes.
            let failure = try owner.queryFirst("""
                SELECT error FROM tenant_migrations WHERE store_id = \(broken.storeId) AND migration = '9000_loyalty'
                """)
            #expect(try failure?.decode("error", as: String?.self)?.contains("loyalty_points") == true)
            let ok = try owner.queryFirst("""
                SELECT count(*) AS n FROM tenant_migrations
                WHERE migration = '9000_loyalty' AND error IS NULL AND finished_at IS NOT NULL AND duration_ms >= 0
                  AND store_id = ANY(\(stores.map { Int($0.storeId) }))
                """)
            #expect(try ok?.decode("n", as: Int.self) == 5)
            // The broken store's migration rolled back entirely: its stray table is untouched, no index.
            let db = try servers.adminConnection(brokenServer, database: broken.databaseName)
            #expect(try db.query("SELECT 1 FROM pg_indexes WHERE indexname = 'loyalty_points_idx'").isEmpty)
            // A store provisioned now comes from the refreshed template, already at 9000.
            let late = RegistryFixture.uniqueSlug("mig")
            slugs.append(late)
            let fresh = try f.provisioner(owner, migrations: next, template: template).provision(ProvisionRequest(slug: late, name: "L"))
            #expect(fresh.version == "9000_loyalty")
        }
    }

    @Test func anEditedTenantMigrationIsRefused() throws {
        try RegistryFixture.run { f in
            let owner = try f.owner()
            let template = "sf_tpl_" + RegistryFixture.uniqueSlug("e").replacingOccurrences(of: "-", with: "_")
            let base = try f.tenantMigrationsCopy()
            let slug = RegistryFixture.uniqueSlug("edit")
            defer {
                _ = try? f.provisioner(owner, migrations: base, template: template).deprovision(slug: slug)
                try? f.dropTemplate(template, owner: owner)
            }
            _ = try f.provisioner(owner, migrations: base, template: template).provision(ProvisionRequest(slug: slug, name: "E"))
            let first = base.files[0]
            let edited = try f.tenantMigrationsCopy(replacing: [first.name: first.sql + "\n-- a harmless-looking edit\n"])
            let migrator = TenantMigrator(registry: owner, keyring: f.keyring, migrations: edited, templateName: template)
            let outcome = migrator.migrate(try migrator.stores(slugs: [slug]))[0]
            #expect(!outcome.succeeded)
            #expect(outcome.error?.contains("\(first.fileName) was edited after it was applied") == true)
        }
    }

    @Test func anEditedRegistryMigrationIsRefusedBeforeAnythingRuns() throws {
        try RegistryFixture.run { f in
            let scratch = try ScratchRegistry(f)
            defer { try? scratch.drop(f) }
            let dir = NSTemporaryDirectory() + "sf-regmig-" + RegistryFixture.uniqueSlug("r")
            try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
            for file in f.registryMigrations.files {
                try (file.sql + "\n-- edited\n").write(toFile: dir + "/" + file.fileName, atomically: true, encoding: .utf8)
            }
            try "CREATE TABLE should_not_exist (id int);".write(toFile: dir + "/9999_new.sql", atomically: true, encoding: .utf8)
            let owner = try scratch.owner()
            let migrator = RegistryMigrator(connection: owner, migrations: try MigrationSet(directory: dir))
            #expect {
                try migrator.migrate()
            } throws: { error in
                "\(error)".contains("0001_registry.sql was edited after it was applied to the registry")
            }
            #expect(try owner.queryFirst("SELECT to_regclass('should_not_exist') IS NULL AS absent")?.decode("absent", as: Bool.self) == true)
            // The unedited set is up to date: nothing to apply.
            #expect(try RegistryMigrator(connection: owner, migrations: f.registryMigrations).migrate().isEmpty)
        }
    }

    @Test func migrationFilesSplitIntoStatementsAroundQuotesAndDollarBodies() {
        let sql = """
            -- a comment; with a semicolon
            CREATE TABLE a (t text DEFAULT 'x;y');
            CREATE FUNCTION f() RETURNS int LANGUAGE plpgsql AS $$ BEGIN RETURN 1; END $$;
            /* block; comment */ SELECT E'it\\'s; fine', "odd;name" FROM a;
            DO $body$ BEGIN PERFORM 1; END $body$;
            """
        let parts = MigrationFile(name: "x", path: "", sql: sql, checksum: "").statements
        #expect(parts.count == 4)
        #expect(parts[1].hasSuffix("END $$"))
        #expect(parts[3].hasPrefix("DO $body$"))
    }

    @Test func connInfoParsesURLsAndKeywordsAndSwitchesDatabase() throws {
        let url = try ConnInfo(parsing: "postgresql://storefleet_admin:p%40ss@127.0.0.1:35432/postgres?sslmode=disable")
        #expect(url["user"] == "storefleet_admin")
        #expect(url["password"] == "p@ss")
        #expect(url["port"] == "35432")
        #expect(url.database("sf_store_7")["dbname"] == "sf_store_7")
        let kw = try ConnInfo(parsing: "host=/tmp port=5432 password='it\\'s' dbname=postgres")
        #expect(kw["password"] == "it's")
        #expect(try ConnInfo(parsing: kw.keywordString) == kw)
        #expect(!kw.redacted.contains("it"))
    }
}
