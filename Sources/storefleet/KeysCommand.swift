import ArgumentParser
import Foundation
import Registry

/// `storefleet keys rotate`.
struct KeysCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "keys", abstract: "Master keys.", subcommands: [Rotate.self])

    struct Rotate: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Append a new current key to the key file and re-seal every sealed value under it (one transaction).")
        @Option(help: "The key file (default: STOREFLEET_MASTER_KEY_FILE).") var keyFile: String?

        func run() throws {
            let env = PlatformEnvironment()
            guard let file = keyFile ?? env.keyFile else {
                complain("storefleet keys rotate: set STOREFLEET_MASTER_KEY_FILE or pass --key-file")
                throw ExitCode(1)
            }
            let result = try KeyRotation.rotate(registry: try env.ownerConnection(), keyFile: file)
            say("new current key \(result.newKeyID); \(result.resealed) value(s) re-sealed. Restart workers to load it.")
        }
    }
}
