import ArgumentParser
import Foundation
import Registry

/// `storefleet stores`: list, suspend, resume.
struct StoresCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "stores", abstract: "List, suspend and resume stores.",
        subcommands: [List.self, Suspend.self, Resume.self], defaultSubcommand: List.self)

    struct List: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Stores with their server, schema version and health.")

        func run() throws {
            let admin = StoreAdmin(registry: try PlatformEnvironment().ownerConnection())
            say(pad("STORE", 28) + pad("STATUS", 13) + pad("SERVER", 10) + pad("VERSION", 26) + "HEALTH")
            for s in try admin.list() {
                let health: String
                switch s.reachable {
                case true?: health = "ok " + String(format: "%.1fms", s.latencyMs ?? 0)
                case false?: health = "UNREACHABLE"
                case nil: health = "not probed"
                }
                say(pad(s.slug, 28) + pad(s.status, 13) + pad(s.server ?? "-", 10) + pad(s.version ?? "-", 26) + health)
            }
        }
    }

    struct Suspend: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Take a store's storefront offline (reversible).")
        @Argument(help: "The store's slug.") var slug: String

        func run() throws {
            try StoreAdmin(registry: try PlatformEnvironment().ownerConnection()).suspend(slug: slug)
            say("store \(slug) suspended")
        }
    }

    struct Resume: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Bring a suspended store back.")
        @Argument(help: "The store's slug.") var slug: String

        func run() throws {
            try StoreAdmin(registry: try PlatformEnvironment().ownerConnection()).resume(slug: slug)
            say("store \(slug) active")
        }
    }
}
