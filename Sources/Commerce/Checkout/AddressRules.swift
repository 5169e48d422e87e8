import Foundation

/// Per-country address rules checkout applies: which countries need a state or province (and
/// which ones exist), and the postal code's format. Countries without rules here are accepted
/// as typed (any postal code up to 20 characters, optional).
public enum AddressRules {
    /// A problem with one field, as shown next to it (`field` is the form field's name).
    public struct FieldError: Equatable, Sendable {
        public let field: String
        public let message: String
    }

    /// The address tidied (trimmed, postal code in its usual form, codes upper-cased) and the
    /// problems found; the address is fit for an order only when `errors` is empty.
    public static func check(_ input: CheckoutAddress, allowedCountries: Set<String>? = nil)
        -> (address: CheckoutAddress, errors: [FieldError]) {
        var a = input
        func tidy(_ s: String, limit: Int = 200) -> String {
            String(s.trimmingCharacters(in: .whitespacesAndNewlines).prefix(limit))
        }
        a.firstName = tidy(a.firstName, limit: 100)
        a.lastName = tidy(a.lastName, limit: 100)
        a.company = tidy(a.company)
        a.address1 = tidy(a.address1)
        a.address2 = tidy(a.address2)
        a.city = tidy(a.city, limit: 100)
        a.provinceCode = tidy(a.provinceCode, limit: 10).uppercased()
        a.countryCode = tidy(a.countryCode, limit: 2).uppercased()
        a.phone = tidy(a.phone, limit: 40)
        var errors: [FieldError] = []
        func fail(_ field: String, _ message: String) { errors.append(FieldError(field: field, message: message)) }

        if a.lastName.isEmpty { fail("last_name", "Enter a last name.") }
        if a.address1.isEmpty { fail("address1", "Enter an address.") }
        if a.city.isEmpty { fail("city", "Enter a city.") }
        if a.countryCode.isEmpty || countryName(a.countryCode) == a.countryCode {
            fail("country_code", "Choose a country.")
        } else if let allowed = allowedCountries, !allowed.contains(a.countryCode) {
            fail("country_code", "We don't ship to \(countryName(a.countryCode)).")
        }
        if let provinces = provinces[a.countryCode] {
            if a.provinceCode.isEmpty {
                fail("province_code", a.countryCode == "CA" ? "Choose a province." : "Choose a state.")
            } else if !provinces.contains(where: { $0.code == a.provinceCode }) {
                fail("province_code", a.countryCode == "CA" ? "Choose a province from the list." : "Choose a state from the list.")
            }
        } else {
            a.provinceCode = tidy(input.provinceCode, limit: 60)
        }
        let (postal, postalError) = postalCode(input.postalCode, country: a.countryCode)
        a.postalCode = postal
        if let postalError { fail("postal_code", postalError) }
        return (a, errors)
    }

    /// A postal code in its usual form for the country, or the message to show.
    public static func postalCode(_ raw: String, country: String) -> (String, String?) {
        let trimmed = raw.trimmingCharacters(in: .whitespacesAndNewlines).uppercased()
        let compact = trimmed.filter { !$0.isWhitespace }
        func digits(_ n: Int) -> Bool { compact.count == n && compact.allSatisfy(\.isASCIIDigit) }
        switch country {
        case "US":
            let d = compact.filter { $0 != "-" }
            if d.count == 5, d.allSatisfy(\.isASCIIDigit) { return (d, nil) }
            if d.count == 9, d.allSatisfy(\.isASCIIDigit), compact.count == 9 || compact.count == 10 {
                return (String(d.prefix(5)) + "-" + String(d.suffix(4)), nil)
            }
            return (trimmed, trimmed.isEmpty ? "Enter a ZIP code." : "Enter a ZIP code of 5 digits (or ZIP+4: 12345-6789).")
        case "CA":
            let c = Array(compact)
            let letters = "ABCEGHJKLMNPRSTVXY", later = "ABCEGHJKLMNPRSTVWXYZ"
            if c.count == 6, letters.contains(c[0]), c[1].isASCIIDigit, later.contains(c[2]),
               c[3].isASCIIDigit, later.contains(c[4]), c[5].isASCIIDigit {
                return (String(c[0..<3]) + " " + String(c[3..<6]), nil)
            }
            return (trimmed, trimmed.isEmpty ? "Enter a postal code." : "Enter a postal code like A1A 1A1.")
        case "GB":
            if compact.count >= 5, compact.count <= 7, isBritish(compact) {
                return (String(compact.dropLast(3)) + " " + String(compact.suffix(3)), nil)
            }
            return (trimmed, trimmed.isEmpty ? "Enter a postcode." : "Enter a postcode like SW1A 1AA.")
        case "DE", "FR", "IT":
            return digits(5) ? (compact, nil) : (trimmed, "Enter a postal code of 5 digits.")
        case "ES":
            if digits(5), let n = Int(compact.prefix(2)), (1...52).contains(n) { return (compact, nil) }
            return (trimmed, "Enter a postal code of 5 digits (01000–52999).")
        case "AT", "BE", "CH":
            if digits(4), compact.first != "0" { return (compact, nil) }
            return (trimmed, "Enter a postal code of 4 digits.")
        case "NL":
            let c = Array(compact)
            if c.count == 6, c[0] != "0", c[0..<4].allSatisfy(\.isASCIIDigit),
               c[4..<6].allSatisfy({ $0.isASCII && $0.isLetter }) {
                return (String(c[0..<4]) + " " + String(c[4..<6]), nil)
            }
            return (trimmed, "Enter a postal code like 1234 AB.")
        default:
            if trimmed.count > 20 { return (String(trimmed.prefix(20)), "Enter a postal code of at most 20 characters.") }
            return (trimmed, nil)
        }
    }

    /// Outward code (A9, A99, A9A, AA9, AA99, AA9A) then inward code (9AA), or GIR 0AA.
    private static func isBritish(_ s: String) -> Bool {
        if s == "GIR0AA" { return true }
        let c = Array(s)
        let inward = c.suffix(3)
        guard inward.count == 3, inward.first!.isASCIIDigit,
              inward.dropFirst().allSatisfy({ $0.isASCII && $0.isLetter }) else { return false }
        let outward = String(c.dropLast(3))
        let shapes = ["A9", "A99", "A9A", "AA9", "AA99", "AA9A"]
        let shape = String(outward.map { $0.isASCIIDigit ? "9" : ($0.isASCII && $0.isLetter ? "A" : "?") })
        return shapes.contains(shape)
    }

    // MARK: - Names

    /// The English name of a country code ("DE" → "Germany"); the code itself when unknown.
    public static func countryName(_ code: String) -> String {
        countryNames[code] ?? code
    }

    /// Every ISO 3166-1 country Foundation knows, by English name.
    public static let allCountries: [(code: String, name: String)] = {
        let english = Locale(identifier: "en_US")
        var list: [(String, String)] = []
        for region in Locale.Region.isoRegions {
            let code = region.identifier
            guard code.count == 2, code.allSatisfy({ $0.isASCII && $0.isUppercase }),
                  let name = english.localizedString(forRegionCode: code), name != code else { continue }
            list.append((code, name))
        }
        return list.sorted { $0.1.localizedStandardCompare($1.1) == .orderedAscending }
    }()

    private static let countryNames: [String: String] = Dictionary(allCountries.map { ($0.code, $0.name) },
                                                                    uniquingKeysWith: { a, _ in a })

    /// The state or province name for a code, when the country has a list.
    public static func provinceName(country: String, code: String) -> String? {
        provinces[country]?.first { $0.code == code }?.name
    }

    /// Countries whose addresses need a subdivision from a fixed list.
    public static let provinces: [String: [(code: String, name: String)]] = [
        "US": [
            ("AL", "Alabama"), ("AK", "Alaska"), ("AZ", "Arizona"), ("AR", "Arkansas"), ("CA", "California"),
            ("CO", "Colorado"), ("CT", "Connecticut"), ("DE", "Delaware"), ("DC", "District of Columbia"),
            ("FL", "Florida"), ("GA", "Georgia"), ("HI", "Hawaii"), ("ID", "Idaho"), ("IL", "Illinois"),
            ("IN", "Indiana"), ("IA", "Iowa"), ("KS", "Kansas"), ("KY", "Kentucky"), ("LA", "Louisiana"),
            ("ME", "Maine"), ("MD", "Maryland"), ("MA", "Massachusetts"), ("MI", "Michigan"), ("MN", "Minnesota"),
            ("MS", "Mississippi"), ("MO", "Missouri"), ("MT", "Montana"), ("NE", "Nebraska"), ("NV", "Nevada"),
            ("NH", "New Hampshire"), ("NJ", "New Jersey"), ("NM", "New Mexico"), ("NY", "New York"),
            ("NC", "North Carolina"), ("ND", "North Dakota"), ("OH", "Ohio"), ("OK", "Oklahoma"), ("OR", "Oregon"),
            ("PA", "Pennsylvania"), ("RI", "Rhode Island"), ("SC", "South Carolina"), ("SD", "South Dakota"),
            ("TN", "Tennessee"), ("TX", "Texas"), ("UT", "Utah"), ("VT", "Vermont"), ("VA", "Virginia"),
            ("WA", "Washington"), ("WV", "West Virginia"), ("WI", "Wisconsin"), ("WY", "Wyoming"),
            ("PR", "Puerto Rico"), ("AA", "Armed Forces Americas"), ("AE", "Armed Forces Europe"),
            ("AP", "Armed Forces Pacific"),
        ],
        "CA": [
            ("AB", "Alberta"), ("BC", "British Columbia"), ("MB", "Manitoba"), ("NB", "New Brunswick"),
            ("NL", "Newfoundland and Labrador"), ("NT", "Northwest Territories"), ("NS", "Nova Scotia"),
            ("NU", "Nunavut"), ("ON", "Ontario"), ("PE", "Prince Edward Island"), ("QC", "Quebec"),
            ("SK", "Saskatchewan"), ("YT", "Yukon"),
        ],
    ]
}

private extension Character {
    var isASCIIDigit: Bool { isASCII && isNumber }
}
