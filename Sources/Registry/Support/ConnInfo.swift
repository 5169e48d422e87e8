import Foundation

/// libpq connection parameters, parsed from a `postgresql://` URL or `key=value` conninfo, so a
/// server's admin URL can be pointed at another database (a tenant's, the template) and rendered
/// back as key=value text for `Connection(url:)`.
public struct ConnInfo: Equatable, Sendable {
    public private(set) var parameters: [(key: String, value: String)]

    public static func == (a: ConnInfo, b: ConnInfo) -> Bool {
        a.parameters.map { $0.key + "=" + $0.value } == b.parameters.map { $0.key + "=" + $0.value }
    }

    public init(_ parameters: [(key: String, value: String)]) {
        self.parameters = parameters
    }

    public init(parsing text: String) throws(RegistryError) {
        let trimmed = text.trimmingCharacters(in: .whitespaces)
        if trimmed.hasPrefix("postgresql://") || trimmed.hasPrefix("postgres://") {
            self = try ConnInfo.parseURL(trimmed)
        } else {
            self = try ConnInfo.parseKeywords(trimmed)
        }
    }

    public subscript(key: String) -> String? {
        get { parameters.last(where: { $0.key == key })?.value }
        set {
            parameters.removeAll { $0.key == key }
            if let newValue { parameters.append((key, newValue)) }
        }
    }

    /// The same server and credentials, another database.
    public func database(_ name: String) -> ConnInfo {
        var copy = self
        copy["dbname"] = name
        return copy
    }

    /// `key='value' ...` with quotes and backslashes escaped, as libpq reads it.
    public var keywordString: String {
        parameters.map { key, value in
            var escaped = ""
            for ch in value {
                if ch == "'" || ch == "\\" { escaped.append("\\") }
                escaped.append(ch)
            }
            return "\(key)='\(escaped)'"
        }.joined(separator: " ")
    }

    /// The same text without the password, for messages.
    public var redacted: String {
        var copy = self
        if copy["password"] != nil { copy["password"] = "***" }
        return copy.keywordString
    }

    static func parseURL(_ url: String) throws(RegistryError) -> ConnInfo {
        guard let components = URLComponents(string: url) else {
            throw .invalidConfiguration("cannot parse the database URL")
        }
        var params: [(String, String)] = []
        if let host = components.host, !host.isEmpty { params.append(("host", host)) }
        if let port = components.port { params.append(("port", String(port))) }
        if let user = components.user?.removingPercentEncoding ?? components.user { params.append(("user", user)) }
        if let password = components.password?.removingPercentEncoding ?? components.password {
            params.append(("password", password))
        }
        let path = components.path.hasPrefix("/") ? String(components.path.dropFirst()) : components.path
        if !path.isEmpty { params.append(("dbname", path.removingPercentEncoding ?? path)) }
        for item in components.queryItems ?? [] {
            params.append((item.name, item.value ?? ""))
        }
        return ConnInfo(params)
    }

    static func parseKeywords(_ text: String) throws(RegistryError) -> ConnInfo {
        var params: [(String, String)] = []
        let chars = Array(text)
        var i = 0
        while true {
            while i < chars.count, chars[i].isWhitespace { i += 1 }
            if i >= chars.count { break }
            var key = ""
            while i < chars.count, chars[i] != "=", !chars[i].isWhitespace { key.append(chars[i]); i += 1 }
            while i < chars.count, chars[i].isWhitespace { i += 1 }
            guard i < chars.count, chars[i] == "=" else { throw .invalidConfiguration("malformed conninfo near \"\(key)\"") }
            i += 1
            while i < chars.count, chars[i].isWhitespace { i += 1 }
            var value = ""
            if i < chars.count, chars[i] == "'" {
                i += 1
                var closed = false
                while i < chars.count {
                    let c = chars[i]
                    i += 1
                    if c == "\\", i < chars.count { value.append(chars[i]); i += 1; continue }
                    if c == "'" { closed = true; break }
                    value.append(c)
                }
                guard closed else { throw .invalidConfiguration("unterminated quote in conninfo") }
            } else {
                while i < chars.count, !chars[i].isWhitespace {
                    let c = chars[i]
                    i += 1
                    if c == "\\", i < chars.count { value.append(chars[i]); i += 1; continue }
                    value.append(c)
                }
            }
            params.append((key, value))
        }
        return ConnInfo(params)
    }
}
