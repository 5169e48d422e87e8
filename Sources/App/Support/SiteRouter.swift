import HTTP

/// An HTTP `Router` whose handlers also receive the site the request was resolved to (the
/// platform, or one store). Matching, 404, 405 and HEAD are the `Router`'s.
struct SiteRouter<Site> {
    typealias SiteHandler = (Request, Parameters, Site) throws -> Response

    /// The site of the request being dispatched; one request at a time per process.
    private final class CurrentSite { var value: Site? }

    private var router = Router()
    private let current = CurrentSite()

    mutating func add(_ method: Method, _ pattern: String, _ handler: @escaping SiteHandler) {
        let current = self.current
        router.add(method, pattern) { request, parameters in
            guard let site = current.value else { throw HTTPError.notFound }
            return try handler(request, parameters, site)
        }
    }

    mutating func get(_ pattern: String, _ handler: @escaping SiteHandler) { add(.get, pattern, handler) }
    mutating func post(_ pattern: String, _ handler: @escaping SiteHandler) { add(.post, pattern, handler) }

    func dispatch(_ request: Request, site: Site) throws -> Response {
        current.value = site
        defer { current.value = nil }
        return try router.dispatch(request)
    }
}
