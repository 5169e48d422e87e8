import ArgumentParser
import Foundation
import Registry

/// `storefleet users`: merchant accounts from the command line (the demo account, support).
struct UsersCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "users", abstract: "Create and list merchant accounts.",
        subcommands: [Create.self])

    struct Create: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Create a merchant account and the organization it owns.",
            discussion: """
                Prints the organization's id on the last line (for `storefleet provision --org`). \
                With --if-missing an existing account is left as it is and its first organization printed.
                """)
        @Option(help: "The account's email address.") var email: String
        @Option(help: "The account holder's name.") var name: String
        @Option(help: "The password (at least 10 characters). Prefer --password-file.") var password: String?
        @Option(help: "A file whose first line is the password.") var passwordFile: String?
        @Option(help: "The organization's name (default: \"<name>'s organization\").") var organization: String?
        @Flag(help: "Mark the email address verified (no verification mail).") var verified = false
        @Flag(help: "Succeed without changes when the account exists.") var ifMissing = false

        func run() throws {
            guard let secret = try readPassword(), secret.count >= 10 else {
                complain("storefleet users create: give a password of at least 10 characters with --password or --password-file")
                throw ExitCode(2)
            }
            let registry = try PlatformEnvironment().ownerConnection()
            let address = email.trimmingCharacters(in: .whitespaces).lowercased()
            switch try Users.signUp(registry, name: name, email: address, password: secret,
                                    organizationName: organization ?? "\(name)'s organization") {
            case .created(let user, let orgId):
                if verified {
                    try registry.execute("UPDATE users SET email_verified_at = now() WHERE id = \(user.id)")
                }
                say("user \(user.id) <\(user.email)> created, owner of organization \(orgId)")
                say(String(orgId))
            case .emailTaken(let existing):
                guard ifMissing else {
                    complain("storefleet users create: an account with \(address) exists already")
                    throw ExitCode(1)
                }
                guard let org = try Users.organizations(registry, userId: existing.id).first else {
                    complain("storefleet users create: \(address) exists but belongs to no organization")
                    throw ExitCode(1)
                }
                say("user \(existing.id) <\(existing.email)> exists, member of organization \(org.id)")
                say(String(org.id))
            }
        }

        private func readPassword() throws -> String? {
            if let password { return password }
            guard let passwordFile else { return nil }
            let text = try String(contentsOfFile: passwordFile, encoding: .utf8)
            return text.split(separator: "\n", omittingEmptySubsequences: false).first.map(String.init)
        }
    }
}
