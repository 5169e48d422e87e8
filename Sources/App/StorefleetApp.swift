import HTTP
import Registry

/// One worker process's app: its registry connection and store directory, its parsed
/// templates, its per-store caches. Single-threaded, like the worker that owns it.
final class StorefleetApp {
    let config: AppConfiguration
    let sites: SiteDirectory
    let pages: PlatformPages
    let metrics: MetricsEndpoint
    let storefront: Storefront
    let tenantBackoff: TenantBackoff
    let webPages: WebPages
    private var platformRouter = SiteRouter<PlatformSite>()
    private var storeRouter = SiteRouter<StoreSite>()

    init(config: AppConfiguration, metrics snapshot: @escaping () -> String) throws {
        self.config = config
        sites = try SiteDirectory(config: config)
        pages = try PlatformPages(templateDirectory: config.templateDirectory)
        metrics = MetricsEndpoint(token: config.metricsToken, snapshot: snapshot)
        storefront = try Storefront(config: config)
        tenantBackoff = TenantBackoff(initialDelay: config.tenantRetryDelay)
        webPages = WebPages(templateDirectory: config.templateDirectory, developmentMode: config.developmentMode)
        addPlatformRoutes()
        addStoreRoutes()
    }

    // MARK: - The request path

    /// Answers one request; never throws. Sets `X-Request-Id` and, for the access-log line the
    /// FastCGI worker writes, `storeForLog`.
    func handle(_ request: Request) -> Response {
        var response: Response
        // The hello of the stack: before host resolution, no database, no template.
        if request.path == "/healthz" {
            response = StorefleetApp.healthz(request)
        } else {
            response = dispatch(request)
        }
        response.headers["X-Request-Id"] = request.requestId
        return response
    }

    static func healthz(_ request: Request) -> Response {
        guard request.method == .get || request.method == .head else {
            return ErrorPage.response(for: HTTPError.methodNotAllowed(allowed: [.get, .head]))
        }
        var response = Response.text("ok\n")
        response.headers["Cache-Control"] = "no-store"
        return response
    }

    /// Resolves the site from the Host header and hands the request to its router.
    private func dispatch(_ request: Request) -> Response {
        sites.pollInvalidations()
        let links = SiteLinks(platformDomain: config.platformDomain, request: request)
        var store: StoreRoute?
        do {
            // The platform host needs no registry: its pages and /metrics stay up without it.
            if isPlatformHost(request.host) { return platform(request, links: links) }
            let resolution: HostResolution
            do {
                resolution = try registry().resolve(host: request.host)
            } catch {
                sites.dropRegistry()
                throw RegistryUnavailable(underlying: error)
            }
            switch resolution {
            case .platform:
                return platform(request, links: links)
            case .unknown:
                return notice(.noStore(host: request.host, platformURL: links.platformURL), links, request)
            case .store(let route):
                store = route
                var response: Response
                if route.status == .active {
                    response = shop(request, site: StoreSite(route: route, links: links, request: request, app: self))
                } else {
                    response = notice(.suspended(storeName: route.name), links, request)
                }
                response.storeForLog = route.slug
                return response
            }
        } catch {
            var response = errorResponse(error, request: request, links: links)
            response.storeForLog = store?.slug
            return response
        }
    }

    /// A request on the platform host: its router, with the cookies the handler's site decided
    /// on (CSRF, session, flash) added to whatever it answers, errors and redirects included.
    private func platform(_ request: Request, links: SiteLinks) -> Response {
        let site = PlatformSite(request: request, links: links, app: self)
        var response: Response
        do {
            response = try platformRouter.dispatch(request, site: site)
        } catch let redirect as Redirect {
            response = .redirect(to: redirect.location)
        } catch {
            response = errorResponse(error, request: request, links: links)
        }
        for cookie in site.pendingCookies { response.setCookie(cookie) }
        return response
    }

    /// A request on a store's host: its router, with the shopper cookies the handler's site
    /// decided on (cart, customer session, CSRF, flash) added to whatever it answers.
    private func shop(_ request: Request, site: StoreSite) -> Response {
        var response: Response
        do {
            response = try storeRouter.dispatch(request, site: site)
        } catch let redirect as Redirect {
            response = .redirect(to: redirect.location)
        } catch {
            response = errorResponse(error, request: request, links: site.links)
        }
        for cookie in site.pendingCookies { response.setCookie(cookie) }
        return response
    }

    /// The platform host and its local aliases (DESIGN.md: glibc does not resolve *.localhost).
    func isPlatformHost(_ host: String) -> Bool {
        host == config.platformDomain || host == "localhost" || host == "127.0.0.1"
    }

    /// The store directory, connecting to the registry on first use.
    func registry() throws -> StoreDirectory {
        try sites.current()
    }

    // MARK: - Errors

    /// The page for an error a handler threw. Only errors that are meant for visitors show their
    /// message; everything else is logged with the request id and shown as a plain 500 page.
    private func errorResponse(_ error: any Error, request: Request, links: SiteLinks) -> Response {
        switch error {
        case let unavailable as StoreUnavailable:
            logError(unavailable, request: request)
            return notice(.storeUnavailable(storeName: unavailable.route.name), links, request)
        case let unavailable as RegistryUnavailable:
            logError(unavailable, request: request)
            return notice(.platformUnavailable(), links, request)
        case let http as any HTTPErrorRepresentable:
            var response: Response
            if http.status == .notFound {
                response = notice(.notFound(platformURL: links.platformURL), links, request)
            } else {
                response = notice(.clientError(http.status, message: http.publicMessage), links, request)
            }
            for field in http.headers { response.headers[field.name] = field.value }
            return response
        default:
            logError(error, request: request)
            return notice(.serverError(), links, request)
        }
    }

    /// A notice page, or the HTTP layer's plain page if our templates cannot render.
    func notice(_ notice: Notice, _ links: SiteLinks, _ request: Request) -> Response {
        var response: Response
        do {
            let html = try pages.noticePage(notice, site: links,
                                            requestId: notice.showsReference ? request.requestId : nil)
            response = .html(html, status: notice.status)
        } catch {
            logError(error, request: request)
            response = ErrorPage.response(status: notice.status, message: notice.message,
                                          requestId: notice.showsReference ? request.requestId : nil)
        }
        response.headers["Cache-Control"] = "no-store"
        if notice.status == .serviceUnavailable { response.headers["Retry-After"] = "30" }
        return response
    }

    /// One JSON line on stderr: the request id ties it to the access-log line and the 500 page.
    func logError(_ error: any Error, request: Request) {
        StandardError.write("{\"level\":\"error\",\"request_id\":" + jsonString(request.requestId)
            + ",\"host\":" + jsonString(request.host) + ",\"path\":" + jsonString(request.path)
            + ",\"error\":" + jsonString(String(describing: error)) + "}\n")
    }

    // MARK: - Routes

    private func addPlatformRoutes() {
        platformRouter.get("/") { [unowned self] _, _, site in
            .html(try pages.homePage(site: site.links))
        }
        platformRouter.get("/metrics") { [unowned self] request, _, _ in
            metrics.respond(to: request)
        }
        addPlatformAreas(to: &platformRouter)
    }

    private func addStoreRoutes() {
        addStorefrontRoutes(to: &storeRouter)
        // Admin lives on the platform host, never on a storefront's origin (see DESIGN.md).
        let toAdmin: SiteRouter<StoreSite>.SiteHandler = { _, parameters, site in
            var location = site.links.platformURL + "/store/" + site.route.slug + "/admin"
            if let rest = parameters["rest"], !rest.isEmpty { location += "/" + percentEncodePath(rest) }
            return .redirect(to: location, status: .found)
        }
        storeRouter.get("/admin", toAdmin)
        storeRouter.get("/admin/*rest", toAdmin)
    }
}


/// Re-encodes a decoded path for a `Location` header: keeps `/` and unreserved characters.
func percentEncodePath(_ path: String) -> String {
    let hex = Array("0123456789ABCDEF".utf8)
    var out: [UInt8] = []
    for b in path.utf8 {
        switch b {
        case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"),
             UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "-"), UInt8(ascii: "."),
             UInt8(ascii: "_"), UInt8(ascii: "~"), UInt8(ascii: "/"):
            out.append(b)
        default:
            out += [UInt8(ascii: "%"), hex[Int(b >> 4)], hex[Int(b & 0xf)]]
        }
    }
    return String(decoding: out, as: UTF8.self)
}

extension StorefleetApp {
    /// An HTML page from bytes already encoded (a cached page is sent without copying).
    static func htmlResponse(_ body: [UInt8], status: Status = .ok) -> Response {
        Response(status: status, headers: ["Content-Type": "text/html; charset=utf-8"], body: .bytes(body))
    }
}
