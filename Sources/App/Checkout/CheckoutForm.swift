import Commerce
import HTTP
import Liquid

/// The first step's fields: `email`, `first_name`, `last_name`, `company`, `address1`,
/// `address2`, `city`, `province_code`, `postal_code`, `country_code`, `phone`.
struct CheckoutForm {
    var email: String
    var address: CheckoutAddress

    init(email: String, address: CheckoutAddress) {
        self.email = email
        self.address = address
    }

    init(form: FormData) {
        func field(_ name: String, _ limit: Int = 200) -> String { String((form[name] ?? "").prefix(limit)) }
        email = field("email", 320)
        address = CheckoutAddress(firstName: field("first_name"), lastName: field("last_name"), company: field("company"),
                                  address1: field("address1"), address2: field("address2"), city: field("city"),
                                  provinceCode: field("province_code", 60), postalCode: field("postal_code", 40),
                                  countryCode: field("country_code", 2), phone: field("phone", 40))
    }

    /// `form` for the template: the values as typed, and `errors.<field>` next to each.
    func liquid(errors: [String: String]) -> Value {
        return [
            "email": .string(email),
            "first_name": .string(address.firstName), "last_name": .string(address.lastName),
            "company": .string(address.company), "address1": .string(address.address1),
            "address2": .string(address.address2), "city": .string(address.city),
            "province_code": .string(address.provinceCode), "postal_code": .string(address.postalCode),
            "country_code": .string(address.countryCode), "phone": .string(address.phone),
            "provinces": .array((AddressRules.provinces[address.countryCode] ?? []).map { p in
                ["code": .string(p.code), "name": .string(p.name), "selected": .bool(p.code == address.provinceCode)]
            }),
            "province_label": .string(address.countryCode == "CA" ? "Province" : (address.countryCode == "US" ? "State" : "State / region")),
            "postal_label": .string(address.countryCode == "US" ? "ZIP code" : (address.countryCode == "GB" ? "Postcode" : "Postal code")),
            "errors": .dictionary(errors.mapValues { .string($0) }),
        ]
    }
}
