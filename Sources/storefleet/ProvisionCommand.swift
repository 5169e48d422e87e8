import ArgumentParser
import Commerce
import Foundation
import Postgres
import Registry

/// `storefleet provision`: a store's database, role and registry entries.
struct ProvisionCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "provision",
        abstract: "Create a store: its role and database (from the server's template), then mark it active.",
        discussion: """
            Picks the least-loaded active server unless --server is given. Running it again for a \
            store whose provisioning failed resumes where it stopped. The store resolves by host only \
            once it is complete. STOREFLEET_FAIL_PROVISION_AT=<step> injects a failure (tests).
            """)

    @Option(help: "The store's slug: <slug>.PLATFORM_DOMAIN (3-63 of a-z, 0-9, -).")
    var slug: String
    @Option(help: "The store's name.")
    var name: String?
    @Option(help: "A server id or name (default: the least loaded).")
    var server: String?
    @Option(help: "The organization that owns the store.")
    var org: Int64?
    @Flag(help: "Insert the demo catalog.")
    var sampleData = false
    @Option(help: "How many demo products with --sample-data.")
    var sampleCount: Int = 20
    @Option(help: "ISO 4217 currency.")
    var currency: String = "EUR"
    @Option(help: "ISO 3166 country.")
    var country: String = "DE"
    @Option(help: "IANA time zone.")
    var timezone: String = "UTC"
    @Option(help: "Locale.")
    var locale: String = "en"
    @Flag(help: "Print the time each provisioning step took.")
    var timing = false

    func run() throws {
        let env = PlatformEnvironment()
        let owner = try env.ownerConnection()
        let keyring = try env.keyring()
        let options = ProvisioningOptions(migrations: try env.migrations("tenant"), templateName: env.templateName,
                                          failAt: try env.failProvisionAt())
        let provisioner = Provisioner(registry: owner, keyring: keyring, options: options)
        let request = ProvisionRequest(slug: slug, name: name ?? slug, orgId: org, server: server,
                                       currency: currency.uppercased(), country: country.uppercased(),
                                       timezone: timezone, locale: locale)
        let store: ProvisionedStore
        do {
            store = try provisioner.provision(request)
        } catch let error as RegistryError {
            complain("storefleet provision: \(error)")
            throw ExitCode(1)
        }
        var extra = ""
        if sampleData {
            let tenant = try TenantConnector.open(storeId: store.storeId, registry: owner, keyring: keyring)
            let n = try SampleCatalog.insert(into: tenant, count: sampleCount)
            try CheckoutDefaults.installShipping(tenant, country: country.uppercased(), currency: currency.uppercased())
            try CheckoutDefaults.installDemoCheckout(tenant)
            extra = ", \(n) sample products, shipping, payment methods"
        }
        if timing {
            say(store.stepSeconds.map { "\($0.step.rawValue)=\(String(format: "%.3f", $0.seconds))" }.joined(separator: " "))
        }
        say("store \(store.slug) (id \(store.storeId)) active on \(store.serverName) as \(store.databaseName) at \(store.version ?? "-") in \(String(format: "%.3f", store.seconds))s\(extra)")
    }
}
