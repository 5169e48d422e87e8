import HTTP

/// Absolute links to the platform host, as the visitor reached us: same scheme, same port
/// (locally nginx listens on 8080), so a redirect from a store host lands on a working URL.
struct SiteLinks {
    let platformDomain: String
    /// `http://storefleet.localhost:8080`, without a trailing slash.
    let platformURL: String

    init(platformDomain: String, request: Request) {
        self.platformDomain = platformDomain
        let scheme = request.isSecure ? "https://" : "http://"
        platformURL = scheme + platformDomain + SiteLinks.port(ofHostHeader: request.headers["host"])
    }

    init(platformDomain: String) {
        self.platformDomain = platformDomain
        platformURL = "http://" + platformDomain
    }

    /// `:8080` from `Host: demo.storefleet.localhost:8080`; empty when there is none.
    static func port(ofHostHeader host: String?) -> String {
        guard let host, let colon = host.utf8.lastIndex(of: UInt8(ascii: ":")) else { return "" }
        let digits = host.utf8[host.utf8.index(after: colon)...]
        guard !digits.isEmpty, digits.count <= 5,
              digits.allSatisfy({ $0 >= UInt8(ascii: "0") && $0 <= UInt8(ascii: "9") }) else { return "" }
        if host.utf8.last == UInt8(ascii: "]") { return "" }
        return ":" + String(decoding: digits, as: UTF8.self)
    }
}
