import Foundation

/// Handles, barcodes and money amounts as merchants type them.
public enum CatalogText {
    /// A URL handle from a title: lower-case ASCII letters and digits, accents folded away,
    /// everything else one dash (`"Café Crème 2"` → `cafe-creme-2`). Empty when nothing is left.
    public static func handle(from title: String) -> String {
        let folded = title.folding(options: [.diacriticInsensitive, .caseInsensitive, .widthInsensitive], locale: nil)
            .lowercased()
        var out = ""
        var dash = false
        for scalar in folded.unicodeScalars {
            if ("a"..."z").contains(scalar) || ("0"..."9").contains(scalar) {
                if dash && !out.isEmpty { out += "-" }
                dash = false
                out.unicodeScalars.append(scalar)
            } else {
                dash = true
            }
        }
        return String(out.prefix(200))
    }

    /// True for a handle a merchant may choose: 1–255 of a–z, 0–9, `-` and `_`, starting with a
    /// letter or digit.
    public static func isValidHandle(_ handle: String) -> Bool {
        guard let first = handle.unicodeScalars.first, handle.unicodeScalars.count <= 255,
              ("a"..."z").contains(first) || ("0"..."9").contains(first) else { return false }
        return handle.unicodeScalars.allSatisfy {
            ("a"..."z").contains($0) || ("0"..."9").contains($0) || $0 == "-" || $0 == "_"
        }
    }

    /// A GTIN (EAN-8, UPC-A, EAN-13/ISBN-13, GTIN-14) whose GS1 check digit is right.
    public static func isValidGTIN(_ code: String) -> Bool {
        let digits = code.utf8.map { Int($0) - 48 }
        guard [8, 12, 13, 14].contains(digits.count), digits.allSatisfy({ (0...9).contains($0) }) else { return false }
        // Weights 3,1,3,1,... from the digit left of the check digit.
        var sum = 0
        for (offset, digit) in digits.dropLast().reversed().enumerated() {
            sum += digit * (offset % 2 == 0 ? 3 : 1)
        }
        return (10 - sum % 10) % 10 == digits.last!
    }

    /// Decimal digits after the point in `currency` (ISO 4217 minor unit).
    public static func minorDigits(currency: String) -> Int {
        switch currency.uppercased() {
        case "JPY", "KRW", "VND", "CLP", "ISK", "PYG", "UGX", "XAF", "XOF", "XPF", "RWF", "KMF", "GNF", "DJF", "VUV": return 0
        case "BHD", "KWD", "JOD", "OMR", "TND", "IQD", "LYD": return 3
        default: return 2
        }
    }

    /// Minor units from an amount as typed: `12`, `12.5`, `12.50`, `1,234.50` (commas as
    /// thousands separators only). nil for anything else, negative amounts and more decimals
    /// than the currency has.
    public static func minorUnits(_ text: String, digits: Int = 2) -> Int64? {
        var s = text.trimmedWhitespace()
        if let first = s.first, "$€£¥".contains(first) { s.removeFirst() }
        s = s.replacingOccurrences(of: ",", with: "")
        guard !s.isEmpty, s.count <= 20 else { return nil }
        let parts = s.split(separator: ".", omittingEmptySubsequences: false)
        guard parts.count <= 2, let whole = parts.first, !whole.isEmpty,
              whole.utf8.allSatisfy({ $0 >= 48 && $0 <= 57 }) else { return nil }
        var fraction = parts.count == 2 ? String(parts[1]) : ""
        guard fraction.utf8.allSatisfy({ $0 >= 48 && $0 <= 57 }) else { return nil }
        // "12.50" in a 0-digit currency is fine as long as the extra digits are zeros.
        while fraction.count > digits, fraction.hasSuffix("0") { fraction.removeLast() }
        guard fraction.count <= digits else { return nil }
        fraction += String(repeating: "0", count: digits - fraction.count)
        guard let value = Int64(String(whole) + fraction), value <= 1_000_000_000_000 else { return nil }
        return value
    }

    /// `1250` → `"12.50"` with 2 digits; the inverse of `minorUnits`.
    public static func decimal(_ minor: Int64, digits: Int = 2) -> String {
        guard digits > 0 else { return String(minor) }
        var scale: Int64 = 1
        for _ in 0..<digits { scale *= 10 }
        let sign = minor < 0 ? "-" : ""
        let magnitude = minor.magnitude
        let fraction = String(magnitude % UInt64(scale))
        return sign + String(magnitude / UInt64(scale)) + "." + String(repeating: "0", count: digits - fraction.count) + fraction
    }

    /// Tags from a comma-separated list: trimmed, empty ones dropped, duplicates (ignoring case)
    /// kept once, in first-seen order.
    public static func tags(_ text: String) -> [String] {
        var seen: Set<String> = []
        var result: [String] = []
        for part in text.split(separator: ",") {
            let tag = String(part).trimmedWhitespace()
            if !tag.isEmpty, seen.insert(tag.lowercased()).inserted { result.append(tag) }
        }
        return result
    }
}
