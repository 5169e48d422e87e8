import CVips
import Foundation

/// libvips for this process: started once, on first use, and never shut down (a worker or job
/// runner keeps it until it exits). `vips_init` is not safe to call twice at the same moment;
/// a static `let` runs its initialiser exactly once.
enum Vips {
    private static let started: Bool = {
        guard vips_init("storefleet") == 0 else { return false }
        // Storefleet resizes each upload once: libvips's operation cache would only hold memory.
        vips_cache_set_max(0)
        return true
    }()

    static func start() throws(MediaError) {
        guard started else { throw MediaError(.unavailable, lastError()) }
    }

    /// libvips's error text for the failed call, then cleared (for logs, never for a page).
    static func lastError() -> String {
        let text = vips_error_buffer().map { String(cString: $0) } ?? ""
        vips_error_clear()
        return text.trimmingCharacters(in: .whitespacesAndNewlines)
    }
}
