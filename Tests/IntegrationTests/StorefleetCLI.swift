import Foundation
import TestSupport

/// Runs the stack's own `storefleet` executable (STOREFLEET_BIN) with the stack's settings, as an
/// operator would: provisioning, suspending and registering domains happen the way they do for
/// real, and the tests then look at the result through nginx.
struct StorefleetCLI {
    let stack: StackEnvironment

    struct Failed: Error, CustomStringConvertible {
        let arguments: [String]
        let status: Int32
        let output: String
        var description: String { "storefleet \(arguments.joined(separator: " ")) exited \(status):\n\(output)" }
    }

    /// Runs `storefleet arguments...` and returns what it printed; throws when it fails.
    @discardableResult
    func run(_ arguments: String...) throws -> String {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: try stack.value("STOREFLEET_BIN"))
        process.arguments = arguments
        process.currentDirectoryURL = URL(fileURLWithPath: StackEnvironment.packageRoot())
        process.environment = ProcessInfo.processInfo.environment.merging(stack.values) { _, fromStack in fromStack }
        let pipe = Pipe()
        process.standardOutput = pipe
        process.standardError = pipe
        try process.run()
        let data = pipe.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        let output = String(decoding: data, as: UTF8.self)
        guard process.terminationStatus == 0 else {
            throw Failed(arguments: arguments, status: process.terminationStatus, output: output)
        }
        return output
    }

    /// A slug no earlier run used: the test profile's databases persist between runs.
    static func uniqueSlug(_ prefix: String) -> String {
        "\(prefix)-\(UUID().uuidString.prefix(8).lowercased())"
    }
}
