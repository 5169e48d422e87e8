import Crypto
import Foundation
import Postgres

/// The result of checking a shopper's email and password.
public enum CustomerLoginOutcome: Sendable, Equatable {
    case authenticated(CustomerAccount)
    /// Unknown email, a guest without a password, or a wrong password — deliberately one case.
    case invalid
    /// Too many recent failures for this email or address; the password was not checked.
    case throttled
}

/// What a sign-up did. None of it is shown on the page, which always says "check your inbox":
/// the mail tells the address's owner what to do, so the form never reveals who has an account.
public enum CustomerSignUpOutcome: Sendable {
    /// A new address, or a guest from checkout: the mailed link (`token`) sets the password and
    /// logs in; until then the account cannot log in.
    case confirmationNeeded(CustomerAccount, token: String)
    /// The address already has an account: its owner is told, nothing changes.
    case alreadyRegistered(CustomerAccount)
    /// Too many links sent to this address lately: nothing sent, nothing changed.
    case tooManyRequests
}

/// Customer accounts of one store (its own database: each store has its own customers).
public enum CustomerAccounts {
    /// A hash no password matches, checked when the email has no account so an unknown address
    /// costs the same scrypt time as a known one.
    static let absentHash = PasswordHasher.hash(SecureRandom.token(bytes: 32))

    public static func find(_ db: Connection, id: Int64) throws -> CustomerAccount? {
        try db.queryFirst("SELECT \(CustomerAccount.columns) FROM customers WHERE id = \(id)").map(CustomerAccount.init)
    }

    public static func find(_ db: Connection, email: String) throws -> CustomerAccount? {
        try db.queryFirst("""
            SELECT \(CustomerAccount.columns) FROM customers WHERE lower(email) = lower(\(email))
            """).map(CustomerAccount.init)
    }

    /// Checks `email` and `password` with throttling per email and per `address`. Failures are
    /// recorded; success clears the email's failures and upgrades an old-cost hash.
    public static func authenticate(_ db: Connection, email: String, password: String, address: String,
                                    throttle: CustomerLoginThrottle = .standard) throws -> CustomerLoginOutcome {
        if try throttle.isThrottled(db, email: email, address: address) { return .throttled }
        let row = try db.queryFirst("""
            SELECT \(CustomerAccount.columns), customers.password_hash
            FROM customers WHERE lower(email) = lower(\(email.trimmingCharacters(in: .whitespaces)))
            """)
        let stored: String = try row?.decode("password_hash", as: String?.self) ?? absentHash
        let matches = PasswordHasher.verify(password, against: stored)
        guard let row, matches, try row.decode("has_password", as: Bool.self) else {
            try throttle.recordFailure(db, email: email, address: address)
            return .invalid
        }
        let customer = try CustomerAccount(row)
        try throttle.clearAccount(db, email: email)
        if PasswordHasher.needsRehash(stored) {
            try db.execute("UPDATE customers SET password_hash = \(PasswordHasher.hash(password)) WHERE id = \(customer.id)")
        }
        return .authenticated(customer)
    }

    /// Starts a sign-up. The password is hashed whatever the outcome (the time taken says
    /// nothing about the address). A new address gets a customer row without a password (like a
    /// guest); the password and names wait in the token until the link is used.
    public static func register(_ db: Connection, firstName: String, lastName: String, email: String,
                                password: String) throws -> CustomerSignUpOutcome {
        let hash = PasswordHasher.hash(password)
        return try db.transaction { db in
            try db.execute("""
                INSERT INTO customers (email, first_name, last_name) VALUES (\(email), \(firstName), \(lastName))
                ON CONFLICT (lower(email)) DO NOTHING
                """)
            guard let customer = try find(db, email: email) else { throw CustomerAccountError.concurrentChange }
            if customer.hasPassword { return .alreadyRegistered(customer) }
            if try CustomerTokens.recentlyIssued(db, customerId: customer.id, purpose: .emailConfirmation,
                                                 withinSeconds: 3600) >= 5 {
                return .tooManyRequests
            }
            let token = try CustomerTokens.issue(db, customerId: customer.id, purpose: .emailConfirmation,
                                                 pending: .init(passwordHash: hash, firstName: firstName, lastName: lastName))
            return .confirmationNeeded(customer, token: token)
        }
    }

    /// Uses a sign-up link: sets the password and names chosen at sign-up and links the
    /// address's guest orders to the account. nil when the link is unknown, used or expired.
    /// The link proves the inbox, so it also wins over a password set since (as a reset would).
    public static func confirm(_ db: Connection, token: String) throws -> CustomerAccount? {
        try db.transaction { db in
            guard let used = try CustomerTokens.consume(db, token: token, purpose: .emailConfirmation),
                  let pending = used.pending else { return nil }
            try db.execute("""
                UPDATE customers SET password_hash = \(pending.passwordHash),
                    first_name = CASE WHEN \(pending.firstName) = '' THEN first_name ELSE \(pending.firstName) END,
                    last_name = CASE WHEN \(pending.lastName) = '' THEN last_name ELSE \(pending.lastName) END
                WHERE id = \(used.customerId)
                """)
            try claimGuestOrders(db, customerId: used.customerId)
            try CustomerLoginThrottle.standard.clearAccount(db, email: used.email)
            return try find(db, id: used.customerId)
        }
    }

    /// Orders placed as a guest with the account's address become the account's.
    static func claimGuestOrders(_ db: Connection, customerId: Int64) throws {
        try db.execute("""
            UPDATE orders SET customer_id = \(customerId)
            WHERE customer_id IS NULL
              AND lower(email) = (SELECT lower(email) FROM customers WHERE id = \(customerId))
            """)
    }

    /// A reset link for the customer with `email` (a guest too: the link proves the inbox, so
    /// it may set a first password). nil for an unknown address or too many recent links.
    public static func startPasswordReset(_ db: Connection, email: String) throws -> (CustomerAccount, String)? {
        guard let customer = try find(db, email: email.trimmingCharacters(in: .whitespaces)) else { return nil }
        if try CustomerTokens.recentlyIssued(db, customerId: customer.id, purpose: .passwordReset, withinSeconds: 3600) >= 5 {
            return nil
        }
        return (customer, try CustomerTokens.issue(db, customerId: customer.id, purpose: .passwordReset))
    }

    /// Uses a reset link: new password, every session ended, the email's failed log-ins
    /// forgotten, guest orders linked. nil when the link is unknown, used or expired.
    public static func resetPassword(_ db: Connection, token: String, newPassword: String) throws -> CustomerAccount? {
        let hash = PasswordHasher.hash(newPassword)
        return try db.transaction { db in
            guard let used = try CustomerTokens.consume(db, token: token, purpose: .passwordReset) else { return nil }
            try db.execute("UPDATE customers SET password_hash = \(hash) WHERE id = \(used.customerId)")
            try CustomerSessions.revokeAll(db, customerId: used.customerId)
            try claimGuestOrders(db, customerId: used.customerId)
            try CustomerLoginThrottle.standard.clearAccount(db, email: used.email)
            return try find(db, id: used.customerId)
        }
    }
}
