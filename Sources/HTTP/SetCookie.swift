/// A `Set-Cookie` header value. Defaults are the safe ones: `Path=/`, `HttpOnly`, `SameSite=Lax`.
public struct SetCookie: Sendable, Equatable {
    public enum SameSite: String, Sendable { case strict = "Strict", lax = "Lax", none = "None" }

    public var name: String
    /// Bytes outside RFC 6265's cookie-octets are percent-encoded.
    public var value: String
    public var path: String? = "/"
    public var domain: String? = nil
    /// Seconds; 0 deletes the cookie; nil makes a session cookie.
    public var maxAge: Int? = nil
    public var secure: Bool = false
    public var httpOnly: Bool = true
    public var sameSite: SameSite? = .lax

    public init(name: String, value: String, path: String? = "/", domain: String? = nil, maxAge: Int? = nil,
                secure: Bool = false, httpOnly: Bool = true, sameSite: SameSite? = .lax) {
        self.name = name
        self.value = value
        self.path = path
        self.domain = domain
        self.maxAge = maxAge
        self.secure = secure
        self.httpOnly = httpOnly
        self.sameSite = sameSite
    }

    /// A cookie that tells the browser to forget `name` (same path and domain as when set).
    public static func deletion(name: String, path: String? = "/", domain: String? = nil, secure: Bool = false) -> SetCookie {
        SetCookie(name: name, value: "", path: path, domain: domain, maxAge: 0, secure: secure)
    }

    public var headerValue: String {
        var s = String(name.unicodeScalars.filter { $0.isASCII && isTokenByte(UInt8($0.value)) }.map(Character.init))
        s += "="
        s += SetCookie.encodeValue(value)
        if let path { s += "; Path=" + SetCookie.attributeSafe(path) }
        if let domain { s += "; Domain=" + SetCookie.attributeSafe(domain) }
        if let maxAge { s += "; Max-Age=\(max(0, maxAge))" }
        if maxAge == 0 { s += "; Expires=Thu, 01 Jan 1970 00:00:00 GMT" }
        if secure || sameSite == SameSite.none { s += "; Secure" }
        if httpOnly { s += "; HttpOnly" }
        if let sameSite { s += "; SameSite=" + sameSite.rawValue }
        return s
    }

    static func encodeValue(_ v: String) -> String {
        var out = ""
        for b in v.utf8 {
            let ok = b == 0x21 || (0x23...0x2B).contains(b) || (0x2D...0x3A).contains(b)
                || (0x3C...0x5B).contains(b) || (0x5D...0x7E).contains(b)
            if ok && b != UInt8(ascii: "%") {
                out.unicodeScalars.append(Unicode.Scalar(b))
            } else {
                let hex = Array("0123456789ABCDEF".utf8)
                out += "%" + String(decoding: [hex[Int(b >> 4)], hex[Int(b & 0xf)]], as: UTF8.self)
            }
        }
        return out
    }

    static func attributeSafe(_ v: String) -> String {
        String(v.unicodeScalars.filter { $0.isASCII && $0.value > 0x20 && $0 != ";" && $0.value != 0x7f }.map(Character.init))
    }
}
