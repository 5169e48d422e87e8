import Foundation

/// The local stack a test runs against, read from the `stack.env` file that `scripts/stack.sh up`
/// writes (see docs/CONTRACTS.md). Tests that need PostgreSQL, nginx or the workers start here.
public struct StackEnvironment: Sendable {
    public let values: [String: String]
    public let file: String

    public subscript(key: String) -> String? { values[key] }

    /// Reads `STOREFLEET_STACK_ENV`, else `.data/test/stack.env` under the package root.
    /// Returns nil when there is no stack; `require()` turns that into a clear failure.
    public static func load() -> StackEnvironment? {
        let env = ProcessInfo.processInfo.environment
        let path = env["STOREFLEET_STACK_ENV"] ?? packageRoot() + "/.data/test/stack.env"
        guard let text = try? String(contentsOfFile: path, encoding: .utf8) else { return nil }
        var values: [String: String] = [:]
        for line in text.split(separator: "\n") {
            let trimmed = line.trimmingCharacters(in: .whitespaces)
            if trimmed.isEmpty || trimmed.hasPrefix("#") { continue }
            guard let eq = trimmed.firstIndex(of: "=") else { continue }
            values[String(trimmed[..<eq])] = String(trimmed[trimmed.index(after: eq)...])
        }
        return StackEnvironment(values: values, file: path)
    }

    /// The stack, or an error that says how to get one.
    public static func require() throws -> StackEnvironment {
        guard let stack = load() else { throw MissingStack() }
        return stack
    }

    /// A value the test cannot do without.
    public func value(_ key: String) throws -> String {
        guard let v = values[key], !v.isEmpty else { throw MissingStack(key: key, file: file) }
        return v
    }

    /// The package root: the folder holding Package.swift, found upward from this source file.
    public static func packageRoot(file: String = #filePath) -> String {
        var url = URL(fileURLWithPath: file).deletingLastPathComponent()
        while url.path != "/" {
            if FileManager.default.fileExists(atPath: url.appendingPathComponent("Package.swift").path) {
                return url.path
            }
            url = url.deletingLastPathComponent()
        }
        return FileManager.default.currentDirectoryPath
    }
}

/// No local stack: the tests that need one were run without `make test`.
public struct MissingStack: Error, CustomStringConvertible {
    public var key: String? = nil
    public var file: String? = nil
    public var description: String {
        if let key, let file { return "\(file) has no \(key); re-run `make test` (scripts/stack.sh up test)" }
        return "no local stack: run `make test`, or `scripts/stack.sh up test` and set STOREFLEET_STACK_ENV"
    }
}
