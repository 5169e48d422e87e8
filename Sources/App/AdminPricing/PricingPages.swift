import Commerce
import Foundation
import HTTP
import Liquid

/// Shared by the Shipping & taxes and Discounts pages: rendering, countries, and parsing of the
/// forms' money, whole-number, percentage and date fields (each problem reported on its field).
enum PricingPages {
    static func render(_ site: PlatformSite, _ context: AdminContext, area: AdminArea, page: String, title: String,
                       assigns: [String: Value], errors: FormErrors? = nil) throws -> Response {
        var data = assigns
        data["admin_url"] = .string(context.adminURL)
        return try AdminPages.render(site, context, area: area, page: page, title: title, assigns: data, errors: errors)
    }

    /// Field errors from a Commerce validation, keyed by the same form names.
    static func merge(_ validation: CatalogValidation, into errors: inout FormErrors) {
        for e in validation.errors { errors.add(e.field, e.message) }
    }

    // MARK: Countries

    /// ISO 3166-1 alpha-2 countries with English names, by name.
    static let countries: [(code: String, name: String)] = {
        let english = Locale(identifier: "en")
        // Regions that are not ISO 3166-1 countries (unions, pseudo-regions, exceptional reservations).
        let notCountries: Set<String> = ["EU", "EZ", "UN", "QO", "ZZ", "XA", "XB", "XK", "AC", "CP", "CQ", "DG", "EA", "IC", "TA"]
        return Locale.Region.isoRegions.compactMap { region -> (String, String)? in
            let code = region.identifier
            guard code.count == 2, code.unicodeScalars.allSatisfy({ $0.value >= 65 && $0.value <= 90 }),
                  !notCountries.contains(code), let name = english.localizedString(forRegionCode: code), name != code else { return nil }
            return (code, name)
        }.sorted { $0.1.localizedCompare($1.1) == .orderedAscending }
    }()

    static let countryNames: [String: String] = Dictionary(uniqueKeysWithValues: countries.map { ($0.code, $0.name) })

    static func countryName(_ code: String) -> String { countryNames[code] ?? code }

    static func countryOptions(selected: Set<String>) -> Value {
        .array(countries.map { ["code": .string($0.code), "name": .string($0.name), "selected": .bool(selected.contains($0.code))] })
    }

    // MARK: Parsing

    /// An optional amount in the store's currency: empty → nil; bad → an error on `field`.
    static func money(_ form: FormData, _ field: String, digits: Int, errors: inout FormErrors, required: Bool = false,
                      label: String = "an amount") -> Int64? {
        let text = (form[field] ?? "").trimmingWhitespace()
        if text.isEmpty {
            if required { errors.add(field, "Enter \(label).") }
            return nil
        }
        guard let value = CatalogText.minorUnits(text, digits: digits) else {
            errors.add(field, digits == 0 ? "Enter a whole amount, like 500." : "Enter an amount like 5 or 4.99.")
            return nil
        }
        return value
    }

    /// An optional whole number ≥ 0 (≤ 1,000,000,000).
    static func whole(_ form: FormData, _ field: String, errors: inout FormErrors) -> Int? {
        let text = (form[field] ?? "").trimmingWhitespace().replacingOccurrences(of: ",", with: "")
        if text.isEmpty { return nil }
        guard let value = Int(text), value >= 0, value <= 1_000_000_000 else {
            errors.add(field, "Enter a whole number, like 3.")
            return nil
        }
        return value
    }

    /// A weight typed in the store's unit, in grams (kg and lb allow 3 decimals).
    static func grams(_ form: FormData, _ field: String, unit: String, errors: inout FormErrors) -> Int? {
        let text = (form[field] ?? "").trimmingWhitespace()
        if text.isEmpty { return nil }
        let digits = unit == "g" ? 0 : 3
        guard let scaled = CatalogText.minorUnits(text, digits: digits), scaled <= 1_000_000_000 else {
            errors.add(field, unit == "g" ? "Enter a weight in grams, like 500." : "Enter a weight like 2 or 0.5.")
            return nil
        }
        switch unit {
        case "kg": return Int(scaled)                                   // thousandths of a kg are grams
        case "lb": return Int(PricingMath.mulDivHalfUp(scaled, 453_592, 1_000_000))  // 1 lb = 453.592 g
        case "oz": return Int(PricingMath.mulDivHalfUp(scaled, 28_350, 1_000_000))   // 1 oz ≈ 28.350 g
        default: return Int(scaled)
        }
    }

    /// Grams shown in the store's unit, as the form takes them back.
    static func weightText(_ grams: Int?, unit: String) -> String {
        guard let grams else { return "" }
        switch unit {
        case "kg": return trimZeros(CatalogText.decimal(Int64(grams), digits: 3))
        case "lb": return trimZeros(CatalogText.decimal(PricingMath.mulDivHalfUp(Int64(grams), 1_000_000, 453_592), digits: 3))
        case "oz": return trimZeros(CatalogText.decimal(PricingMath.mulDivHalfUp(Int64(grams), 1_000_000, 28_350), digits: 3))
        default: return String(grams)
        }
    }

    static func trimZeros(_ s: String) -> String {
        guard s.contains(".") else { return s }
        var t = s
        while t.hasSuffix("0") { t.removeLast() }
        if t.hasSuffix(".") { t.removeLast() }
        return t
    }

    /// `2026-12-24T09:30` (an `<input type="datetime-local">`) in the store's time zone.
    static func date(_ form: FormData, _ field: String, timezone: String, errors: inout FormErrors) -> Date? {
        let text = (form[field] ?? "").trimmingWhitespace()
        if text.isEmpty { return nil }
        let formatter = dateFormatter(timezone)
        guard let d = formatter.date(from: text) ?? formatter.date(from: text + "T00:00") ?? {
            formatter.dateFormat = "yyyy-MM-dd'T'HH:mm:ss"
            return formatter.date(from: text)
        }() else {
            errors.add(field, "Enter a date and time, like 2026-12-24 09:30.")
            return nil
        }
        return d
    }

    static func dateText(_ date: Date?, timezone: String) -> String {
        date.map { dateFormatter(timezone).string(from: $0) } ?? ""
    }

    /// “24 Dec 2026, 09:30” for the list.
    static func dateLabel(_ date: Date, timezone: String) -> String {
        let f = DateFormatter()
        f.locale = Locale(identifier: "en_US_POSIX")
        f.timeZone = TimeZone(identifier: timezone) ?? TimeZone(identifier: "UTC")
        f.dateFormat = "d MMM yyyy, HH:mm"
        return f.string(from: date)
    }

    static func dateFormatter(_ timezone: String) -> DateFormatter {
        let f = DateFormatter()
        f.locale = Locale(identifier: "en_US_POSIX")
        f.timeZone = TimeZone(identifier: timezone) ?? TimeZone(identifier: "UTC")
        f.dateFormat = "yyyy-MM-dd'T'HH:mm"
        return f
    }

    /// `20%`, `8.875%`.
    static func percent(_ ppm: Int) -> String { PricingMath.percent(fromPPM: ppm) + "%" }
}
