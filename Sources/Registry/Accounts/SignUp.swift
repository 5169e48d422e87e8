import Crypto
import Foundation
import Postgres

/// What a sign-up did. A taken address is not an error the visitor may see: the page says the
/// same thing either way ("check your inbox"), and the mail tells the address's owner.
public enum SignUpOutcome: Sendable {
    case created(UserAccount, organizationId: Int64)
    case emailTaken(existing: UserAccount)
}

extension Users {
    /// Creates a user (email unverified) and the organization they own, in one transaction.
    /// The password is hashed whether or not the address is free, so the time taken says
    /// nothing about which addresses have accounts.
    public static func signUp(_ registry: Connection, name: String, email: String, password: String,
                              organizationName: String) throws -> SignUpOutcome {
        let hash = PasswordHasher.hash(password)
        return try registry.transaction { db in
            if let row = try db.queryFirst("""
                INSERT INTO users (email, name, password_hash, password_changed_at)
                VALUES (\(email), \(name), \(hash), now())
                ON CONFLICT (lower(email)) DO NOTHING
                RETURNING \(UserAccount.columns)
                """) {
                let user = try UserAccount(row)
                let org = try db.queryFirst("SELECT storefleet_create_organization(\(organizationName), \(user.id)) AS id")!
                return .created(user, organizationId: try org.decode("id"))
            }
            guard let existing = try find(db, email: email) else {
                // Deleted between the conflict and the lookup: rare enough to ask for a retry.
                throw AccountError.concurrentChange
            }
            return .emailTaken(existing: existing)
        }
    }
}
