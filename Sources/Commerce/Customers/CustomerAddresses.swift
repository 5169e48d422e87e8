import Foundation
import Postgres

/// A saved address of a customer's address book.
public struct CustomerAddress: Sendable, Equatable {
    public var id: Int64
    public var firstName: String
    public var lastName: String
    public var company: String
    public var address1: String
    public var address2: String
    public var city: String
    public var provinceCode: String
    public var postalCode: String
    public var countryCode: String
    public var phone: String
    public var isDefault: Bool

    public init(id: Int64 = 0, firstName: String = "", lastName: String = "", company: String = "", address1: String = "",
                address2: String = "", city: String = "", provinceCode: String = "", postalCode: String = "",
                countryCode: String = "", phone: String = "", isDefault: Bool = false) {
        self.id = id; self.firstName = firstName; self.lastName = lastName; self.company = company
        self.address1 = address1; self.address2 = address2; self.city = city; self.provinceCode = provinceCode
        self.postalCode = postalCode; self.countryCode = countryCode; self.phone = phone; self.isDefault = isDefault
    }

    init(_ row: Row) throws {
        self.init(id: try row.decode("id"), firstName: try row.decode("first_name"), lastName: try row.decode("last_name"),
                  company: try row.decode("company"), address1: try row.decode("address1"), address2: try row.decode("address2"),
                  city: try row.decode("city"), provinceCode: try row.decode("province_code", as: String?.self) ?? "",
                  postalCode: try row.decode("postal_code"), countryCode: try row.decode("country_code"),
                  phone: try row.decode("phone", as: String?.self) ?? "", isDefault: try row.decode("is_default"))
    }

    static let columns: Query = """
        id, first_name, last_name, company, address1, address2, city, province_code, postal_code, country_code,
        phone, is_default
        """

    /// Field → message for what is missing or malformed (empty when the address can be saved).
    public func problems() -> [(field: String, message: String)] {
        var out: [(String, String)] = []
        func check(_ field: String, _ value: String, required: Bool, max: Int, label: String) {
            let v = value.trimmingCharacters(in: .whitespaces)
            if required, v.isEmpty { out.append((field, "Enter the \(label).")) } else if v.count > max {
                out.append((field, "Use at most \(max) characters."))
            }
        }
        check("first_name", firstName, required: false, max: 100, label: "first name")
        check("last_name", lastName, required: true, max: 100, label: "last name")
        check("company", company, required: false, max: 200, label: "company")
        check("address1", address1, required: true, max: 200, label: "street address")
        check("address2", address2, required: false, max: 200, label: "apartment or suite")
        check("city", city, required: true, max: 100, label: "city")
        check("province_code", provinceCode, required: false, max: 10, label: "state or province")
        check("postal_code", postalCode, required: false, max: 20, label: "postal code")
        check("phone", phone, required: false, max: 40, label: "phone")
        if !(countryCode.count == 2 && countryCode.allSatisfy({ $0.isASCII && $0.isUppercase })) {
            out.append(("country_code", "Choose a country."))
        }
        return out
    }
}

/// The address book: every function is scoped to one customer, so an id from another
/// customer's book is simply not found.
public enum CustomerAddresses {
    /// At most this many addresses per customer.
    public static let limit = 20

    public static func list(_ db: Connection, customerId: Int64) throws -> [CustomerAddress] {
        try db.query("""
            SELECT \(CustomerAddress.columns) FROM customer_addresses WHERE customer_id = \(customerId)
            ORDER BY is_default DESC, id
            """).map(CustomerAddress.init)
    }

    public static func find(_ db: Connection, customerId: Int64, id: Int64) throws -> CustomerAddress? {
        try db.queryFirst("""
            SELECT \(CustomerAddress.columns) FROM customer_addresses WHERE customer_id = \(customerId) AND id = \(id)
            """).map(CustomerAddress.init)
    }

    /// Adds (id 0) or updates an address. The first address is the default; making one the
    /// default takes it from the others in the same transaction. Returns the id, or nil when the
    /// address to update is not this customer's, or the book is full.
    @discardableResult
    public static func save(_ db: Connection, customerId: Int64, _ a: CustomerAddress) throws -> Int64? {
        try db.transaction { db in
            // Serialises this customer's address writes (one default at a time).
            guard try db.queryFirst("SELECT id FROM customers WHERE id = \(customerId) FOR UPDATE") != nil else { return nil }
            let count: Int64 = try db.queryFirst("SELECT count(*) AS n FROM customer_addresses WHERE customer_id = \(customerId)")!.decode("n")
            let makeDefault = a.isDefault || count == 0 || (a.id != 0 && count == 1)
            if makeDefault {
                try db.execute("""
                    UPDATE customer_addresses SET is_default = false
                    WHERE customer_id = \(customerId) AND is_default AND id <> \(a.id)
                    """)
            }
            let province: String? = a.provinceCode.isEmpty ? nil : a.provinceCode
            let phone: String? = a.phone.isEmpty ? nil : a.phone
            if a.id == 0 {
                if count >= limit { return nil }
                let row = try db.queryFirst("""
                    INSERT INTO customer_addresses (customer_id, first_name, last_name, company, address1, address2, city,
                                                    province_code, postal_code, country_code, phone, is_default)
                    VALUES (\(customerId), \(a.firstName), \(a.lastName), \(a.company), \(a.address1), \(a.address2), \(a.city),
                            \(province), \(a.postalCode), \(a.countryCode), \(phone), \(makeDefault))
                    RETURNING id
                    """)!
                return try row.decode("id", as: Int64.self)
            }
            let changed = try db.execute("""
                UPDATE customer_addresses SET first_name = \(a.firstName), last_name = \(a.lastName), company = \(a.company),
                    address1 = \(a.address1), address2 = \(a.address2), city = \(a.city), province_code = \(province),
                    postal_code = \(a.postalCode), country_code = \(a.countryCode), phone = \(phone),
                    is_default = is_default OR \(makeDefault)
                WHERE customer_id = \(customerId) AND id = \(a.id)
                """)
            return changed == 1 ? a.id : nil
        }
    }

    /// Makes one address the default. False when it is not this customer's.
    public static func makeDefault(_ db: Connection, customerId: Int64, id: Int64) throws -> Bool {
        try db.transaction { db in
            guard try find(db, customerId: customerId, id: id) != nil else { return false }
            try db.execute("""
                UPDATE customer_addresses SET is_default = false WHERE customer_id = \(customerId) AND is_default AND id <> \(id)
                """)
            try db.execute("UPDATE customer_addresses SET is_default = true WHERE customer_id = \(customerId) AND id = \(id)")
            return true
        }
    }

    /// Deletes one address; when it was the default, the oldest remaining one becomes it.
    public static func delete(_ db: Connection, customerId: Int64, id: Int64) throws -> Bool {
        try db.transaction { db in
            guard let row = try db.queryFirst("""
                DELETE FROM customer_addresses WHERE customer_id = \(customerId) AND id = \(id) RETURNING is_default
                """) else { return false }
            if try row.decode("is_default", as: Bool.self) {
                try db.execute("""
                    UPDATE customer_addresses SET is_default = true
                    WHERE id = (SELECT id FROM customer_addresses WHERE customer_id = \(customerId) ORDER BY id LIMIT 1)
                    """)
            }
            return true
        }
    }
}
