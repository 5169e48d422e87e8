enum CookieParser {
    /// Parses a `Cookie` header: `a=1; b="two"`. The first of a repeated name wins (the most
    /// specific path, as browsers order them). Pairs without `=` are skipped; values are not
    /// percent-decoded (cookies are opaque) but must be valid UTF-8.
    static func parse(_ header: String, limits: RequestLimits) throws(HTTPError) -> [String: String] {
        guard header.utf8.count <= limits.maxCookieHeaderBytes else {
            throw .badRequest("The request's cookies are too large.")
        }
        var cookies: [String: String] = [:]
        var count = 0
        for part in header.utf8.split(separator: UInt8(ascii: ";"), omittingEmptySubsequences: true) {
            guard let eq = part.firstIndex(of: UInt8(ascii: "=")) else { continue }
            let name = trimmed(part[..<eq])
            var value = trimmed(part[part.index(after: eq)...])
            if value.count >= 2, value.first == UInt8(ascii: "\""), value.last == UInt8(ascii: "\"") {
                value = value.dropFirst().dropLast()
            }
            guard !name.isEmpty else { continue }
            count += 1
            guard count <= limits.maxCookies else { throw .badRequest("The request has too many cookies.") }
            // The header is already a valid String and we split on ASCII bytes, so each part is
            // valid UTF-8 too; only NUL is left to refuse.
            guard !name.contains(0), !value.contains(0) else { throw .invalidUTF8 }
            let n = String(Substring(name))
            if cookies[n] == nil { cookies[n] = String(Substring(value)) }
        }
        return cookies
    }

    private static func trimmed(_ s: Substring.UTF8View.SubSequence) -> Substring.UTF8View.SubSequence {
        var s = s
        while let f = s.first, f == UInt8(ascii: " ") || f == UInt8(ascii: "\t") { s = s.dropFirst() }
        while let l = s.last, l == UInt8(ascii: " ") || l == UInt8(ascii: "\t") { s = s.dropLast() }
        return s
    }
}
