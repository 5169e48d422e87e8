import Crypto
import HTTP
import Liquid
import Postgres
import Registry

/// What a handler on the platform host receives: the request, links, the registry, and the
/// signed-in session (looked up once, on first use). Cookies the handler's helpers decide on
/// (the anonymous CSRF cookie, a cleared flash) are added to the response by the router.
///
/// One request at a time per process: the site lives for one request and is never shared.
final class PlatformSite {
    let request: Request
    let links: SiteLinks
    unowned let app: StorefleetApp
    /// Cookies to add to whatever response the handler returns.
    var pendingCookies: [SetCookie] = []
    private var sessionLoaded = false
    private var loadedSession: SessionRecord?
    private var anonymousCSRF: String?

    init(request: Request, links: SiteLinks, app: StorefleetApp) {
        self.request = request
        self.links = links
        self.app = app
    }

    // MARK: - Registry

    /// The store directory (host and slug lookups, tenant connections).
    func directory() throws -> StoreDirectory {
        do {
            return try app.registry()
        } catch {
            app.sites.dropRegistry()
            throw RegistryUnavailable(underlying: error)
        }
    }

    /// The registry as the application role. Organization data is read inside
    /// `OrganizationScope.run(registry, orgId:userId:)`, so row-level security applies.
    func registry() throws -> Connection { try directory().registryConnection }

    var keyring: Keyring { app.sites.keyring }
    var config: AppConfiguration { app.config }

    // MARK: - Session

    /// The signed-in session, or nil for an anonymous visitor (or an expired/revoked cookie).
    func session() throws -> SessionRecord? {
        if sessionLoaded { return loadedSession }
        sessionLoaded = true
        if let token = request.cookies[WebCookie.session], !token.isEmpty {
            loadedSession = try Sessions.find(try registry(), token: token)
            if loadedSession == nil { pendingCookies.append(WebCookie.deletion(WebCookie.session, request: request)) }
        }
        return loadedSession
    }

    /// The signed-in session; an anonymous visitor is sent to log in and brought back here.
    func requireUser() throws -> SessionRecord {
        if let s = try session() { return s }
        var next = request.rawPath
        if !request.rawQuery.isEmpty { next += "?" + request.rawQuery }
        throw Redirect(to: "/login?next=" + FormEncoding.encode(next))
    }

    /// `requireUser` with every store the user reaches, in one registry round trip when the
    /// session is not loaded yet (the store admin needs both on every request); no statement
    /// while the worker's session cache holds it (`StoreDirectory.sessionWithStores`).
    func requireUserWithStores() throws -> (SessionRecord, [StoreAccess]) {
        if !sessionLoaded, let token = request.cookies[WebCookie.session], !token.isEmpty {
            sessionLoaded = true
            if let (record, stores) = try directory().sessionWithStores(token: token) {
                loadedSession = record
                return (record, stores)
            }
            pendingCookies.append(WebCookie.deletion(WebCookie.session, request: request))
        }
        let session = try requireUser()
        return (session, try Organizations(registry: try registry()).stores(userId: session.userId))
    }

    /// Signs the browser in as `userId`: a new session row and its cookie. The old session
    /// cookie (if any) is replaced, so a session fixed before log-in is never reused.
    @discardableResult
    func signIn(userId: Int64) throws -> SessionRecord {
        let (token, record) = try Sessions.create(try registry(), userId: userId)
        pendingCookies.append(WebCookie.make(WebCookie.session, value: token, request: request,
                                             maxAge: Sessions.lifetimeSeconds))
        loadedSession = record
        sessionLoaded = true
        return record
    }

    /// Ends this browser's session (log-out).
    func signOut() throws {
        if let token = request.cookies[WebCookie.session], !token.isEmpty {
            try Sessions.revoke(try registry(), token: token)
        }
        pendingCookies.append(WebCookie.deletion(WebCookie.session, request: request))
        loadedSession = nil
        sessionLoaded = true
    }

    // MARK: - CSRF

    /// The token this visitor's forms carry in `_csrf`: the session's, or for an anonymous
    /// visitor the double-submit cookie's (set now if the browser has none).
    func csrfToken() throws -> String {
        if let s = try session() { return s.csrfToken }
        if let t = anonymousCSRF { return t }
        if let t = request.cookies[WebCookie.csrf], CSRF.isWellFormed(t) {
            anonymousCSRF = t
            return t
        }
        let t = SecureRandom.token(bytes: 24)
        anonymousCSRF = t
        pendingCookies.append(WebCookie.make(WebCookie.csrf, value: t, request: request, maxAge: nil))
        return t
    }

    /// Throws 403 unless the form's `_csrf` matches this visitor's token. Call it first in
    /// every state-changing handler, before reading anything else from the form.
    func verifyCSRF(_ form: FormData) throws {
        let expected: String?
        if let s = try session() {
            expected = s.csrfToken
        } else {
            expected = request.cookies[WebCookie.csrf].flatMap { CSRF.isWellFormed($0) ? $0 : nil }
        }
        guard let expected, let sent = form["_csrf"], CSRF.matches(sent, expected) else {
            throw HTTPError(.forbidden, "This form has expired or was sent from another site. Reload the page and try again.")
        }
    }

    /// The request's form after checking its CSRF token.
    func verifiedForm() throws -> FormData {
        let form = try request.form()
        try verifyCSRF(form)
        return form
    }

    // MARK: - Responses

    /// A redirect after a POST, with an optional flash message for the next page.
    func redirect(to location: String, flash: Flash? = nil) -> Response {
        var response = Response.redirect(to: location)
        if let flash { response.setCookie(flash.cookie(request: request)) }
        return response
    }

    /// The flash message set by the previous response, cleared now that it is shown.
    func takeFlash() -> Flash? {
        guard let raw = request.cookies[WebCookie.flash], !raw.isEmpty else { return nil }
        pendingCookies.append(WebCookie.deletion(WebCookie.flash, request: request))
        return Flash(cookieValue: raw)
    }

    /// Where the visitor came from, for the audit log: the address nginx saw.
    var remoteAddress: String { request.remoteAddress }
}

/// Sends the browser elsewhere from deep inside a handler (e.g. to log in). A 303 `See Other`.
struct Redirect: HTTPErrorRepresentable {
    let location: String
    init(to location: String) { self.location = location }
    var status: Status { .seeOther }
    var publicMessage: String { "See " + location }
    var headers: Headers {
        var h = Headers()
        h["Location"] = location
        return h
    }
}
