import ArgumentParser
import Foundation
import Registry

/// `storefleet servers`: the PostgreSQL servers stores are placed on.
struct ServersCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "servers", abstract: "Register and list database servers.",
        subcommands: [Add.self, List.self], defaultSubcommand: List.self)

    struct Add: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Register a server, or update the one with this name (idempotent).")

        @Option(help: "A unique name, e.g. server1.")
        var name: String
        @Option(help: "storefleet_admin's URL on the server (CREATEDB CREATEROLE), database postgres. Stored sealed.")
        var adminURL: String
        @Option(name: [.customLong("tenant-host"), .customLong("host")],
                help: "Host the application reaches tenant databases on (PgBouncer's when it fronts the server).")
        var tenantHost: String
        @Option(name: [.customLong("tenant-port"), .customLong("port")], help: "Port for --tenant-host.")
        var tenantPort: Int
        @Option(help: "How many stores it may hold.")
        var capacity: Int = 1000

        func run() throws {
            let env = PlatformEnvironment()
            let servers = DatabaseServers(registry: try env.ownerConnection(), keyring: try env.keyring())
            let server = try servers.add(name: name, adminURL: adminURL, tenantHost: tenantHost,
                                         tenantPort: tenantPort, capacity: capacity)
            say("server \(server.name) (id \(server.id)): tenants at \(server.tenantHost):\(server.tenantPort), capacity \(server.capacity)")
        }
    }

    struct List: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List servers with their load.")

        func run() throws {
            let env = PlatformEnvironment()
            let servers = DatabaseServers(registry: try env.ownerConnection(), keyring: try env.keyring())
            let loads = Dictionary(uniqueKeysWithValues: try servers.loads().map { ($0.serverId, $0.stores) })
            say(pad("ID", 5) + pad("NAME", 14) + pad("TENANTS AT", 22) + pad("STATUS", 10) + "STORES")
            for s in try servers.all() {
                say(pad(String(s.id), 5) + pad(s.name, 14) + pad("\(s.tenantHost):\(s.tenantPort)", 22)
                    + pad(s.status, 10) + "\(loads[s.id] ?? 0)/\(s.capacity)")
            }
        }
    }
}
