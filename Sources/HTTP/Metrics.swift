/// Renders the Prometheus text exposition of every worker's counters (the master's scoreboard).
/// The executable builds it from `FastCGI.Scoreboard` and hands it to `App`, which serves it
/// at `/metrics` behind a bearer token. Cheap enough to call on every scrape.
public typealias MetricsSnapshotProvider = () -> String
