import Postgres

/// A postal address as orders keep it (`orders.shipping_address`, `billing_address` jsonb) and as
/// `customer_addresses` rows hold it. Decoding is lenient: a key the checkout did not write is empty.
public struct OrderAddress: Sendable, Hashable, Decodable {
    public var firstName = ""
    public var lastName = ""
    public var company = ""
    public var address1 = ""
    public var address2 = ""
    public var city = ""
    public var provinceCode = ""
    public var postalCode = ""
    public var countryCode = ""
    public var phone = ""

    public init() {}

    enum CodingKeys: String, CodingKey {
        case firstName = "first_name", lastName = "last_name", name, company, address1, address2, city
        case provinceCode = "province_code", province, postalCode = "postal_code", zip
        case countryCode = "country_code", country, phone
    }

    public init(from decoder: Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        func text(_ keys: CodingKeys...) -> String {
            for key in keys { if let v = try? c.decodeIfPresent(String.self, forKey: key), !v.isEmpty { return v } }
            return ""
        }
        firstName = text(.firstName)
        lastName = text(.lastName)
        if firstName.isEmpty && lastName.isEmpty { firstName = text(.name) }
        company = text(.company)
        address1 = text(.address1)
        address2 = text(.address2)
        city = text(.city)
        provinceCode = text(.provinceCode, .province)
        postalCode = text(.postalCode, .zip)
        countryCode = text(.countryCode, .country)
        phone = text(.phone)
    }

    /// The jsonb column's value, or nil when it is NULL or not an object.
    public static func decode(_ json: JSON?) -> OrderAddress? {
        guard let json else { return nil }
        return try? json.decode(OrderAddress.self)
    }

    public var name: String { [firstName, lastName].filter { !$0.isEmpty }.joined(separator: " ") }

    /// The lines a label shows: name, company, street, town, country.
    public var lines: [String] {
        let town = [city, provinceCode, postalCode].filter { !$0.isEmpty }.joined(separator: " ")
        return [name, company, address1, address2, town, countryCode].filter { !$0.isEmpty }
    }
}
