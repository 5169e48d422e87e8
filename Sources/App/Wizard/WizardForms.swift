import HTTP
import Postgres
import Registry

/// The checks of each wizard step: each reads its fields into the draft and records what is
/// wrong, field by field. A step with errors is shown again with status 422 and the draft is
/// not changed.
enum WizardForms {
    static let nameMaxLength = 100
    static let productTitleMaxLength = 200
    /// The largest price the first product may have, in major units.
    static let maxPriceMajor: Int64 = 1_000_000

    /// Store name and subdomain; the subdomain is checked against the registry too.
    static func store(_ form: FormData, into draft: inout WizardDraft, errors: inout FormErrors,
                      registry: () throws -> Connection) throws {
        let name = errors.requireText(form, "name", label: "a store name", maxLength: nameMaxLength)
        let subdomain = SubdomainCheck.normalize(form["subdomain"] ?? "")
        if let message = try subdomainProblem(subdomain, registry: registry) { errors.add("subdomain", message) }
        draft.name = name
        draft.subdomain = subdomain
    }

    /// nil when the subdomain may be taken now.
    static func subdomainProblem(_ subdomain: String, registry: () throws -> Connection) throws -> String? {
        if let violation = SubdomainCheck.ruleViolation(subdomain) { return violation.reason }
        let verdict = try SubdomainCheck.check(subdomain, registry: try registry())
        return verdict.isAvailable ? nil : verdict.reason
    }

    static func template(_ form: FormData, themes: [StarterTheme], into draft: inout WizardDraft,
                         errors: inout FormErrors) {
        let template = form["template"] ?? ""
        if template.isEmpty {
            errors.add("template", "Choose a look for your store.")
        } else if !themes.contains(where: { $0.id == template }) {
            errors.add("template", "Choose one of the looks shown.")
        }
        switch form["sample_data"] {
        case nil, "yes": draft.sampleData = true
        case "no": draft.sampleData = false
        default: errors.add("sample_data", "Choose whether to start with sample products.")
        }
        draft.template = template
    }

    static func locale(_ form: FormData, into draft: inout WizardDraft, errors: inout FormErrors) {
        let country = (form["country"] ?? "").uppercased()
        let currency = (form["currency"] ?? "").uppercased()
        let timezone = form["timezone"] ?? ""
        let language = form["language"] ?? ""
        if WizardCatalog.country(country) == nil { errors.add("country", "Choose the country your business is in.") }
        if !WizardCatalog.currencies.contains(where: { $0.code == currency }) {
            errors.add("currency", "Choose the currency your prices are in.")
        }
        if !WizardCatalog.timezones.contains(timezone) { errors.add("timezone", "Choose your time zone.") }
        if !WizardCatalog.languages.contains(where: { $0.code == language }) {
            errors.add("language", "Choose the language of your storefront.")
        }
        draft.country = country
        draft.currency = currency
        draft.timezone = timezone
        draft.language = language
    }

    /// The optional first product. The skip button (or both fields left empty) skips it.
    static func product(_ form: FormData, currency: String, into draft: inout WizardDraft, errors: inout FormErrors) {
        if form["skip"] != nil {
            draft.productTitle = ""
            draft.productPrice = ""
            draft.productDone = true
            return
        }
        let title = errors.optionalText(form, "product_title", label: "the product name", maxLength: productTitleMaxLength)
        let price = (form["product_price"] ?? "").trimmingWhitespace()
        draft.productTitle = title
        draft.productPrice = price
        if title.isEmpty && price.isEmpty {
            draft.productDone = true
            return
        }
        if title.isEmpty { errors.add("product_title", "Enter the product’s name, or skip this step.") }
        if price.isEmpty {
            errors.add("product_price", "Enter the product’s price, or skip this step.")
        } else if case .failure(let message) = parsePrice(price, currency: currency) {
            errors.add("product_price", message)
        }
        draft.productDone = errors.isEmpty
    }

    enum PriceResult: Equatable {
        case success(Int64)
        case failure(String)
    }

    /// A price as typed ("19.90", "19,90", "1 299", "1,299.00" with a decimal point last) in the
    /// currency's minor units. Never floating point.
    static func parsePrice(_ typed: String, currency: String) -> PriceResult {
        let digits = WizardCatalog.currencyDigits(currency)
        let example = digits == 0 ? "1990" : "19.90"
        let text = typed.filter { $0 != " " && $0 != "\u{00A0}" }
        guard !text.isEmpty, text.allSatisfy({ $0.isASCII && ($0.isNumber || $0 == "." || $0 == ",") }) else {
            return .failure("Enter a price like \(example), using digits only.")
        }
        // The last separator is the decimal one when 1...digits digits follow it; others group thousands.
        var whole = text
        var fraction = ""
        if let last = text.lastIndex(where: { $0 == "." || $0 == "," }) {
            let after = text[text.index(after: last)...]
            if digits > 0, (1...digits).contains(after.count) {
                whole = String(text[..<last])
                fraction = String(after)
            } else if after.count != 3 {
                return .failure(digits == 0 ? "\(currency) prices have no decimals: enter a price like \(example)."
                                            : "Enter a price like \(example), with at most \(digits) decimals.")
            }
        }
        let wholeDigits = whole.filter(\.isNumber)
        guard !wholeDigits.isEmpty || !fraction.isEmpty, wholeDigits.count <= 10 else {
            return .failure("Enter a price like \(example).")
        }
        let major = Int64(wholeDigits.isEmpty ? "0" : wholeDigits) ?? Int64.max
        if major >= maxPriceMajor { return .failure("Enter a price below \(maxPriceMajor.formatted()) \(currency).") }
        var scale: Int64 = 1
        for _ in 0..<digits { scale *= 10 }
        let padded = fraction + String(repeating: "0", count: digits - fraction.count)
        let minor = major * scale + (Int64(padded.isEmpty ? "0" : padded) ?? 0)
        return .success(minor)
    }
}

extension Int64 {
    /// 1000000 → "1,000,000".
    func formatted() -> String {
        let s = String(self)
        var out = ""
        for (i, ch) in s.enumerated() {
            if i > 0 && (s.count - i) % 3 == 0 { out.append(",") }
            out.append(ch)
        }
        return out
    }
}
