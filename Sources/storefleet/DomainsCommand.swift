import ArgumentParser
import Foundation
import Registry

/// `storefleet domains add`.
struct DomainsCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "domains", abstract: "Custom domains of stores.", subcommands: [Add.self])

    struct Add: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Point a custom domain at a store (it resolves once verified).")
        @Option(help: "The store's slug.") var store: String
        @Argument(help: "The host, e.g. shop.example.com.") var host: String
        @Flag(help: "Mark the domain verified (DNS checked out of band).") var verified = false
        @Flag(help: "Make it the store's primary domain.") var primary = false

        func run() throws {
            let admin = StoreAdmin(registry: try PlatformEnvironment().ownerConnection())
            try admin.addDomain(store: store, host: host, verified: verified, primary: primary)
            say("\(host) → \(store)" + (verified ? " (verified)" : " (not verified yet: it does not resolve until verified)"))
        }
    }
}
