import Postgres
import Registry

extension PlatformSite {
    /// Writes one account action to the registry's audit log: who (`user:<id>`), what, when
    /// (the row's time), from where (the client's address). Never a password or a token.
    func auditAccount(_ db: Connection, userId: Int64, _ action: String, details: [String: String] = [:]) throws {
        var details = details
        if let agent = request.headers["user-agent"] { details["user_agent"] = String(agent.prefix(200)) }
        try PlatformAudit.record(db, actor: "user:\(userId)", action: action, details: details,
                                 address: remoteAddress)
    }

    /// The browser's User-Agent, bounded, for the sessions list.
    var userAgent: String? { request.headers["user-agent"].map { String($0.prefix(512)) } }
}
