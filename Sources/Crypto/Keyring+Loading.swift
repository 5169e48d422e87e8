import COpenSSL
#if canImport(Glibc)
import Glibc
#endif

/// Loading and writing master keys.
///
/// **Format.** One key per line, `kid:base64key`: the key id (1-64 of `A-Z a-z 0-9 _ -`), a
/// colon, then 32 random bytes in base64 (standard or URL-safe, padding optional — the output of
/// `openssl rand -base64 32` works). Blank lines and lines starting with `#` are ignored.
/// **The last key is current**: new values are sealed under it; the earlier ones only open old
/// values. In `STOREFLEET_MASTER_KEY` lines may also be separated by `;`.
///
///     # .data/run/master.key (mode 0600)
///     k2025a:3q2+7wQ7bXJ2c0Y2dWx0a2V5a2V5a2V5a2V5a2V5a2U=
///     k2026b:Vg0KZ0l3c2FtcGxla2V5c2FtcGxla2V5c2FtcGxlaw==
///
/// Rotation: `Keyring.appendNewKey(toFile:)` (what `storefleet keys rotate` calls) appends a
/// fresh line, making it current; then every sealed value for which `needsResealing` is true is
/// opened and sealed again; old lines can be deleted once nothing needs them.
extension Keyring {
    /// The environment variable holding key lines directly.
    public static let environmentKey = "STOREFLEET_MASTER_KEY"
    /// The environment variable naming a key file.
    public static let environmentFileKey = "STOREFLEET_MASTER_KEY_FILE"

    /// Loads keys from `file` if given, else from `STOREFLEET_MASTER_KEY`, else from the file
    /// named by `STOREFLEET_MASTER_KEY_FILE`.
    public static func load(file: String?, environment: [String: String]) throws(CryptoError) -> Keyring {
        if let file { return try Keyring(parsing: try readKeyFile(file)) }
        if let lines = environment[environmentKey], !lines.isEmpty { return try Keyring(parsing: lines) }
        if let path = environment[environmentFileKey], !path.isEmpty { return try Keyring(parsing: try readKeyFile(path)) }
        throw .noMasterKey
    }

    /// Parses key lines (separated by newlines or `;`).
    public init(parsing text: String) throws(CryptoError) {
        var pairs: [(id: String, key: [UInt8])] = []
        let lines = text.split(omittingEmptySubsequences: false) { $0 == "\n" || $0 == ";" || $0 == "\r" }
        for (n, rawLine) in lines.enumerated() {
            let line = rawLine.trimmingASCIIWhitespace()
            if line.isEmpty || line.hasPrefix("#") { continue }
            guard let colon = line.firstIndex(of: ":") else {
                throw .invalidKeyring("line \(n + 1): expected kid:base64key")
            }
            let kid = String(line[..<colon])
            guard let key = Base64URL.decode(String(line[line.index(after: colon)...])) else {
                throw .invalidKeyring("line \(n + 1): key is not base64")
            }
            pairs.append((kid, key))
        }
        try self.init(keys: pairs)
    }

    /// A new `kid:base64key` line with 32 fresh random bytes, for scripts (`make run`).
    public static func generateKeyLine(kid: String) -> String {
        precondition(isValidKeyID(kid), "key id must be 1-64 of A-Z a-z 0-9 _ -")
        return kid + ":" + Base64.encode(SecureRandom.bytes(keyLength))
    }

    /// A key id from the current UTC time, e.g. `k20261125T161700`.
    public static func timestampKeyID() -> String {
        var now = time(nil)
        var parts = tm()
        gmtime_r(&now, &parts)
        func two(_ v: Int32) -> String { v < 10 ? "0\(v)" : "\(v)" }
        return "k\(parts.tm_year + 1900)\(two(parts.tm_mon + 1))\(two(parts.tm_mday))T"
            + "\(two(parts.tm_hour))\(two(parts.tm_min))\(two(parts.tm_sec))"
    }

    /// Appends a freshly generated key to `path` (created with mode 0600 if missing), making it
    /// the current key for every process that loads the file afterwards. Returns the new key id.
    @discardableResult
    public static func appendNewKey(toFile path: String, kid: String? = nil) throws(CryptoError) -> String {
        let kid = kid ?? timestampKeyID()
        guard isValidKeyID(kid) else { throw .invalidKeyring("key id must be 1-64 of A-Z a-z 0-9 _ -") }
        var existing = ""
        if access(path, F_OK) == 0 {
            existing = try readKeyFile(path)
            let current = try Keyring(parsing: existing)
            guard !current.keyIDs.contains(kid) else { throw .invalidKeyring("key id \(kid) already exists") }
        }
        let separator = existing.isEmpty || existing.hasSuffix("\n") ? "" : "\n"
        let line = separator + generateKeyLine(kid: kid) + "\n"
        let fd = Glibc.open(path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0o600)
        guard fd >= 0 else { throw .unreadableKeyFile(path: path) }
        defer { Glibc.close(fd) }
        let bytes = Array(line.utf8)
        let written = bytes.withUnsafeBytes { write(fd, $0.baseAddress, $0.count) }
        guard written == bytes.count, fsync(fd) == 0 else { throw .unreadableKeyFile(path: path) }
        return kid
    }

    /// This keyring plus one key, which becomes current (for tests and in-memory rotation).
    public func adding(kid: String, key: [UInt8]) throws(CryptoError) -> Keyring {
        try Keyring(keys: keyIDs.map { ($0, keys[$0]!) } + [(kid, key)])
    }

    static func readKeyFile(_ path: String) throws(CryptoError) -> String {
        let fd = Glibc.open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { throw .unreadableKeyFile(path: path) }
        defer { Glibc.close(fd) }
        var data: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 4096)
        while true {
            let n = buffer.withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) }
            if n < 0 { throw .unreadableKeyFile(path: path) }
            if n == 0 { break }
            data += buffer[0..<n]
        }
        return String(decoding: data, as: UTF8.self)
    }
}

extension Substring {
    func trimmingASCIIWhitespace() -> Substring {
        var s = self
        while let c = s.first, c == " " || c == "\t" { s.removeFirst() }
        while let c = s.last, c == " " || c == "\t" { s.removeLast() }
        return s
    }
}
