import ArgumentParser
import Foundation
import Registry

/// `storefleet health`: probe every tenant database.
struct HealthCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "health",
        abstract: "Probe every store's database (reachable, latency, size, connections) and record it.")

    func run() throws {
        let env = PlatformEnvironment()
        let probe = HealthProbe(registry: try env.ownerConnection(), keyring: try env.keyring())
        say(pad("STORE", 28) + pad("REACHABLE", 10) + pad("LATENCY", 10) + pad("SIZE", 10) + "CONNECTIONS")
        let samples = try probe.probeAll { s in
            if s.reachable {
                say(pad(s.slug, 28) + pad("yes", 10) + pad(String(format: "%.1fms", s.latencyMs ?? 0), 10)
                    + pad(String(format: "%.1fMB", Double(s.sizeBytes ?? 0) / 1_048_576), 10) + "\(s.connections ?? 0)")
            } else {
                say(pad(s.slug, 28) + pad("NO", 10) + (s.error ?? ""))
            }
        }
        let down = samples.filter { !$0.reachable }.count
        say("\(samples.count - down) of \(samples.count) reachable")
        if down > 0 { throw ExitCode(1) }
    }
}
