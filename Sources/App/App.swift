import HTTP

/// The Storefleet web app: everything a worker does with a request once it is parsed.
///
/// The executable calls `makeHandler` once in each worker, after fork; the handler then answers
/// every request of that process. `App` never sees FastCGI, so tests call the handler directly.
public enum App {
    /// Creates this process's state (registry connection, store directory, parsed templates)
    /// and returns the request handler. Throws when the templates do not parse or the master key
    /// cannot be read: a worker that cannot render pages should not start. The registry may be
    /// down: the handler then answers 503 until it is back.
    public static func makeHandler(_ config: AppConfiguration,
                                   metrics: @escaping () -> String) throws -> (Request) -> Response {
        let app = try StorefleetApp(config: config, metrics: metrics)
        return { request in app.handle(request) }
    }

}
