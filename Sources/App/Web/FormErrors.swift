import HTTP
import Liquid

/// What was wrong with a submitted form, field by field, shown next to each field.
/// A form with errors is answered with status 422 and the form again, refilled; nothing saved.
struct FormErrors {
    private(set) var messages: [(field: String, message: String)] = []

    var isEmpty: Bool { messages.isEmpty }

    /// Records the first problem of `field` (later ones for the same field are dropped).
    mutating func add(_ field: String, _ message: String) {
        if !messages.contains(where: { $0.field == field }) { messages.append((field, message)) }
    }

    subscript(field: String) -> String? { messages.first { $0.field == field }?.message }

    /// `errors.email` in templates; `errors.size` > 0 when there is any.
    var liquidValue: Value {
        var d: [String: Value] = [:]
        for m in messages { d[m.field] = .string(m.message) }
        return .dictionary(d)
    }

    // MARK: - Common checks (each returns the cleaned value)

    /// A required single-line text: trimmed, not empty, at most `maxLength` characters, no
    /// control characters. Markup is allowed as text (templates escape it).
    @discardableResult
    mutating func requireText(_ form: FormData, _ field: String, label: String, maxLength: Int = 200) -> String {
        let value = (form[field] ?? "").trimmingWhitespace()
        if value.isEmpty {
            add(field, "Enter \(label).")
        } else if value.count > maxLength {
            add(field, "\(label.prefix(1).uppercased() + label.dropFirst()) must be at most \(maxLength) characters.")
        } else if value.unicodeScalars.contains(where: { $0.value < 0x20 || $0.value == 0x7F }) {
            add(field, "\(label.prefix(1).uppercased() + label.dropFirst()) cannot contain control characters.")
        }
        return value
    }

    /// An optional text: trimmed, at most `maxLength` characters (multi-line when `multiline`).
    mutating func optionalText(_ form: FormData, _ field: String, label: String, maxLength: Int = 200,
                               multiline: Bool = false) -> String {
        let value = (form[field] ?? "").trimmingWhitespace()
        if value.count > maxLength {
            add(field, "\(label.prefix(1).uppercased() + label.dropFirst()) must be at most \(maxLength) characters.")
        } else if value.unicodeScalars.contains(where: {
            ($0.value < 0x20 && !(multiline && ($0 == "\n" || $0 == "\r" || $0 == "\t"))) || $0.value == 0x7F
        }) {
            add(field, "\(label.prefix(1).uppercased() + label.dropFirst()) cannot contain control characters.")
        }
        return value
    }

    /// A required email address, lower-cased, of a plausible shape (one `@`, a dot in the domain).
    mutating func requireEmail(_ form: FormData, _ field: String = "email") -> String {
        let value = (form[field] ?? "").trimmingWhitespace().lowercased()
        if value.isEmpty {
            add(field, "Enter your email address.")
        } else if value.count > 254 || !FormErrors.looksLikeEmail(value) {
            add(field, "Enter an email address like name@example.com.")
        }
        return value
    }

    static func looksLikeEmail(_ s: String) -> Bool {
        let parts = s.split(separator: "@", omittingEmptySubsequences: false)
        guard parts.count == 2, !parts[0].isEmpty, parts[0].count <= 64 else { return false }
        let domain = parts[1]
        guard domain.contains("."), !domain.hasPrefix("."), !domain.hasSuffix("."), !domain.contains("..") else { return false }
        return s.unicodeScalars.allSatisfy { $0.value > 0x20 && $0.value != 0x7F && !"<>()[]\\,;:\"".unicodeScalars.contains($0) || $0 == "@" }
    }
}

extension String {
    /// Without leading and trailing spaces, tabs and newlines.
    func trimmingWhitespace() -> String {
        let scalars = unicodeScalars
        guard let first = scalars.firstIndex(where: { !$0.properties.isWhitespace }) else { return "" }
        let last = scalars.lastIndex(where: { !$0.properties.isWhitespace })!
        return String(scalars[first...last])
    }
}

/// The submitted values, to refill a form shown again with errors (never passwords).
func formValues(_ form: FormData, except secret: Set<String> = ["password", "current_password", "new_password", "_csrf"]) -> Value {
    var d: [String: Value] = [:]
    for f in form.fields where !secret.contains(f.name) && d[f.name] == nil { d[f.name] = .string(f.value) }
    return .dictionary(d)
}
