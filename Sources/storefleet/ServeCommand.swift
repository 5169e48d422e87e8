import ArgumentParser
import FastCGI
import Glibc
import HTTP

/// `storefleet serve`: the FastCGI master and its workers, behind nginx.
struct ServeCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "serve",
        abstract: "Serve the app over FastCGI: a master process and its prefork workers.",
        discussion: """
            The master opens the socket, forks the workers and keeps them running: a worker \
            that dies is replaced, one that served --max-requests requests is recycled.
              SIGTERM, SIGQUIT, SIGINT  stop: requests in flight finish, then all exit.
              SIGHUP                    reload code and config without dropping a request.
            With neither --socket nor --listen, STOREFLEET_SOCKET is used.
            """)

    @Option(help: ArgumentHelp("Listen on this unix socket (created with mode 0666).", valueName: "path"))
    var socket: String?

    @Option(help: ArgumentHelp("Listen on a TCP address instead.", valueName: "host:port"))
    var listen: String?

    @Option(help: "Number of worker processes.")
    var workers: Int = 2

    @Option(help: "Replace a worker after it has served this many requests (0: never).")
    var maxRequests: Int = 0

    @Option(help: ArgumentHelp("Write the master's pid to this file.", valueName: "file"))
    var pidFile: String?

    @Option(help: "Seconds to wait for requests in flight when stopping, before killing workers.")
    var gracefulTimeout: Double = 30

    @Flag(help: "Do not write a JSON line per request to stderr.")
    var noAccessLog = false

    func validate() throws {
        if socket != nil && listen != nil { throw ValidationError("Use either --socket or --listen, not both.") }
        if socket == nil && listen == nil && ServeCommand.environment("STOREFLEET_SOCKET") == nil {
            throw ValidationError("Give --socket PATH or --listen HOST:PORT (or set STOREFLEET_SOCKET).")
        }
        if let listen, ServerConfig.parseTCP(listen) == nil {
            throw ValidationError("--listen must be HOST:PORT, e.g. 127.0.0.1:9000.")
        }
        if workers < 1 || workers > 512 { throw ValidationError("--workers must be between 1 and 512.") }
        if maxRequests < 0 { throw ValidationError("--max-requests cannot be negative.") }
    }

    func run() throws {
        let address: ServerConfig.Listen
        if let listen, let tcp = ServerConfig.parseTCP(listen) {
            address = tcp
        } else {
            address = .unixSocket(path: socket ?? ServeCommand.environment("STOREFLEET_SOCKET")!)
        }
        let config = ServerConfig(listen: address, workers: workers, maxRequests: maxRequests, pidFile: pidFile,
                                  gracefulTimeoutSeconds: gracefulTimeout, accessLog: !noAccessLog)
        do {
            let master = try PreforkMaster(config)
            let metrics = master.metrics
            let testRoutes = ServeCommand.environment("STOREFLEET_TEST_ROUTES")
            try master.run {
                switch testRoutes {
                case "1": return TestRoutes.wrapping(try makeAppHandler(metrics: metrics), metrics: metrics)
                case "standalone": return TestRoutes.wrapping(TestRoutes.healthzOnly, metrics: metrics)
                case "failing-start": throw TestRoutes.TestFailure()
                default: return try makeAppHandler(metrics: metrics)
                }
            }
        } catch {
            StandardError.write("storefleet serve: \(error)\n")
            throw ExitCode(1)
        }
    }

    static func environment(_ name: String) -> String? {
        guard let p = getenv(name) else { return nil }
        let v = String(cString: p)
        return v.isEmpty ? nil : v
    }
}

/// Routes under `/__test/` that the process-model tests drive, enabled only when
/// STOREFLEET_TEST_ROUTES=1 (every other path goes to the app) or `standalone` (no app, no
/// database: `/healthz` and the test routes only; `failing-start`: every worker fails to start,
/// to watch the master back off): a slow request, the serving worker's pid,
/// unauthenticated metrics, a failing handler, a form echo, a streamed body.
enum TestRoutes {
    static func healthzOnly(_ request: Request) throws -> Response {
        guard request.path == "/healthz" else { throw HTTPError.notFound }
        return Response.text("ok\n")
    }

    static func wrapping(_ app: @escaping Handler, metrics: @escaping MetricsSnapshotProvider) -> Handler {
        var router = Router()
        router.get("/__test/sleep") { request, _ in
            let ms = min(Int(request.query["ms"] ?? "") ?? 100, 60_000)
            var remaining = timespec(tv_sec: ms / 1000, tv_nsec: (ms % 1000) * 1_000_000)
            while true {
                var request = remaining
                if nanosleep(&request, &remaining) == 0 || errno != EINTR { break }
            }
            return Response.text("slept \(ms)\n")
        }
        router.get("/__test/pid") { _, _ in Response.text("\(getpid())\n") }
        router.get("/__test/metrics") { _, _ in
            var r = Response.text(metrics())
            r.headers["Content-Type"] = PrometheusText.contentType
            return r
        }
        router.get("/__test/fail") { _, _ in throw TestFailure() }
        router.get("/__test/own-request-id") { _, _ in
            var r = Response.text("mine\n")
            r.headers["X-Request-Id"] = "set-by-the-handler"
            return r
        }
        router.post("/__test/form") { request, _ in
            let form = try request.form()
            var lines = form.fields.map { "\($0.name)=\($0.value)" }
            lines += form.files.map { "file \($0.fieldName) \($0.filename) \($0.contentType) \($0.bytes.count)" }
            return Response.text(lines.joined(separator: "\n") + "\n")
        }
        router.get("/__test/stream") { request, _ in
            let chunks = Int(request.query["chunks"] ?? "") ?? 3
            return Response.stream(contentType: "text/plain") { out in
                for i in 0..<chunks { try out.write("chunk \(i)\n") }
            }
        }
        let routes = router
        return { request in
            request.rawPath.hasPrefix("/__test/") ? routes.route(request) : try app(request)
        }
    }

    /// An internal error whose text must never reach the client.
    struct TestFailure: Error, CustomStringConvertible {
        var description: String { "secret internal detail: password=hunter2" }
    }
}
