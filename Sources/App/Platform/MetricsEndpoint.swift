import Crypto
import HTTP

/// `GET /metrics` on the platform host: the Prometheus text the executable's scoreboard
/// produces, for a caller that presents `Authorization: Bearer <STOREFLEET_METRICS_TOKEN>`.
struct MetricsEndpoint {
    /// The token's bytes; empty when no token is configured, which refuses every caller.
    let token: [UInt8]
    let snapshot: () -> String

    init(token: String?, snapshot: @escaping () -> String) {
        self.token = Array((token ?? "").utf8)
        self.snapshot = snapshot
    }

    func respond(to request: Request) -> Response {
        guard isAuthorized(request.headers["Authorization"]) else {
            var response = Response.text("Unauthorized: send Authorization: Bearer <metrics token>.\n",
                                         status: .unauthorized)
            response.headers["WWW-Authenticate"] = "Bearer realm=\"metrics\""
            return response
        }
        var response = Response.text(snapshot(), status: .ok)
        response.headers["Content-Type"] = "text/plain; version=0.0.4; charset=utf-8"
        return response
    }

    /// Compares the presented token in constant time, so its bytes cannot be found by timing.
    func isAuthorized(_ header: String?) -> Bool {
        guard !token.isEmpty, let header else { return false }
        let prefix = "bearer "
        guard header.count > prefix.count, header.prefix(prefix.count).lowercased() == prefix else { return false }
        let presented = Array(header.dropFirst(prefix.count).utf8)
        return constantTimeEqual(presented, token)
    }
}
