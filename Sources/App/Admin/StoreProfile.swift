import Foundation
import Liquid
import Postgres

/// What the admin's settings page edits: the store's `store_settings` row with the columns of
/// tenant migration 0009 (address, policies, logo). The registry keeps a routing copy of name,
/// currency, country and timezone, which the settings page updates with it.
struct StoreProfile: Equatable {
    var name = ""
    var contactEmail = ""
    var phone = ""
    var address1 = ""
    var address2 = ""
    var city = ""
    var province = ""
    var postalCode = ""
    var countryCode = "US"
    var currency = "USD"
    var timezone = "UTC"
    var refundPolicy = ""
    var privacyPolicy = ""
    var termsOfService = ""
    var shippingPolicy = ""
    /// A file name in the store's media folder, or nil.
    var logoPath: String?

    static func load(on db: Connection) throws -> StoreProfile {
        guard let row = try db.queryFirst("""
            SELECT name, contact_email, phone, address1, address2, city, province, postal_code, country_code,
                   currency, timezone, refund_policy, privacy_policy, terms_of_service, shipping_policy, logo_path
            FROM store_settings
            """) else { return StoreProfile() }
        return StoreProfile(
            name: try row.decode("name"), contactEmail: try row.decode("contact_email"), phone: try row.decode("phone"),
            address1: try row.decode("address1"), address2: try row.decode("address2"), city: try row.decode("city"),
            province: try row.decode("province"), postalCode: try row.decode("postal_code"),
            countryCode: try row.decode("country_code"), currency: try row.decode("currency"),
            timezone: try row.decode("timezone"), refundPolicy: try row.decode("refund_policy"),
            privacyPolicy: try row.decode("privacy_policy"), termsOfService: try row.decode("terms_of_service"),
            shippingPolicy: try row.decode("shipping_policy"), logoPath: try row.decode("logo_path"))
    }

    /// Writes every field; the money formats follow the currency.
    func save(on db: Connection) throws {
        let formats = MoneyFormats.forCurrency(currency)
        try db.execute("""
            UPDATE store_settings SET name = \(name), contact_email = \(contactEmail), phone = \(phone),
                address1 = \(address1), address2 = \(address2), city = \(city), province = \(province),
                postal_code = \(postalCode), country_code = \(countryCode), currency = \(currency),
                money_format = \(formats.money), money_with_currency_format = \(formats.moneyWithCurrency),
                timezone = \(timezone), refund_policy = \(refundPolicy), privacy_policy = \(privacyPolicy),
                terms_of_service = \(termsOfService), shipping_policy = \(shippingPolicy), logo_path = \(logoPath)
            """)
    }

    /// The names of the fields that differ from `other`, for the audit log (values stay out of it).
    func changedFields(from other: StoreProfile) -> [String] {
        var changed: [String] = []
        func check(_ field: String, _ a: String?, _ b: String?) { if a != b { changed.append(field) } }
        check("name", name, other.name); check("contact_email", contactEmail, other.contactEmail)
        check("phone", phone, other.phone); check("address1", address1, other.address1)
        check("address2", address2, other.address2); check("city", city, other.city)
        check("province", province, other.province); check("postal_code", postalCode, other.postalCode)
        check("country", countryCode, other.countryCode); check("currency", currency, other.currency)
        check("timezone", timezone, other.timezone); check("refund_policy", refundPolicy, other.refundPolicy)
        check("privacy_policy", privacyPolicy, other.privacyPolicy)
        check("terms_of_service", termsOfService, other.termsOfService)
        check("shipping_policy", shippingPolicy, other.shippingPolicy); check("logo", logoPath, other.logoPath)
        return changed
    }

    /// The form's values, keyed by field name (to fill the settings form).
    var formValue: Value {
        ["name": .string(name), "contact_email": .string(contactEmail), "phone": .string(phone),
         "address1": .string(address1), "address2": .string(address2), "city": .string(city),
         "province": .string(province), "postal_code": .string(postalCode), "country": .string(countryCode),
         "currency": .string(currency), "timezone": .string(timezone), "refund_policy": .string(refundPolicy),
         "privacy_policy": .string(privacyPolicy), "terms_of_service": .string(termsOfService),
         "shipping_policy": .string(shippingPolicy)]
    }
}
