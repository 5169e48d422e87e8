import Foundation
import Testing
import TestSupport

/// The test stack, or nil after saying why there is none: a failure under `CI=true` (there the
/// stack must exist), a known issue otherwise (a developer running `swift test` by hand).
/// Never a silent pass (docs/CONTRACTS.md, Local stack).
func stackOrRecordIssue(sourceLocation: SourceLocation = #_sourceLocation) -> StackEnvironment? {
    do {
        return try StackEnvironment.require()
    } catch {
        let message = Comment(rawValue: "\(error)")
        if ProcessInfo.processInfo.environment["CI"] == "true" {
            Issue.record(message, sourceLocation: sourceLocation)
        } else {
            withKnownIssue { Issue.record(message, sourceLocation: sourceLocation) }
        }
        return nil
    }
}

struct BadStackValue: Error, CustomStringConvertible {
    let key: String
    let value: String
    var description: String { "stack.env: \(key)=\(value) is not what the tests expect" }
}

extension StackEnvironment {
    /// nginx's port for this stack.
    func httpPort() throws -> Int {
        let text = try value("STOREFLEET_HTTP_PORT")
        guard let port = Int(text) else { throw BadStackValue(key: "STOREFLEET_HTTP_PORT", value: text) }
        return port
    }

    func platformDomain() throws -> String { try value("STOREFLEET_PLATFORM_DOMAIN") }
}
