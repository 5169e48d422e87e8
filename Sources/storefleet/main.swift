import ArgumentParser

struct Storefleet: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Storefleet: multi-tenant commerce platform.",
        subcommands: [
            ServeCommand.self,
            LiquidCommand.self,
        ])
}
Storefleet.main()
