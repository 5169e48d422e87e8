import Foundation
import Postgres
import Testing
import TestSupport

/// Connections to the local stack's PostgreSQL server 1 as `storefleet_admin`.
/// Without a stack the calling test fails under `CI=true` and records a known issue otherwise.
enum TestDatabase {
    static func adminURL() -> String? {
        do {
            return try StackEnvironment.require().value("STOREFLEET_SERVER1_ADMIN_URL")
        } catch {
            if ProcessInfo.processInfo.environment["CI"] == "true" {
                Issue.record(error)
            } else {
                withKnownIssue("no local stack (run `make test`)") { throw error }
            }
            return nil
        }
    }

    /// A new admin connection, optionally tagged with an `application_name` to find it on the server.
    static func connect(applicationName: String? = nil) throws -> Connection? {
        guard let url = adminURL() else { return nil }
        guard let applicationName else { return try Connection(url: url) }
        return try Connection(url: url + (url.contains("?") ? "&" : "?") + "application_name=" + applicationName)
    }

    /// A name no other test run uses: for channels, tables and application names.
    static func uniqueName(_ prefix: String) -> String {
        prefix + "_" + UUID().uuidString.lowercased().replacingOccurrences(of: "-", with: "").prefix(12)
    }

    /// Polls `condition` (a query) until it holds or `seconds` pass; for server-side effects that
    /// complete asynchronously, such as a terminated backend leaving `pg_stat_activity`.
    static func waitUntil(seconds: Double = 10, _ condition: () throws -> Bool) rethrows -> Bool {
        let deadline = Date().addingTimeInterval(seconds)
        while Date() < deadline {
            if try condition() { return true }
        }
        return try condition()
    }
}
