import Foundation
import Postgres
import Testing

@Suite struct ConnectionParameterTests {
    @Test func keyValueConninfoConnects() throws {
        guard let url = TestDatabase.adminURL() else { return }
        let parts = try #require(URLComponents(string: url))
        func quoted(_ v: String) -> String {
            "'" + v.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "'", with: "\\'") + "'"
        }
        var conninfo = "host=\(try #require(parts.host)) port=\(parts.port ?? 5432) dbname=postgres"
        if let user = parts.user { conninfo += " user=" + quoted(user) }
        if let password = parts.password { conninfo += " password=" + quoted(password) }
        let db = try Connection(url: conninfo)
        #expect(try db.queryFirst("SELECT current_database() AS d")?.decode("d", as: String.self) == "postgres")
    }

    @Test func parametersOverrideWhatTheURLSays() throws {
        guard let url = TestDatabase.adminURL() else { return }
        let name = TestDatabase.uniqueName("params")
        let db = try Connection(parameters: ["dbname": url, "application_name": name])
        let row = try #require(try db.queryFirst("SELECT current_setting('application_name') AS app, current_setting('client_encoding') AS enc"))
        #expect(try row.decode("app", as: String.self) == name)
        #expect(try row.decode("enc", as: String.self) == "UTF8")
    }
}
