import Crypto
import Foundation
import Postgres
import Registry
import Testing
import TestSupport

@Suite("Concurrent provisioning")
struct ConcurrentProvisioningTests {
    /// Sign-ups arrive together while the template does not exist yet and must be built: the
    /// advisory lock makes the others wait instead of failing on "source database is being
    /// accessed by other users". Runs real `storefleet provision` processes (STOREFLEET_BIN).
    @Test func simultaneousSignUpsDuringATemplateBuildAllSucceed() throws {
        try RegistryFixture.run { f in
            guard let bin = f.stack["STOREFLEET_BIN"], FileManager.default.isExecutableFile(atPath: bin) else {
                withKnownIssue("STOREFLEET_BIN is not set in stack.env: cannot start storefleet processes") {
                    throw RegistryError.invalidConfiguration("no STOREFLEET_BIN")
                }
                return
            }
            let owner = try f.owner()
            let template = "sf_tpl_" + RegistryFixture.uniqueSlug("c").replacingOccurrences(of: "-", with: "_")
            let migrations = try f.tenantMigrationsCopy()
            let root = (migrations.directory as NSString).deletingLastPathComponent + "/mig-" + template
            try FileManager.default.createDirectory(atPath: root, withIntermediateDirectories: true)
            try FileManager.default.moveItem(atPath: migrations.directory, toPath: root + "/tenant")
            try FileManager.default.copyItem(atPath: RegistryFixture.root + "/migrations/registry", toPath: root + "/registry")
            let slugs = (0..<4).map { _ in RegistryFixture.uniqueSlug("conc") }
            defer {
                for s in slugs { _ = try? f.provisioner(owner, template: template).deprovision(slug: s) }
                try? f.dropTemplate(template, owner: owner)
            }
            var environment = f.stack.values
            environment["STOREFLEET_MIGRATIONS_DIR"] = root
            environment["STOREFLEET_TEMPLATE_DB"] = template
            let processes = try slugs.map { slug in
                let p = Process()
                p.executableURL = URL(fileURLWithPath: bin)
                p.arguments = ["provision", "--slug", slug, "--name", "Concurrent", "--server", "server1"]
                p.environment = environment
                p.standardOutput = FileHandle.nullDevice
                try p.run()
                return p
            }
            for p in processes { p.waitUntilExit() }
            #expect(processes.map(\.terminationStatus) == [0, 0, 0, 0])
            let active = try owner.queryFirst("""
                SELECT count(*) AS n FROM stores WHERE slug = ANY(\(slugs)) AND status = 'active'
                """)
            #expect(try active?.decode("n", as: Int.self) == 4)
        }
    }
}
