// Storefleet's side of Benchmarks/liquid/run.sh: parse once, render many.
//
//   liquid-bench TEMPLATES_DIR DATA_JSON PAGE SECONDS OUTPUT_FILE [--autoescape] [--commerce]
//
// Compiled into one module with Sources/Liquid (swiftc -O -wmo), so the engine's types are used
// without an import. Prints "storefleet <mode> <renders> <seconds> <mean renders/s> <best renders/s>"
// and writes one render to OUTPUT_FILE for the byte-for-byte comparison with the other engines.
import Foundation

func fail(_ message: String) -> Never {
    FileHandle.standardError.write(Data("liquid-bench: \(message)\n".utf8))
    exit(1)
}

let arguments = CommandLine.arguments
guard arguments.count >= 6, let seconds = Double(arguments[4]) else {
    fail("usage: liquid-bench TEMPLATES_DIR DATA_JSON PAGE SECONDS OUTPUT_FILE [--autoescape] [--commerce]")
}
let (folder, dataPath, page, outputPath) = (arguments[1], arguments[2], arguments[3], arguments[5])
let autoescape = arguments.contains("--autoescape")
let commerce = arguments.contains("--commerce")

func read(_ path: String) -> String {
    guard let text = try? String(contentsOfFile: path, encoding: .utf8) else { fail("cannot read \(path)") }
    return text
}

// Every template in the folder, by name without `.liquid`; the loader parses each one once.
let files = (try? FileManager.default.contentsOfDirectory(atPath: folder)) ?? []
var sources: [String: String] = [:]
for file in files where file.hasSuffix(".liquid") {
    sources[String(file.dropLast(".liquid".count))] = read(folder + "/" + file)
}
guard let pageSource = sources[page] else { fail("no template \(page).liquid in \(folder)") }

// The commerce page's store settings: what a storefront render gets from the store.
let options = RenderOptions(
    moneyFormat: "${{amount}}", moneyWithCurrencyFormat: "${{amount}} USD", currency: "USD",
    translations: [
        "products": ["product": ["add_to_cart": "Add to cart", "sold_out": "Sold out", "on_sale": "Sale"]],
        "collections": ["general": ["items_with_count": "{{ count }} products"]],
    ],
    assetBaseURL: "/assets/themes/dawn/", imageBaseURL: "/media/store-1/", now: 1_795_000_000)

let environment = Environment(autoescape: autoescape, loader: DictionaryLoader(sources), renderOptions: options)
let data: [String: Value]
do {
    guard case .dictionary(let d) = try Value(json: read(dataPath)) else { fail("\(dataPath) is not a JSON object") }
    data = d
} catch {
    fail("\(dataPath): \(error)")
}

let template: Template
var output = ""
do {
    template = try environment.parse(pageSource, name: page)
    output = try template.render(data)
} catch {
    fail("\(error)")
}
guard FileManager.default.createFile(atPath: outputPath, contents: Data(output.utf8)) else {
    fail("cannot write \(outputPath)")
}

// Warm up, then render for at least `seconds` in windows of at least half a second; the best
// window is the figure least disturbed by other work on the machine. The byte count keeps the
// work observable to the optimiser.
let clock = ContinuousClock()
func elapsedSeconds(since start: ContinuousClock.Instant) -> Double {
    let d = clock.now - start
    return Double(d.components.seconds) + Double(d.components.attoseconds) * 1e-18
}
var bytes = 0
do {
    for _ in 0..<50 { bytes &+= try template.render(data).utf8.count }
    var renders = 0
    var best = 0.0
    let start = clock.now
    var elapsed = 0.0
    while elapsed < seconds {
        let windowStart = clock.now
        var windowRenders = 0
        var window = 0.0
        while window < 0.5 {
            for _ in 0..<10 { bytes &+= try template.render(data).utf8.count }
            windowRenders += 10
            window = elapsedSeconds(since: windowStart)
        }
        renders += windowRenders
        best = max(best, Double(windowRenders) / window)
        elapsed = elapsedSeconds(since: start)
    }
    let mode = (commerce ? "commerce" : "standard") + (autoescape ? "+autoescape" : "")
    print("storefleet \(mode) \(renders) \(String(format: "%.3f", elapsed)) "
        + "\(String(format: "%.1f", Double(renders) / elapsed)) \(String(format: "%.1f", best))")
} catch {
    fail("\(error)")
}
if bytes == 0 { fail("empty renders") }
