import Glibc
import HTTP

/// One worker process: a single-threaded accept loop over the shared listening socket.
/// It polls the socket together with its signal descriptor, so SIGTERM/SIGQUIT/SIGINT stop it
/// between requests: the request in flight finishes, no new one is accepted.
struct Worker {
    let listenFD: Int32
    let scoreboard: Scoreboard
    let slot: Int
    let config: ServerConfig
    let masterPID: pid_t

    private var isUnixSocket: Bool {
        if case .unixSocket = config.listen { return true }
        return false
    }

    /// Runs until told to stop, recycled, or orphaned; returns the process exit code.
    func run(makeHandler: () throws -> Handler) -> Int32 {
        signal(SIGPIPE, SIG_IGN)
        SignalDescriptor.unblock([SIGCHLD])
        let signals: SignalDescriptor
        do { signals = try SignalDescriptor([SIGTERM, SIGQUIT, SIGINT, SIGHUP]) } catch {
            StandardError.write("{\"level\":\"error\",\"worker\":\(getpid()),\"error\":\(jsonString(String(describing: error)))}\n")
            return 70
        }
        FastCGIConnection.initializeLibrary()
        let handler: Handler
        do { handler = try makeHandler() } catch {
            // A worker that cannot build its app exits; the master backs off before the next.
            StandardError.write("{\"level\":\"error\",\"worker\":\(getpid()),\"event\":\"handler setup failed\",\"error\":\(jsonString(String(describing: error)))}\n")
            return 78
        }
        let connection = FastCGIConnection(listenFD: listenFD)
        scoreboard.setState(slot: slot, .idle)

        var served = 0
        // epoll rather than poll: EPOLLEXCLUSIVE wakes one idle worker per connection instead
        // of all of them (the losers would only get EAGAIN from accept).
        let events = EventPoll(signalFD: signals.fd, listenFD: listenFD)
        while true {
            let ready = events.wait(timeoutMilliseconds: 1000)
            if ready.signal, !signals.drain().isEmpty { break }
            guard ready.listen else {
                // Idle for a second: stop if the master is gone (we were re-parented).
                if getppid() != masterPID { break }
                continue
            }
            let rc = connection.accept()
            if rc < 0 {
                // Another worker took the connection (EAGAIN), or it was reset before we read it.
                continue
            }
            scoreboard.setState(slot: slot, .busy)
            serve(connection, handler: handler)
            served += 1
            if config.maxRequests > 0 && served >= config.maxRequests { break }
        }
        scoreboard.setState(slot: slot, .stopping)
        return 0
    }

    private func serve(_ connection: FastCGIConnection, handler: Handler) {
        let start = monotonicSeconds()
        var wall = timespec()
        clock_gettime(CLOCK_REALTIME, &wall)
        let (params, invalidUTF8) = connection.params()
        let method = params["REQUEST_METHOD"] ?? "GET"
        let contentLength = params["CONTENT_LENGTH"].flatMap { Int($0) }
        // Until a Request exists, errors carry the incoming id (if sane) or a fresh one.
        var requestId = ""
        var request: Request?
        var response: Response
        do {
            if invalidUTF8.contains(where: Worker.mustBeUTF8) { throw HTTPError.invalidUTF8 }
            guard let body = connection.readBody(expected: contentLength, limit: config.limits.maxBodyBytes) else {
                throw HTTPError.bodyTooLarge
            }
            let r = try Request(cgi: params, body: body, limits: config.limits)
            request = r
            requestId = r.requestId
            response = try handler(r)
        } catch {
            if requestId.isEmpty { requestId = RequestID.sanitize(params["HTTP_X_REQUEST_ID"]) ?? RequestID.generate() }
            if !(error is any HTTPErrorRepresentable) { logError(error, requestId: requestId) }
            response = ErrorPage.response(for: error, requestId: requestId)
        }
        write(response, requestId: requestId, isHEAD: method == "HEAD", to: connection)
        // Counted before the final flush, so a client that has its response sees it counted.
        let seconds = monotonicSeconds() - start
        scoreboard.record(slot: slot, seconds: seconds, status: response.status.code)
        scoreboard.setState(slot: slot, .idle)
        connection.finish(lingering: !isUnixSocket)
        if config.accessLog {
            let entry = AccessLogEntry(
                seconds: wall.tv_sec, nanoseconds: wall.tv_nsec, requestId: requestId,
                host: request?.host ?? params["HTTP_HOST"] ?? "", store: response.storeForLog, method: method,
                path: request?.path ?? params["DOCUMENT_URI"] ?? "", status: response.status.code,
                durationMilliseconds: seconds * 1000)
            StandardError.write(entry.jsonLine)
        }
    }

    /// Params whose bytes reach handlers as text: invalid UTF-8 there is a 400.
    private static func mustBeUTF8(_ name: String) -> Bool {
        name == "REQUEST_URI" || name == "QUERY_STRING" || name == "DOCUMENT_URI" || name == "HTTP_HOST"
            || name == "HTTP_COOKIE" || name == "CONTENT_TYPE"
    }

    private struct ClientGone: Error {}

    private func write(_ response: Response, requestId: String, isHEAD: Bool, to connection: FastCGIConnection) {
        var response = response
        response.headers["X-Request-Id"] = requestId
        var extra: [(String, String)] = []
        switch response.body {
        case .bytes(let bytes):
            if response.headers["Content-Length"] == nil { extra.append(("Content-Length", String(bytes.count))) }
            var out = CGIResponseHead.encode(response, extra: extra)
            if !isHEAD { out.append(contentsOf: bytes) }
            out.withUnsafeBytes { _ = connection.write($0) }
        case .stream(let produce):
            let head = CGIResponseHead.encode(response, extra: extra)
            guard head.withUnsafeBytes({ connection.write($0) }), !isHEAD else { return }
            do {
                try produce(BodyWriter { chunk in
                    if !connection.write(chunk) { throw ClientGone() }
                })
            } catch is ClientGone {
                return
            } catch {
                logError(error, requestId: requestId)
            }
        }
    }

    private func logError(_ error: any Error, requestId: String?) {
        StandardError.write("{\"level\":\"error\",\"request_id\":\(requestId.map(jsonString) ?? "null"),\"error\":\(jsonString(String(describing: error)))}\n")
    }
}
