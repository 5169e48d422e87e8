/// The Prometheus text exposition (format 0.0.4) of a scoreboard snapshot.
public enum PrometheusText {
    public static let contentType = "text/plain; version=0.0.4; charset=utf-8"

    public static func render(_ s: ScoreboardSnapshot) -> String {
        var out = ""
        func metric(_ name: String, _ type: String, _ help: String, _ value: String) {
            out += "# HELP \(name) \(help)\n# TYPE \(name) \(type)\n\(name) \(value)\n"
        }
        metric("storefleet_requests_total", "counter", "Requests answered by all workers.", "\(s.requests)")
        metric("storefleet_request_errors_total", "counter", "Requests answered with a 5xx status.", "\(s.errors)")

        let name = "storefleet_request_duration_seconds"
        out += "# HELP \(name) Time from accepting a request to finishing its response.\n# TYPE \(name) histogram\n"
        var cumulative = 0
        for (i, bound) in Scoreboard.bucketBounds.enumerated() {
            cumulative += i < s.bucketCounts.count ? s.bucketCounts[i] : 0
            out += "\(name)_bucket{le=\"\(format(bound))\"} \(cumulative)\n"
        }
        cumulative += s.bucketCounts.count > Scoreboard.bucketBounds.count ? s.bucketCounts[Scoreboard.bucketBounds.count] : 0
        out += "\(name)_bucket{le=\"+Inf\"} \(cumulative)\n"
        out += "\(name)_sum \(format(s.durationSeconds))\n"
        out += "\(name)_count \(cumulative)\n"

        metric("storefleet_worker_restarts_total", "counter", "Workers respawned after dying unexpectedly.", "\(s.workerRestarts)")
        metric("storefleet_worker_recycles_total", "counter", "Workers replaced after serving --max-requests.", "\(s.workerRecycles)")
        metric("storefleet_reloads_total", "counter", "Reloads of code and configuration (SIGHUP).", "\(s.reloads)")
        metric("storefleet_workers_busy", "gauge", "Workers handling a request now.", "\(s.busyWorkers)")
        metric("storefleet_workers", "gauge", "Worker processes alive now.", "\(s.workers.count)")
        return out
    }

    /// Shortest decimal that reads back as the same value, without exponent for our ranges.
    static func format(_ v: Double) -> String {
        if v == v.rounded(), abs(v) < 1e15 { return String(Int(v)) }
        return String(v)
    }
}
