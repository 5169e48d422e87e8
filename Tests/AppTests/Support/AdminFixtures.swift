import Foundation
import Postgres
import Registry
import TestSupport
@testable import App

/// Stores owned by an organization, and orders in them, for the admin and report tests.
extension AppStack {
    /// An active store of `orgId`, provisioned through the Registry's own API.
    func provisionStore(prefix: String, orgId: Int64, name: String = "Admin Test Store",
                        timezone: String = "UTC", currency: String = "USD") throws -> ProvisionedStore {
        let migrations = try MigrationSet(directory: StackEnvironment.packageRoot() + "/migrations/tenant")
        let provisioner = Provisioner(registry: try ownerConnection(), keyring: try keyring(),
                                      options: ProvisioningOptions(migrations: migrations))
        return try provisioner.provision(ProvisionRequest(slug: AppStack.uniqueSlug(prefix), name: name, orgId: orgId,
                                                          currency: currency, country: "US", timezone: timezone, locale: "en"))
    }

    /// Adds `userId` to the organization with `role` (as the registry owner).
    func addMember(userId: Int64, orgId: Int64, role: String) throws {
        try ownerConnection().execute("""
            INSERT INTO memberships (org_id, user_id, role) VALUES (\(orgId), \(userId), \(role)::membership_role)
            """)
    }
}

/// Inserts orders with exact timestamps and amounts straight into a tenant database.
struct OrderSeeder {
    let db: Connection

    /// One order; `lines` are `(title, quantity, unit price, refunded quantity)`. Returns its id.
    @discardableResult
    func order(total: Int64, financial: String = "paid", cancelled: Bool = false, at createdAt: String,
               lines: [(String, Int32, Int64, Int32)] = [], refunds: [(Int64, String)] = []) throws -> Int64 {
        let refunded = refunds.filter { $0.1 == "succeeded" }.reduce(Int64(0)) { $0 + $1.0 }
        let row = try db.queryFirst("""
            INSERT INTO orders (email, currency, subtotal_minor, total_minor, refunded_minor, financial_status,
                                status, cancelled_at, cancel_reason, created_at)
            VALUES ('buyer@example.com', 'USD', \(total), \(total), \(refunded), \(financial),
                    \(cancelled ? "cancelled" : "open"), \(cancelled ? createdAt : nil)::timestamptz,
                    \(cancelled ? "customer" : nil), \(createdAt)::timestamptz)
            RETURNING id
            """)!
        let id: Int64 = try row.decode("id")
        for line in lines {
            try db.execute("""
                INSERT INTO order_items (order_id, title, quantity, unit_price_minor, refunded_quantity)
                VALUES (\(id), \(line.0), \(line.1), \(line.2), \(line.3))
                """)
        }
        for refund in refunds {
            try db.execute("INSERT INTO refunds (order_id, amount_minor, status) VALUES (\(id), \(refund.0), \(refund.1))")
        }
        return id
    }
}

/// A `multipart/form-data` body.
struct MultipartBody {
    let boundary = "----storefleet-test-\(UUID().uuidString.prefix(8))"
    var bytes: [UInt8] = []

    var contentType: String { "multipart/form-data; boundary=" + boundary }

    mutating func field(_ name: String, _ value: String) {
        bytes += Array("--\(boundary)\r\nContent-Disposition: form-data; name=\"\(name)\"\r\n\r\n\(value)\r\n".utf8)
    }

    mutating func file(_ name: String, filename: String, contentType: String, _ data: [UInt8]) {
        bytes += Array("--\(boundary)\r\nContent-Disposition: form-data; name=\"\(name)\"; filename=\"\(filename)\"\r\nContent-Type: \(contentType)\r\n\r\n".utf8)
        bytes += data
        bytes += Array("\r\n".utf8)
    }

    func finished() -> [UInt8] { bytes + Array("--\(boundary)--\r\n".utf8) }
}
