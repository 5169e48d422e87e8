import Foundation
import HTTP
import Liquid
import Registry

extension StorefleetApp {
    func addSessionRoutes(to router: inout SiteRouter<PlatformSite>) {
        router.get("/account/sessions") { _, _, site in
            let session = try site.requireUser()
            let sessions = try Sessions.list(try site.registry(), userId: session.userId)
            let rows: [Value] = sessions.map { s in
                [
                    "id": .int(Int(s.id)),
                    "current": .bool(s.id == session.id),
                    "device": .string(DeviceName.describe(s.userAgent)),
                    "address": .string(s.address ?? "unknown address"),
                    "created_at": .string(AccountDates.minute(s.createdAt)),
                    "last_seen_at": .string(AccountDates.minute(s.lastSeenAt)),
                ]
            }
            return try site.page("platform/account/sessions", title: "Sessions",
                                 assigns: ["sessions": .array(rows), "other_count": .int(max(0, sessions.count - 1))])
        }

        router.post("/account/sessions/:id/revoke") { _, parameters, site in
            _ = try site.verifiedForm()
            let session = try site.requireUser()
            guard let id = parameters["id"].flatMap(Int64.init) else { throw HTTPError.notFound }
            let db = try site.registry()
            if id == session.id {
                try site.auditAccount(db, userId: session.userId, "account.session_revoked", details: ["session_id": String(id)])
                try site.signOut()
                return site.redirect(to: "/login", flash: .success("You signed this browser out."))
            }
            guard try Sessions.revoke(db, sessionId: id, userId: session.userId) else {
                return site.redirect(to: "/account/sessions", flash: .info("That session had already ended."))
            }
            try site.auditAccount(db, userId: session.userId, "account.session_revoked", details: ["session_id": String(id)])
            return site.redirect(to: "/account/sessions", flash: .success("That session is signed out."))
        }

        router.post("/account/sessions/revoke-others") { _, _, site in
            _ = try site.verifiedForm()
            let session = try site.requireUser()
            let db = try site.registry()
            let ended = try Sessions.revokeAll(db, userId: session.userId, except: session.id)
            try site.auditAccount(db, userId: session.userId, "account.other_sessions_revoked", details: ["count": String(ended)])
            return site.redirect(to: "/account/sessions", flash: .success(
                ended == 1 ? "1 other session is signed out." : "\(ended) other sessions are signed out."))
        }
    }
}

/// Dates on account pages, in UTC (the user's timezone is not known here).
enum AccountDates {
    static func day(_ date: Date) -> String { format(date, "d MMM yyyy") }
    static func minute(_ date: Date) -> String { format(date, "d MMM yyyy, HH:mm") + " UTC" }

    private static func format(_ date: Date, _ pattern: String) -> String {
        let f = DateFormatter()
        f.locale = Locale(identifier: "en_GB")
        f.timeZone = TimeZone(identifier: "UTC")
        f.dateFormat = pattern
        return f.string(from: date)
    }
}

/// "Firefox on Linux" from a User-Agent: enough for people to recognise their own devices.
enum DeviceName {
    static func describe(_ agent: String?) -> String {
        guard let ua = agent, !ua.isEmpty else { return "Unknown browser" }
        let browser: String
        if ua.contains("Edg/") { browser = "Edge" }
        else if ua.contains("OPR/") { browser = "Opera" }
        else if ua.contains("Firefox/") { browser = "Firefox" }
        else if ua.contains("Chrome/") || ua.contains("HeadlessChrome/") { browser = "Chrome" }
        else if ua.contains("Safari/") { browser = "Safari" }
        else if ua.hasPrefix("curl/") { browser = "curl" }
        else { browser = "Browser" }
        let system: String?
        if ua.contains("iPhone") || ua.contains("iPad") { system = "iOS" }
        else if ua.contains("Android") { system = "Android" }
        else if ua.contains("Windows") { system = "Windows" }
        else if ua.contains("Mac OS X") || ua.contains("Macintosh") { system = "macOS" }
        else if ua.contains("Linux") { system = "Linux" }
        else { system = nil }
        return system.map { "\(browser) on \($0)" } ?? browser
    }
}
