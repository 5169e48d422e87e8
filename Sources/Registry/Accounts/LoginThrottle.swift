import Crypto
import Foundation
import Postgres

/// Log-in throttling over a sliding window: at most `perAccount` failures for one email (typed,
/// whether or not it has an account) and `perAddress` from one client address, within
/// `windowSeconds`. Once over, every attempt is refused — the right password included — until
/// old failures leave the window. A successful log-in clears the account's failures.
public struct LoginThrottle: Sendable {
    public var windowSeconds: Int
    public var perAccount: Int
    public var perAddress: Int

    public init(windowSeconds: Int = 15 * 60, perAccount: Int = 5, perAddress: Int = 20) {
        self.windowSeconds = windowSeconds
        self.perAccount = perAccount
        self.perAddress = perAddress
    }

    public static let standard = LoginThrottle()

    /// The key of an email in `login_failures`: SHA-256 of its lower-cased form.
    static func accountKey(_ email: String) -> [UInt8] {
        SHA256Digest.hash(email.trimmingCharacters(in: .whitespaces).lowercased())
    }

    /// Addresses are kept to 64 characters (an IPv6 address with a zone fits).
    static func addressKey(_ address: String) -> String { String(address.prefix(64)) }

    /// True when either limit is reached: refuse the attempt without checking the password.
    public func isThrottled(_ registry: Connection, email: String, address: String) throws -> Bool {
        let row = try registry.queryFirst("""
            SELECT
              (SELECT count(*) FROM login_failures
                WHERE account_key = \(Self.accountKey(email))
                  AND at > now() - make_interval(secs => \(windowSeconds))) AS account_failures,
              (SELECT count(*) FROM login_failures
                WHERE address = \(Self.addressKey(address))
                  AND at > now() - make_interval(secs => \(windowSeconds))) AS address_failures
            """)!
        let account: Int64 = try row.decode("account_failures")
        let fromAddress: Int64 = try row.decode("address_failures")
        return account >= perAccount || fromAddress >= perAddress
    }

    /// Records one failed attempt, and forgets this key's and address's failures that have
    /// left the window (so the table stays small without a sweeper).
    public func recordFailure(_ registry: Connection, email: String, address: String) throws {
        let key = Self.accountKey(email)
        let addr = Self.addressKey(address)
        try registry.execute("""
            WITH old AS (
                DELETE FROM login_failures
                WHERE (account_key = \(key) OR address = \(addr))
                  AND at <= now() - make_interval(secs => \(windowSeconds)))
            INSERT INTO login_failures (account_key, address) VALUES (\(key), \(addr))
            """)
    }

    /// After a successful log-in (or a password reset): the account starts afresh. The
    /// address's failures stay, so one address cannot try many accounts by owning one.
    public func clearAccount(_ registry: Connection, email: String) throws {
        try registry.execute("DELETE FROM login_failures WHERE account_key = \(Self.accountKey(email))")
    }
}
