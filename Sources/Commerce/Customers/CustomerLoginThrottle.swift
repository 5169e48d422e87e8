import Crypto
import Foundation
import Postgres

/// Storefront log-in throttling, per store, over a sliding window: at most `perAccount` failures
/// for one email (whether or not it has an account) and `perAddress` from one client address
/// within `windowSeconds`. Once over, every attempt is refused — the right password included —
/// until old failures leave the window. A successful log-in clears the email's failures.
/// (The platform's `LoginThrottle` does the same for merchants, in the registry.)
public struct CustomerLoginThrottle: Sendable {
    public var windowSeconds: Int
    public var perAccount: Int
    public var perAddress: Int

    public init(windowSeconds: Int = 15 * 60, perAccount: Int = 5, perAddress: Int = 20) {
        self.windowSeconds = windowSeconds
        self.perAccount = perAccount
        self.perAddress = perAddress
    }

    public static let standard = CustomerLoginThrottle()

    static func accountKey(_ email: String) -> [UInt8] {
        SHA256Digest.hash(email.trimmingCharacters(in: .whitespaces).lowercased())
    }

    static func addressKey(_ address: String) -> String { String(address.prefix(64)) }

    /// True when either limit is reached: refuse without checking the password.
    public func isThrottled(_ db: Connection, email: String, address: String) throws -> Bool {
        let row = try db.queryFirst("""
            SELECT
              (SELECT count(*) FROM customer_login_failures
                WHERE account_key = \(Self.accountKey(email))
                  AND at > now() - make_interval(secs => \(windowSeconds))) AS account_failures,
              (SELECT count(*) FROM customer_login_failures
                WHERE address = \(Self.addressKey(address))
                  AND at > now() - make_interval(secs => \(windowSeconds))) AS address_failures
            """)!
        let account: Int64 = try row.decode("account_failures")
        let fromAddress: Int64 = try row.decode("address_failures")
        return account >= perAccount || fromAddress >= perAddress
    }

    /// Records a failure and drops this key's and address's failures that left the window.
    public func recordFailure(_ db: Connection, email: String, address: String) throws {
        let key = Self.accountKey(email)
        let addr = Self.addressKey(address)
        try db.execute("""
            WITH old AS (
                DELETE FROM customer_login_failures
                WHERE (account_key = \(key) OR address = \(addr))
                  AND at <= now() - make_interval(secs => \(windowSeconds)))
            INSERT INTO customer_login_failures (account_key, address) VALUES (\(key), \(addr))
            """)
    }

    /// After a successful log-in or a password reset. The address's failures stay, so one
    /// address cannot try many accounts by owning one.
    public func clearAccount(_ db: Connection, email: String) throws {
        try db.execute("DELETE FROM customer_login_failures WHERE account_key = \(Self.accountKey(email))")
    }
}
