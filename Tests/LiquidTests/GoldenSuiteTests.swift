import Foundation
import Liquid
import TestSupport
import Testing

/// The golden-liquid conformance suite (`../shared/conformance/golden_liquid.json`), run with
/// autoescape off, as the suite expects. Prints pass rates per tag and filter; fails below 98% of
/// all cases (a skipped case counts as failed) and on any failure not listed below.
@Suite struct GoldenSuiteTests {
    /// Cases known to fail, each with its reason.
    static let expectedFailures: [String: String] = [
        // Objects are Swift dictionaries (`Value.dictionary([String: Value])`), which keep no
        // insertion order; wherever Liquid iterates an object we visit keys in sorted order.
        "filters, compact, array of objects with key property": "object keys iterate sorted, not in insertion order",
        "filters, reject, input is a hash, default value, nil match": "object keys iterate sorted, not in insertion order",
        "filters, reject, input is a hash, default value, no match": "object keys iterate sorted, not in insertion order",
        "filters, reject, input is a hash, explicit nil match": "object keys iterate sorted, not in insertion order",
        "filters, reject, input is a hash, int value, no match": "object keys iterate sorted, not in insertion order",
        "filters, uniq, array of objects with key property": "object keys iterate sorted, not in insertion order",
        "filters, uniq, array of objects with missing key property": "object keys iterate sorted, not in insertion order",
        "tags, for, simple hash loop": "object keys iterate sorted, not in insertion order",
        // The suite holds this template twice: once lax (renders ""), once `strict2` (invalid).
        // We parse `when` strictly, so `and` in a `when` is an error and the lax case fails.
        "tags, case, unexpected when token": "`and` in `when` is a syntax error here (the strict2 twin passes)",
    ]

    struct Case {
        var name: String
        var template: String
        var data: [String: Value]
        var partials: [String: String]
        var results: [String]
        var invalid: Bool
        var tags: [String]
    }

    static var suitePath: String {
        StackEnvironment.packageRoot() + "/../shared/conformance/golden_liquid.json"
    }

    static func loadCases() throws -> [Case]? {
        guard let text = try? String(contentsOfFile: suitePath, encoding: .utf8) else { return nil }
        guard case .dictionary(let root) = try Value(json: text), case .array(let tests)? = root["tests"] else {
            throw LiquidError(kind: .syntax, message: "\(suitePath) has no \"tests\" array")
        }
        return tests.compactMap { t -> Case? in
            guard case .dictionary(let c) = t else { return nil }
            var data: [String: Value] = [:]
            if case .dictionary(let d)? = c["data"] { data = d }
            var partials: [String: String] = [:]
            if case .dictionary(let d)? = c["templates"] { for (k, v) in d { partials[k] = v.outputString } }
            var results: [String] = []
            if let r = c["result"] { results = [r.outputString] }
            if case .array(let rs)? = c["results"] { results = rs.map(\.outputString) }
            var tags: [String] = []
            if case .array(let ts)? = c["tags"] { tags = ts.map(\.outputString) }
            return Case(name: c["name"]?.outputString ?? "?", template: c["template"]?.outputString ?? "",
                        data: data, partials: partials, results: results,
                        invalid: c["invalid"]?.isTruthy ?? false, tags: tags)
        }
    }

    /// Runs one case; nil when it passes, else what went wrong.
    static func run(_ c: Case) -> String? {
        let environment = Environment(autoescape: false, loader: DictionaryLoader(c.partials))
        do {
            let output = try environment.parse(c.template, name: "golden").render(c.data)
            if c.invalid { return "expected an error, rendered \(output.debugDescription)" }
            return c.results.contains(output) ? nil : "expected \(c.results), rendered \(output.debugDescription)"
        } catch {
            return c.invalid ? nil : "expected \(c.results), error: \(error)"
        }
    }

    @Test func goldenSuite() throws {
        guard let cases = try Self.loadCases() else {
            let message = "SKIPPED: the golden Liquid suite is not at \(Self.suitePath); 0 of 1,054 cases run"
            print(message)
            if ProcessInfo.processInfo.environment["CI"] == "true" {
                Issue.record(Comment(rawValue: message + " (CI=true: a missing suite fails the run)"))
            }
            return
        }
        #expect(cases.count == 1054, "the suite should hold 1,054 cases")

        var perTag: [String: (pass: Int, total: Int)] = [:]
        var passed = 0
        var unexpected: [String] = []
        var stale: [String] = []
        for c in cases {
            let failure = Self.run(c)
            if failure == nil { passed += 1 }
            for tag in c.tags.isEmpty ? ["(untagged)"] : c.tags {
                var entry = perTag[tag] ?? (0, 0)
                entry.total += 1
                if failure == nil { entry.pass += 1 }
                perTag[tag] = entry
            }
            switch (failure, Self.expectedFailures[c.name]) {
            case (let f?, nil): unexpected.append("\(c.name): \(f)\n    template: \(c.template.debugDescription)")
            case (nil, _?): stale.append(c.name)
            default: break
            }
        }

        var report = "golden Liquid suite: \(passed)/\(cases.count) passed"
        report += " (\(String(format: "%.1f", 100.0 * Double(passed) / 1054))% of 1,054), "
        report += "\(Self.expectedFailures.count) expected failures\n"
        for (tag, r) in perTag.sorted(by: { $0.key < $1.key }) {
            let rate = String(format: "%5.1f", 100.0 * Double(r.pass) / Double(r.total))
            report += "  \(rate)%  \(r.pass)/\(r.total)  \(tag)\n"
        }
        print(report)

        #expect(Double(passed) >= 0.98 * 1054, "pass rate below 98% of 1,054 cases")
        #expect(unexpected.isEmpty, "failures not listed in expectedFailures:\n\(unexpected.joined(separator: "\n"))")
        #expect(stale.isEmpty, "listed as expected failures but now pass (remove them): \(stale)")
    }
}
