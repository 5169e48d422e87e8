import Foundation
import Postgres

/// A store's customer as the storefront's account pages see them. `hasPassword` is false for a
/// guest made by checkout (or a sign-up whose link was not used yet): such a row cannot log in.
public struct CustomerAccount: Sendable, Equatable {
    public let id: Int64
    public let email: String
    public let firstName: String
    public let lastName: String
    public let hasPassword: Bool
    public let createdAt: Date

    /// The columns `init(_:)` reads, for `SELECT \(CustomerAccount.columns) FROM customers ...`.
    static let columns: Query = """
        customers.id, customers.email, customers.first_name, customers.last_name,
        customers.password_hash IS NOT NULL AS has_password, customers.created_at
        """

    public init(id: Int64, email: String, firstName: String, lastName: String, hasPassword: Bool, createdAt: Date) {
        self.id = id
        self.email = email
        self.firstName = firstName
        self.lastName = lastName
        self.hasPassword = hasPassword
        self.createdAt = createdAt
    }

    init(_ row: Row) throws {
        id = try row.decode("id")
        email = try row.decode("email")
        firstName = try row.decode("first_name")
        lastName = try row.decode("last_name")
        hasPassword = try row.decode("has_password")
        createdAt = try row.decode("created_at")
    }

    /// "Ada Lovelace", or the email when no name was given.
    public var displayName: String {
        let name = (firstName + " " + lastName).trimmingCharacters(in: .whitespaces)
        return name.isEmpty ? email : name
    }
}

/// What the customer-account functions refuse, each with a message a shopper may read.
public enum CustomerAccountError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The row changed under us (deleted between two statements): try again.
    case concurrentChange
    /// A form value broke a rule: the field and what to say next to it.
    case invalid(field: String, message: String)

    public var description: String {
        switch self {
        case .concurrentChange: return "customers: the account changed meanwhile"
        case .invalid(let field, let message): return "customers: \(field): \(message)"
        }
    }
}

/// The rules of the sign-up and password forms, shared by sign-up and reset.
public enum CustomerRules {
    public static let minimumPasswordLength = 10
    public static let maximumPasswordLength = 200

    /// A trimmed address with one `@`, something either side and no spaces, at most 254 bytes.
    public static func normalizedEmail(_ raw: String) -> String? {
        let email = raw.trimmingCharacters(in: .whitespacesAndNewlines)
        let parts = email.split(separator: "@", omittingEmptySubsequences: false)
        guard email.utf8.count <= 254, parts.count == 2, !parts[0].isEmpty, parts[1].contains("."),
              !parts[1].hasPrefix("."), !parts[1].hasSuffix("."),
              !email.contains(where: { $0.isWhitespace || $0 == "<" || $0 == ">" || $0 == "," }) else { return nil }
        return email
    }

    /// nil when acceptable, else the message to show next to the password field.
    public static func passwordProblem(_ password: String) -> String? {
        if password.count < minimumPasswordLength {
            return "Use at least \(minimumPasswordLength) characters."
        }
        if password.count > maximumPasswordLength { return "Use at most \(maximumPasswordLength) characters." }
        return nil
    }
}
