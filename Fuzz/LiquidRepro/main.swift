// Runs fuzz-format inputs (see Fuzz/README.md) once each without sanitizers and prints what
// happened: outcome, time and output size. For triage and for bug reports.
//
//   swiftc -O -suppress-warnings -module-name LiquidRepro Sources/Liquid/**/*.swift \
//     Fuzz/LiquidRepro/main.swift -o .build-fuzz/liquid-repro
//   .build-fuzz/liquid-repro [--default-limits] [--print] FILE...
import Foundation

let useDefaultLimits = CommandLine.arguments.contains("--default-limits")
let printOutput = CommandLine.arguments.contains("--print")
let limits = useDefaultLimits
    ? Environment.Limits()
    : Environment.Limits(maxNestingDepth: 24, maxPartialDepth: 8, maxLoopIterations: 5_000,
                         maxOutputBytes: 64 << 10, maxRenderSeconds: 0.25)

for path in CommandLine.arguments.dropFirst() where !path.hasPrefix("--") {
    guard let bytes = FileManager.default.contents(atPath: path) else {
        print("\(path): cannot read")
        continue
    }
    let chunks = [UInt8](bytes).split(separator: 0, omittingEmptySubsequences: false)
    let source = chunks.first.map { String(decoding: $0, as: UTF8.self) } ?? ""
    var partials = ["self": source]
    var data: [String: Value] = [:]
    for chunk in chunks.dropFirst() {
        let text = String(decoding: chunk, as: UTF8.self)
        if text.first == "{" {
            if case .dictionary(let d)? = try? Value(json: text) { data = d }
        } else if let newline = text.firstIndex(of: "\n") {
            partials[String(text[..<newline])] = String(text[text.index(after: newline)...])
        }
    }
    let mode = bytes.count & 3
    let environment = Environment(autoescape: mode & 1 == 1, strict: mode & 2 == 2, limits: limits,
                                  loader: DictionaryLoader(partials))
    let clock = ContinuousClock()
    let start = clock.now
    var outcome: String
    do {
        let template = try environment.parse(source, name: "repro")
        let parsed = clock.now - start
        let output = try template.render(data)
        outcome = "rendered \(output.utf8.count) bytes (parse \(parsed))"
        if printOutput { outcome += "\n" + output }
    } catch let error as LiquidError {
        outcome = "\(error.kind) error: \(error.message)"
    } catch {
        outcome = "NON-LIQUID ERROR \(error)"
    }
    print("\(path): \(outcome) in \(clock.now - start) [autoescape \(mode & 1 == 1), strict \(mode & 2 == 2)]")
}
