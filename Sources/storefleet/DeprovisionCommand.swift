import ArgumentParser
import Foundation
import Registry

/// `storefleet deprovision`.
struct DeprovisionCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "deprovision",
        abstract: "Remove a store's database, role and credentials (also cleans up a failed provisioning).")

    @Option(help: "The store's slug.")
    var slug: String

    func run() throws {
        let env = PlatformEnvironment()
        let provisioner = Provisioner(registry: try env.ownerConnection(), keyring: try env.keyring(),
                                      options: ProvisioningOptions(migrations: try env.migrations("tenant")))
        do {
            try provisioner.deprovision(slug: slug)
        } catch let error as RegistryError {
            complain("storefleet deprovision: \(error)")
            throw ExitCode(1)
        }
        say("store \(slug) removed")
    }
}
