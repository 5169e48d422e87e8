import ArgumentParser
import Foundation
import Postgres
import Registry

/// `storefleet migrate`: the registry, then every tenant, K tenants at a time.
struct MigrateCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "migrate",
        abstract: "Apply registry migrations, then tenant migrations to every store (or the ones named).",
        discussion: """
            With neither --registry nor --tenants, migrates the registry and then all tenants. \
            Each migration runs in its own transaction and is recorded (registry_migrations, \
            tenant_migrations). A migration file edited after it was applied is refused. A failing \
            tenant is reported and the others carry on; the exit status is 1 if any failed.
            """,
        subcommands: [MigrateStatusCommand.self])

    @Flag(help: "Migrate the registry.")
    var registry = false

    @Option(parsing: .upToNextOption, help: "Migrate these tenants: `all` or store slugs.")
    var tenants: [String] = []

    @Option(help: "How many tenants to migrate at once (each in its own process).")
    var parallel: Int = 4

    @Flag(help: .hidden)
    var worker = false

    func run() throws {
        let env = PlatformEnvironment()
        let owner = try env.ownerConnection()
        let both = !registry && tenants.isEmpty
        if registry || both {
            let migrator = RegistryMigrator(connection: owner, migrations: try env.migrations("registry"))
            let applied = try migrator.migrate { say($0) }
            say(applied.isEmpty ? "registry: up to date" : "registry: \(applied.count) migration(s) applied")
        }
        guard both || !tenants.isEmpty else { return }
        let tenantMigrator = TenantMigrator(registry: owner, keyring: try env.keyring(),
                                            migrations: try env.migrations("tenant"), templateName: env.templateName)
        let slugs = tenants.contains("all") ? [] : tenants
        let stores = try tenantMigrator.stores(slugs: slugs)
        if worker || parallel <= 1 || stores.count <= 1 {
            if !worker { try tenantMigrator.refreshTemplates { say($0) } }
            let outcomes = tenantMigrator.migrate(stores) { say(MigrateCommand.line($0)) }
            if !worker { MigrateCommand.summary(outcomes.count, failed: outcomes.filter { !$0.succeeded }.count) }
            if outcomes.contains(where: { !$0.succeeded }) { throw ExitCode(1) }
            return
        }
        try tenantMigrator.refreshTemplates { say($0) }
        let failed = try MigrateCommand.fanOut(stores.map(\.slug), processes: parallel)
        let outcomes = try tenantMigrator.status()
        let wanted = Set(stores.map(\.slug))
        let behind = outcomes.filter { wanted.contains($0.slug) && $0.version != tenantMigrator.migrations.latest }
        MigrateCommand.summary(stores.count, failed: max(failed, behind.count))
        if failed > 0 || !behind.isEmpty { throw ExitCode(1) }
    }

    /// Runs `storefleet migrate --tenants <chunk> --worker` in `processes` children at once and
    /// returns how many children reported a failure. Children write their own lines to stdout.
    static func fanOut(_ slugs: [String], processes: Int) throws -> Int {
        let k = max(1, min(processes, slugs.count))
        var chunks = Array(repeating: [String](), count: k)
        for (i, slug) in slugs.enumerated() { chunks[i % k].append(slug) }
        let exe = URL(fileURLWithPath: "/proc/self/exe").resolvingSymlinksInPath()
        var children: [Process] = []
        for chunk in chunks where !chunk.isEmpty {
            let p = Process()
            p.executableURL = exe
            p.arguments = ["migrate", "--tenants"] + chunk + ["--worker"]
            try p.run()
            children.append(p)
        }
        var failed = 0
        for p in children {
            p.waitUntilExit()
            if p.terminationStatus != 0 { failed += 1 }
        }
        return failed
    }

    static func line(_ o: TenantMigrationOutcome) -> String {
        let time = String(format: "%.2fs", o.seconds)
        if let error = o.error { return "FAILED \(o.slug): \(error)" }
        if o.applied.isEmpty { return "ok     \(o.slug): up to date at \(o.version ?? "-") (\(time))" }
        return "ok     \(o.slug): applied \(o.applied.joined(separator: ", ")) → \(o.version ?? "-") (\(time))"
    }

    static func summary(_ total: Int, failed: Int) {
        say("tenants: \(total - failed) of \(total) up to date" + (failed > 0 ? ", \(failed) failed (see above)" : ""))
    }
}

/// `storefleet migrate status`.
struct MigrateStatusCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "status", abstract: "Show the registry's and each tenant's migration version.")

    func run() throws {
        let env = PlatformEnvironment()
        let owner = try env.ownerConnection()
        let registrySet = try env.migrations("registry")
        let applied = try RegistryMigrator(connection: owner, migrations: registrySet).applied()
        let pendingRegistry = registrySet.files.filter { applied[$0.name] == nil }.map(\.name)
        say("registry: \(pendingRegistry.isEmpty ? "up to date" : "pending " + pendingRegistry.joined(separator: ", "))")
        let migrator = TenantMigrator(registry: owner, keyring: try env.keyring(), migrations: try env.migrations("tenant"))
        let latest = migrator.migrations.latest ?? "-"
        say("latest tenant migration: \(latest)")
        let rows = try migrator.status()
        say(pad("STORE", 28) + pad("SERVER", 12) + pad("VERSION", 28) + "STATE")
        for r in rows {
            let state = r.version == migrator.migrations.latest ? "current" : "behind"
            say(pad(r.slug, 28) + pad(r.server, 12) + pad(r.version ?? "-", 28) + state
                + (r.lastError.map { "  last error: \($0)" } ?? ""))
        }
    }
}

/// A line on stdout.
func say(_ line: String) {
    let bytes = Array((line + "\n").utf8)
    _ = bytes.withUnsafeBytes { write(STDOUT_FILENO, $0.baseAddress, $0.count) }
}

/// A line on stderr.
func complain(_ line: String) {
    let bytes = Array((line + "\n").utf8)
    _ = bytes.withUnsafeBytes { write(STDERR_FILENO, $0.baseAddress, $0.count) }
}

func pad(_ s: String, _ width: Int) -> String {
    s.count >= width ? s + " " : s + String(repeating: " ", count: width - s.count)
}
