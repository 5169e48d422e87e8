/// Where to go after log-in: `next` if it is a path on this host, else `/stores`. Anything that
/// a browser could read as another origin (`//evil.example`, `/\evil.example`, `https:...`,
/// control characters) falls back, so a link to our log-in page can never send people away.
enum SafeNext {
    static let home = "/stores"

    static func path(_ next: String?) -> String {
        guard let next, isLocalPath(next) else { return home }
        return next
    }

    static func isLocalPath(_ s: String) -> Bool {
        let bytes = Array(s.utf8)
        guard bytes.count >= 1, bytes.count <= 2000, bytes[0] == UInt8(ascii: "/") else { return false }
        if bytes.count > 1 && (bytes[1] == UInt8(ascii: "/") || bytes[1] == UInt8(ascii: "\\")) { return false }
        // Browsers treat a backslash like a slash and drop tabs and newlines inside URLs.
        return !bytes.contains { $0 < 0x21 || $0 == 0x7F || $0 == UInt8(ascii: "\\") }
    }
}
