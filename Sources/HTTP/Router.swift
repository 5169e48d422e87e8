/// Path parameters captured by the router: `:name` segments and the `*tail` wildcard.
public struct Parameters: Sendable, Equatable {
    private var values: [(name: String, value: String)] = []
    public init() {}

    /// The decoded value of a parameter, nil if the route has no such parameter.
    public subscript(name: String) -> String? {
        for p in values where p.name == name { return p.value }
        return nil
    }

    mutating func append(_ name: String, _ value: String) { values.append((name, value)) }
    mutating func removeLast() { values.removeLast() }

    public static func == (a: Parameters, b: Parameters) -> Bool {
        a.values.map(\.name) == b.values.map(\.name) && a.values.map(\.value) == b.values.map(\.value)
    }
}

/// A handler that reads path parameters; they are also on `request.parameters`.
public typealias RouteHandler = (Request, Parameters) throws -> Response

/// Any handler: the router, a middleware chain, the whole application.
public typealias Handler = (Request) throws -> Response

/// Routes by method and path. Patterns are `/`-separated segments: literals, `:name` (one
/// segment) and a final `*name` (the rest of the path, possibly empty). Literals beat
/// parameters, which beat the wildcard. Empty segments are ignored, so `/a/` matches `/a`.
/// HEAD falls back to GET (the body is dropped); a path that exists under other methods is 405
/// with `Allow`.
public struct Router {
    private struct Node {
        var literals: [String: Int] = [:]
        var parameter: (name: String, node: Int)?
        var wildcard: (name: String, handlers: [Method: RouteHandler])?
        var handlers: [Method: RouteHandler] = [:]
    }

    private var nodes: [Node] = [Node()]

    public init() {}

    /// Registers `handler` for `method` on `pattern`; a later registration replaces an earlier one.
    public mutating func add(_ method: Method, _ pattern: String, _ handler: @escaping RouteHandler) {
        var current = 0
        let segments = pattern.split(separator: "/", omittingEmptySubsequences: true)
        for (i, segment) in segments.enumerated() {
            if segment.first == "*" {
                precondition(i == segments.count - 1, "a wildcard must be the last segment: \(pattern)")
                var wildcard = nodes[current].wildcard ?? (name: String(segment.dropFirst()), handlers: [:])
                wildcard.handlers[method] = handler
                nodes[current].wildcard = wildcard
                return
            }
            if segment.first == ":" {
                if let p = nodes[current].parameter {
                    precondition(p.name == String(segment.dropFirst()), "conflicting parameter names in \(pattern)")
                    current = p.node
                } else {
                    nodes.append(Node())
                    nodes[current].parameter = (String(segment.dropFirst()), nodes.count - 1)
                    current = nodes.count - 1
                }
                continue
            }
            let key = String(segment)
            if let next = nodes[current].literals[key] {
                current = next
            } else {
                nodes.append(Node())
                nodes[current].literals[key] = nodes.count - 1
                current = nodes.count - 1
            }
        }
        nodes[current].handlers[method] = handler
    }

    public mutating func get(_ pattern: String, _ handler: @escaping RouteHandler) { add(.get, pattern, handler) }
    public mutating func post(_ pattern: String, _ handler: @escaping RouteHandler) { add(.post, pattern, handler) }

    /// The outcome of matching a method and path.
    public enum Match {
        case found(RouteHandler, Parameters, headOnly: Bool)
        case methodNotAllowed(allowed: [Method])
        case notFound
    }

    /// Matches a raw (percent-encoded) path. Parameters come back decoded; a parameter that
    /// does not decode to valid UTF-8 makes the match fail with `notFound`.
    public func match(_ method: Method, rawPath: String) -> Match {
        let segments = rawPath.split(separator: "/", omittingEmptySubsequences: true)
        var params = Parameters()
        guard let handlers = find(node: 0, segments: segments[...], params: &params) else { return .notFound }
        if let h = handlers[method] { return .found(h, params, headOnly: false) }
        if method == .head, let h = handlers[.get] { return .found(h, params, headOnly: true) }
        var allowed = Set(handlers.keys)
        if allowed.contains(.get) { allowed.insert(.head) }
        return .methodNotAllowed(allowed: allowed.sorted { $0.rawValue < $1.rawValue })
    }

    private func find(node index: Int, segments: ArraySlice<Substring>, params: inout Parameters) -> [Method: RouteHandler]? {
        let node = nodes[index]
        guard let segment = segments.first else {
            if !node.handlers.isEmpty { return node.handlers }
            if let w = node.wildcard {
                params.append(w.name, "")
                return w.handlers
            }
            return nil
        }
        let rest = segments.dropFirst()
        if let next = node.literals[String(segment)] ?? decodedLiteral(segment, in: node),
           let found = find(node: next, segments: rest, params: &params) {
            return found
        }
        if let p = node.parameter, let value = try? PercentDecoding.decode(segment, plusAsSpace: false, maxBytes: 8192) {
            params.append(p.name, value)
            if let found = find(node: p.node, segments: rest, params: &params) { return found }
            params.removeLast()
        }
        if let w = node.wildcard {
            let tail = segments.joined(separator: "/")
            guard let value = try? PercentDecoding.decode(tail[...], plusAsSpace: false, maxBytes: 8192) else { return nil }
            params.append(w.name, value)
            return w.handlers
        }
        return nil
    }

    /// `/caf%C3%A9` matches a literal `café` route.
    private func decodedLiteral(_ segment: Substring, in node: Node) -> Int? {
        guard segment.contains("%"), let decoded = try? PercentDecoding.decode(segment, plusAsSpace: false, maxBytes: 8192) else {
            return nil
        }
        return node.literals[decoded]
    }

    /// Runs the matching handler. Throws 404/405 as `HTTPError`, and whatever the handler throws.
    /// A HEAD answered by a GET handler gets the GET headers and an empty body.
    public func dispatch(_ request: Request) throws -> Response {
        switch match(request.method, rawPath: request.rawPath) {
        case .notFound:
            throw HTTPError.notFound
        case .methodNotAllowed(let allowed):
            throw HTTPError.methodNotAllowed(allowed: allowed)
        case .found(let handler, let params, let headOnly):
            var request = request
            request.parameters = params
            var response = try handler(request, params)
            if headOnly { response.dropBodyForHEAD() }
            return response
        }
    }

    /// Like `dispatch`, but every error becomes an error page (see `ErrorPage.response(for:)`);
    /// an error that is not `HTTPErrorRepresentable` is logged to stderr with the request id.
    public func route(_ request: Request) -> Response {
        do {
            return try dispatch(request)
        } catch {
            if !(error is any HTTPErrorRepresentable) {
                StandardError.write("{\"level\":\"error\",\"request_id\":\(jsonString(request.requestId)),\"error\":\(jsonString(String(describing: error)))}\n")
            }
            return ErrorPage.response(for: error, requestId: request.requestId)
        }
    }

    /// The router as a plain `Handler` (errors become pages).
    public var handler: Handler { { request in self.route(request) } }
}

extension Response {
    /// For HEAD: keep the headers (with the GET body's Content-Length), send no body.
    public mutating func dropBodyForHEAD() {
        if case .bytes(let b) = body, headers["Content-Length"] == nil { headers["Content-Length"] = String(b.count) }
        body = .empty
    }
}
