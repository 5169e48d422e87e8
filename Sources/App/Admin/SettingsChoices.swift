import Foundation
import Liquid

/// The options of the settings form's menus. A store's current value is always offered, even
/// when it is not in the list (a store created elsewhere keeps what it has).
enum SettingsChoices {
    static let currencies: [(code: String, name: String)] = [
        ("USD", "US dollar"), ("EUR", "Euro"), ("GBP", "British pound"), ("CAD", "Canadian dollar"),
        ("AUD", "Australian dollar"), ("NZD", "New Zealand dollar"), ("CHF", "Swiss franc"),
        ("SEK", "Swedish krona"), ("NOK", "Norwegian krone"), ("DKK", "Danish krone"), ("PLN", "Polish złoty"),
        ("CZK", "Czech koruna"), ("JPY", "Japanese yen"), ("CNY", "Chinese yuan"), ("HKD", "Hong Kong dollar"),
        ("SGD", "Singapore dollar"), ("INR", "Indian rupee"), ("BRL", "Brazilian real"), ("MXN", "Mexican peso"),
        ("ZAR", "South African rand"),
    ]

    static let countries: [(code: String, name: String)] = [
        ("AR", "Argentina"), ("AU", "Australia"), ("AT", "Austria"), ("BE", "Belgium"), ("BR", "Brazil"),
        ("BG", "Bulgaria"), ("CA", "Canada"), ("CL", "Chile"), ("CN", "China"), ("CO", "Colombia"),
        ("HR", "Croatia"), ("CY", "Cyprus"), ("CZ", "Czechia"), ("DK", "Denmark"), ("EE", "Estonia"),
        ("FI", "Finland"), ("FR", "France"), ("DE", "Germany"), ("GR", "Greece"), ("HK", "Hong Kong"),
        ("HU", "Hungary"), ("IS", "Iceland"), ("IN", "India"), ("IE", "Ireland"), ("IL", "Israel"),
        ("IT", "Italy"), ("JP", "Japan"), ("LV", "Latvia"), ("LT", "Lithuania"), ("LU", "Luxembourg"),
        ("MT", "Malta"), ("MX", "Mexico"), ("NL", "Netherlands"), ("NZ", "New Zealand"), ("NO", "Norway"),
        ("PL", "Poland"), ("PT", "Portugal"), ("RO", "Romania"), ("SG", "Singapore"), ("SK", "Slovakia"),
        ("SI", "Slovenia"), ("ZA", "South Africa"), ("KR", "South Korea"), ("ES", "Spain"), ("SE", "Sweden"),
        ("CH", "Switzerland"), ("TW", "Taiwan"), ("TR", "Türkiye"), ("UA", "Ukraine"),
        ("AE", "United Arab Emirates"), ("GB", "United Kingdom"), ("US", "United States"),
    ]

    /// IANA names Foundation knows (region/city ones), UTC first.
    static let timezones: [String] = {
        let names = TimeZone.knownTimeZoneIdentifiers.filter { $0.contains("/") && !$0.hasPrefix("Etc/") }.sorted()
        return ["UTC"] + names
    }()

    static func isCurrency(_ code: String) -> Bool { currencies.contains { $0.code == code } }
    static func isCountry(_ code: String) -> Bool { countries.contains { $0.code == code } }
    static func isTimezone(_ name: String) -> Bool { name == "UTC" || (name.contains("/") && TimeZone(identifier: name) != nil) }

    /// `[{value, label, selected}]` for a `<select>`.
    static func options(_ list: [(code: String, name: String)], selected: String, labelWithCode: Bool) -> Value {
        var items = list
        if !selected.isEmpty, !items.contains(where: { $0.code == selected }) { items.insert((selected, selected), at: 0) }
        return .array(items.map { item in
            ["value": .string(item.code), "label": .string(labelWithCode ? "\(item.name) (\(item.code))" : item.name),
             "selected": .bool(item.code == selected)]
        })
    }

    static func timezoneOptions(selected: String) -> Value {
        var names = timezones
        if !selected.isEmpty, !names.contains(selected) { names.insert(selected, at: 0) }
        return .array(names.map { name in
            ["value": .string(name), "label": .string(name.replacingOccurrences(of: "_", with: " ")),
             "selected": .bool(name == selected)]
        })
    }
}

/// An uploaded logo, checked by its bytes (never by the name or the browser's content type).
struct LogoImage {
    let bytes: [UInt8]
    let fileExtension: String

    /// Largest accepted logo.
    static let maximumBytes = 1 << 20

    enum Problem: Error, Equatable { case tooLarge, notAnImage }

    static func check(_ bytes: [UInt8]) throws(Problem) -> LogoImage {
        guard bytes.count <= maximumBytes else { throw .tooLarge }
        guard let ext = kind(of: bytes) else { throw .notAnImage }
        return LogoImage(bytes: bytes, fileExtension: ext)
    }

    /// `png`, `jpg`, `webp` or `gif` from the file's signature; nil for anything else (SVG
    /// included: it can carry script).
    static func kind(of b: [UInt8]) -> String? {
        if b.count >= 8, b[0...7] == [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A] { return "png" }
        if b.count >= 4, b[0] == 0xFF, b[1] == 0xD8, b[2] == 0xFF { return "jpg" }
        if b.count >= 12, b[0...3] == [0x52, 0x49, 0x46, 0x46], b[8...11] == [0x57, 0x45, 0x42, 0x50] { return "webp" }
        if b.count >= 6, b[0...5] == Array("GIF87a".utf8)[...] || b[0...5] == Array("GIF89a".utf8)[...] { return "gif" }
        return nil
    }
}
