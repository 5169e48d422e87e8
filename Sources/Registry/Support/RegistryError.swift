/// The one error type of the Registry module. `description` is written for the operator who ran
/// a command: it names the store, server or file and says what to do, and never holds a secret.
public enum RegistryError: Error, CustomStringConvertible, Equatable {
    /// A slug that is not a valid DNS label of lower-case letters, digits and hyphens.
    case invalidSlug(String, reason: String)
    /// A slug kept for the platform (`www`, `admin`, `api`, ...).
    case reservedSlug(String)
    /// Another live store already has this slug.
    case slugTaken(String)
    /// No store (or no live store) has this slug or id.
    case storeNotFound(String)
    /// No server is registered by this name or id.
    case serverNotFound(String)
    /// No active server has room for another store.
    case noServerAvailable
    /// A migration file already applied was edited since: its checksum no longer matches.
    case migrationEdited(file: String, scope: String, recorded: String, actual: String)
    /// A migration is recorded as applied but its file is gone.
    case migrationMissing(file: String, scope: String)
    /// A migration failed; nothing of it was applied.
    case migrationFailed(file: String, scope: String, reason: String)
    /// A migrations directory that cannot be read.
    case migrationsUnreadable(String)
    /// A failure injected for tests (STOREFLEET_FAIL_PROVISION_AT).
    case injectedFailure(step: String)
    /// Provisioning stopped at a step; the store stays invisible and can be retried or removed.
    case provisioningFailed(slug: String, step: String, reason: String)
    /// A host name that cannot be a custom domain.
    case invalidHost(String)
    /// A domain already points at a store.
    case domainTaken(String)
    /// A value in the configuration or on the command line that cannot be used.
    case invalidConfiguration(String)
    /// The store is in a state that does not allow the action.
    case wrongStatus(slug: String, status: String, action: String)
    /// An organization's rules refuse what a member tried (see `OrganizationRefusal`).
    case refused(OrganizationRefusal)

    public var description: String {
        switch self {
        case .invalidSlug(let slug, let reason):
            return "invalid store slug \"\(slug)\": \(reason)"
        case .reservedSlug(let slug):
            return "the slug \"\(slug)\" is reserved for the platform; choose another"
        case .slugTaken(let slug):
            return "a store with the slug \"\(slug)\" already exists"
        case .storeNotFound(let what):
            return "no store \(what)"
        case .serverNotFound(let what):
            return "no database server \(what)"
        case .noServerAvailable:
            return "no active database server has room for another store (add one with `storefleet servers add`)"
        case .migrationEdited(let file, let scope, let recorded, let actual):
            return "\(file) was edited after it was applied to \(scope) (recorded checksum \(recorded.prefix(12))…, file now \(actual.prefix(12))…); restore the file and put the change in a new migration"
        case .migrationMissing(let file, let scope):
            return "\(file) is recorded as applied to \(scope) but the file is missing"
        case .migrationFailed(let file, let scope, let reason):
            return "\(file) failed on \(scope): \(reason)"
        case .migrationsUnreadable(let dir):
            return "cannot read migrations directory \(dir)"
        case .injectedFailure(let step):
            return "injected failure at provisioning step \(step)"
        case .provisioningFailed(let slug, let step, let reason):
            return "provisioning \(slug) stopped at step \(step): \(reason); retry `storefleet provision --slug \(slug)` or remove it with `storefleet deprovision --slug \(slug)`"
        case .invalidHost(let host):
            return "\"\(host)\" is not a valid host name"
        case .domainTaken(let host):
            return "the domain \(host) already belongs to a store"
        case .invalidConfiguration(let message):
            return message
        case .wrongStatus(let slug, let status, let action):
            return "cannot \(action) \(slug): it is \(status)"
        case .refused(let refusal):
            return refusal.message
        }
    }
}

import Foundation
import Postgres

/// Reading a database error out of `any Error` (a plain function, because `catch let e as
/// PostgresError` over typed throws trips the 6.3 compiler).
enum DatabaseFailure {
    static func kind(_ error: any Error) -> PostgresError.Kind? {
        (error as? PostgresError)?.kind
    }

    /// The server's message when there is one (operator-facing: logs and CLI output).
    static func reason(_ error: any Error) -> String {
        guard let pg = error as? PostgresError, let message = pg.unsafeServerMessage else { return "\(error)" }
        var text = message.trimmingCharacters(in: .whitespacesAndNewlines)
        for prefix in ["ERROR:", "FATAL:"] where text.hasPrefix(prefix) {
            text = text.dropFirst(prefix.count).trimmingCharacters(in: .whitespaces)
        }
        return text.replacingOccurrences(of: "\n", with: " ")
    }
}
