import ArgumentParser

struct Storefleet: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Storefleet: multi-tenant commerce platform.",
        subcommands: [
            ServeCommand.self,
            LiquidCommand.self,
            MigrateCommand.self,
            ServersCommand.self,
            ProvisionCommand.self,
            DeprovisionCommand.self,
            HealthCommand.self,
            StoresCommand.self,
            JobsCommand.self,
            KeysCommand.self,
            DomainsCommand.self,
            FeedsCommand.self,
            UsersCommand.self,
        ])
}
Storefleet.main()
