import Foundation
import Postgres

/// A shipping or billing address as checkout collects it and as orders keep it
/// (`orders.shipping_address` / `billing_address`, `carts.shipping_address`: a JSON object
/// with these keys in snake case).
public struct CheckoutAddress: Codable, Equatable, Sendable {
    public var firstName: String
    public var lastName: String
    public var company: String
    public var address1: String
    public var address2: String
    public var city: String
    /// ISO 3166-2 subdivision code without the country (`CA` in the US, `ON` in Canada), or "".
    public var provinceCode: String
    public var postalCode: String
    /// ISO 3166-1 alpha-2, upper case.
    public var countryCode: String
    public var phone: String

    public init(firstName: String = "", lastName: String = "", company: String = "", address1: String = "",
                address2: String = "", city: String = "", provinceCode: String = "", postalCode: String = "",
                countryCode: String = "", phone: String = "") {
        self.firstName = firstName
        self.lastName = lastName
        self.company = company
        self.address1 = address1
        self.address2 = address2
        self.city = city
        self.provinceCode = provinceCode
        self.postalCode = postalCode
        self.countryCode = countryCode
        self.phone = phone
    }

    enum CodingKeys: String, CodingKey {
        case firstName = "first_name", lastName = "last_name", company, address1, address2, city
        case provinceCode = "province_code", postalCode = "postal_code", countryCode = "country_code", phone
    }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        func text(_ key: CodingKeys) throws -> String { try c.decodeIfPresent(String.self, forKey: key) ?? "" }
        self.init(firstName: try text(.firstName), lastName: try text(.lastName), company: try text(.company),
                  address1: try text(.address1), address2: try text(.address2), city: try text(.city),
                  provinceCode: try text(.provinceCode), postalCode: try text(.postalCode),
                  countryCode: try text(.countryCode), phone: try text(.phone))
    }

    public var name: String { [firstName, lastName].filter { !$0.isEmpty }.joined(separator: " ") }

    /// The address as printed on a label, one line per entry (empty parts left out).
    public var lines: [String] {
        var out = [name, company, address1, address2].filter { !$0.isEmpty }
        let province = AddressRules.provinceName(country: countryCode, code: provinceCode) ?? provinceCode
        switch countryCode {
        case "US", "CA", "AU":
            out.append([city, [provinceCode, postalCode].filter { !$0.isEmpty }.joined(separator: " ")]
                .filter { !$0.isEmpty }.joined(separator: ", "))
        case "GB":
            out += [city, postalCode].filter { !$0.isEmpty }
        default:
            out.append([postalCode, city].filter { !$0.isEmpty }.joined(separator: " "))
            if !provinceCode.isEmpty { out.append(province) }
        }
        out.append(AddressRules.countryName(countryCode))
        if !phone.isEmpty { out.append(phone) }
        return out.filter { !$0.isEmpty }
    }

    /// The address as the JSON object the database keeps.
    public var json: JSON {
        // Encoding a struct of strings cannot fail.
        (try? JSON(encoding: self)) ?? JSON(rawText: "{}")
    }

    /// The address from a database JSON object (nil for NULL or something unreadable).
    public static func from(json: JSON?) -> CheckoutAddress? {
        guard let json else { return nil }
        return try? json.decode(CheckoutAddress.self)
    }
}
