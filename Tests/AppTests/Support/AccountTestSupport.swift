import Crypto
import Foundation
import HTTP
import Postgres
import Registry
@testable import App

/// Helpers for the account pages' tests: clients with their own client address (so the
/// per-address log-in throttle of one test never touches another), and the mail the app queued.
extension AppStack {
    /// A browser on the platform host whose requests come from `address` (random by default).
    func accountClient(address: String? = nil) throws -> WebClient {
        let handle = try handler()
        let from = address ?? AppStack.randomAddress()
        return WebClient(handler: { request in
            var request = request
            request.remoteAddress = from
            return handle(request)
        }, host: platformDomain)
    }

    static func randomAddress() -> String {
        let b = SecureRandom.bytes(3)
        return "10.\(b[0]).\(b[1]).\(b[2])"
    }

    static func uniqueEmail(_ prefix: String = "acct") -> String {
        "\(prefix)-\(Hex.encode(SecureRandom.bytes(6)))@example.com"
    }

    /// The `mail.send` jobs queued for `address`, newest first, opened with the keyring.
    func queuedMail(to address: String) throws -> [OutgoingMail] {
        let keyring = try self.keyring()
        return try ownerConnection().query("""
            SELECT payload FROM jobs WHERE kind = 'mail.send' AND created_at > now() - interval '10 minutes'
            ORDER BY id DESC LIMIT 500
            """).compactMap { row -> OutgoingMail? in
            let mail = try MailJob.open(try row.decode("payload", as: JSON.self), keyring: keyring)
            return mail.to == address ? mail : nil
        }
    }

    /// The path of the first link in the newest mail to `address` that contains `marker`.
    func linkPath(inMailTo address: String, containing marker: String) throws -> String? {
        for mail in try queuedMail(to: address) {
            for word in mail.text.split(whereSeparator: { $0.isWhitespace }) where word.contains(marker) {
                return WebClient.pathOf(String(word))
            }
        }
        return nil
    }

    func user(email: String) throws -> (id: Int64, name: String, passwordHash: String, verified: Bool, pendingEmail: String?)? {
        try ownerConnection().queryFirst("""
            SELECT id, name, password_hash, email_verified_at IS NOT NULL AS verified, pending_email
            FROM users WHERE lower(email) = lower(\(email))
            """).map { (try $0.decode("id"), try $0.decode("name"), try $0.decode("password_hash"),
                        try $0.decode("verified"), try $0.decode("pending_email")) }
    }

    func auditActions(userId: Int64) throws -> [String] {
        try ownerConnection().query("""
            SELECT action FROM audit_log WHERE actor = \("user:\(userId)") ORDER BY id
            """).map { try $0.decode("action") }
    }
}

extension Response {
    var location: String? { headers["Location"] }
}
