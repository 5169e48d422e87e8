import App
import Foundation
import HTTP

/// The app's request handler, built once in each worker after fork: configuration from the
/// `STOREFLEET_*` environment (docs/CONTRACTS.md), metrics from the master's scoreboard.
func makeAppHandler(metrics: @escaping MetricsSnapshotProvider) throws -> Handler {
    let environment = ProcessInfo.processInfo.environment
    let config = try AppConfiguration.fromEnvironment(environment, packageRoot: packageRoot(environment))
    return try App.makeHandler(config, metrics: metrics)
}

/// Where `templates/` is when STOREFLEET_TEMPLATE_DIR is not set: the working directory if it
/// holds one (scripts start the server from the checkout), else the checkout the executable was
/// built in (`<root>/.build/<config>/storefleet`).
private func packageRoot(_ environment: [String: String]) -> String {
    let files = FileManager.default
    let cwd = files.currentDirectoryPath
    if files.fileExists(atPath: cwd + "/templates") { return cwd }
    var url = URL(fileURLWithPath: CommandLine.arguments[0]).resolvingSymlinksInPath().deletingLastPathComponent()
    while url.path != "/" {
        if files.fileExists(atPath: url.path + "/templates") && files.fileExists(atPath: url.path + "/Package.swift") {
            return url.path
        }
        url = url.deletingLastPathComponent()
    }
    return cwd
}
