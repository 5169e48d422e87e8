// libFuzzer target over Liquid parse + render. Build and run it with scripts/fuzz-liquid.sh.
//
// An input is NUL-separated chunks. The first is the template. A later chunk that starts with "{"
// is the render's data (a JSON object); any other chunk is a partial: its name, a newline, then
// its source. A partial called "self" is always the template itself, so recursion is one
// mutation away. Fuzz/corpus/liquid/ holds the golden suite's cases in this form.
//
// The environment has small limits, and every input must respect them, beyond "no crash" (ASan):
// - parse and render either succeed or throw LiquidError;
// - a successful render's output is at most `maxOutputBytes`;
// - a render returns within `maxRenderSeconds` plus a grace, and a parse within a second or two
//   (both in CPU time: another process holding the core says nothing about the template);
// - rendering the same parsed template twice gives the same result (no state leaks between
//   renders), unless a limit stopped either render.
// Loop iterations, nesting and partial depth cannot be observed from outside a render, so
// `LLVMFuzzerInitialize` first proves that each limit stops a template that exceeds it with a
// `limitExceeded` error, and the per-input time bound catches any loop the count lets through.

import Foundation

let fuzzLimits = Environment.Limits(
    maxNestingDepth: 24, maxPartialDepth: 8, maxLoopIterations: 5_000,
    maxOutputBytes: 64 << 10, maxRenderSeconds: 0.25)
/// Extra time a render may take past its limit before we call it a hang (CPU time, see
/// `threadCPUSeconds`): the check runs between nodes and this build has ASan.
let renderGraceSeconds = 1.5
let parseBoundSeconds = 2.0

let fuzzOptions = RenderOptions(
    moneyFormat: "${{amount}}", moneyWithCurrencyFormat: "${{amount}} USD", currency: "USD",
    translations: ["cart": ["title": "Your cart", "items": "{{ count }} items"], "greeting": "Hello <b>{{ name }}</b>"],
    assetBaseURL: "/assets/t/", imageBaseURL: "/media/1/", now: 1_795_000_000)

/// Data for inputs that bring none: the shapes themes use, with markup in strings.
let defaultData: [String: Value] = [
    "product": [
        "title": "Tee <b>&</b> \"Co\"", "handle": "tee", "price": 1999, "compare_at_price": nil,
        "tags": ["a", "B", "c"], "available": true, "vendor": "Fleet",
        "images": [["src": "t.jpg", "alt": ""], ["src": "u.jpg", "alt": "U"]],
    ],
    "products": .array((0..<20).map { ["title": .string("P\($0)"), "price": .int($0 * 250), "tags": ["x"]] }),
    "numbers": .array((0..<1000).map { .int($0) }),
    "words": "the quick brown fox jumps over the lazy dog",
    "html": "<script>alert('x')</script> & \"quotes\"",
    "empty": "", "zero": 0, "pi": 3.14159, "neg": -7, "yes": true, "no": false, "none": nil,
    "nested": ["a": ["b": ["c": ["d": "deep"]]]],
    "paginate": ["current_page": 2, "pages": 5, "items": 50, "page_size": 10,
                 "previous": ["title": "Previous", "url": "/c?page=1", "is_link": true],
                 "next": ["title": "Next", "url": "/c?page=3", "is_link": true],
                 "parts": [["title": "1", "url": "/c?page=1", "is_link": true],
                           ["title": "2", "url": "", "is_link": false]]],
]

/// Fails the fuzz run: libFuzzer reports the trap as a crash and saves the input.
func violation(_ message: String, _ source: String) -> Never {
    let text = "\nLIQUID FUZZ INVARIANT BROKEN: \(message)\ntemplate (\(source.utf8.count) bytes): \(source.prefix(400))\n"
    FileHandle.standardError.write(Data(text.utf8))
    fatalError(message)
}

/// The result of one render, comparable across two renders of the same template.
enum Outcome: Equatable {
    case output(String)
    case error(LiquidError.Kind, String)
}

/// CPU seconds this thread has used. Render time is judged by it, not by the wall clock: on a
/// shared machine another process can hold the core for longer than the grace, which says
/// nothing about the template (the engine's own limit is wall-clock time, so noise only makes it
/// stop a render sooner).
func threadCPUSeconds() -> Double {
    var now = timespec()
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &now)
    return Double(now.tv_sec) + Double(now.tv_nsec) * 1e-9
}

func render(_ template: Template, _ data: [String: Value], source: String) -> Outcome {
    let start = threadCPUSeconds()
    let outcome: Outcome
    do {
        outcome = .output(try template.render(data, options: fuzzOptions))
    } catch let error as LiquidError {
        outcome = .error(error.kind, error.message)
    } catch {
        violation("render threw a non-Liquid error: \(error)", source)
    }
    let elapsed = threadCPUSeconds() - start
    if elapsed > fuzzLimits.maxRenderSeconds + renderGraceSeconds {
        violation("render took \(elapsed)s, limit \(fuzzLimits.maxRenderSeconds)s (outcome: \(outcome))", source)
    }
    if case .output(let text) = outcome, text.utf8.count > fuzzLimits.maxOutputBytes {
        violation("output of \(text.utf8.count) bytes, limit \(fuzzLimits.maxOutputBytes)", source)
    }
    return outcome
}

func fuzzOne(_ bytes: UnsafeBufferPointer<UInt8>) {
    let chunks = bytes.split(separator: 0, omittingEmptySubsequences: false)
    let source = chunks.first.map { String(decoding: $0, as: UTF8.self) } ?? ""
    var partials = ["self": source]
    var data = defaultData
    for chunk in chunks.dropFirst() {
        let text = String(decoding: chunk, as: UTF8.self)
        if text.first == "{" {
            if case .dictionary(let d)? = try? Value(json: text) { data = d }
        } else if let newline = text.firstIndex(of: "\n") {
            partials[String(text[..<newline])] = String(text[text.index(after: newline)...])
        }
    }
    // The input's length picks the mode, so mutations visit all four.
    let mode = bytes.count & 3
    let environment = Environment(
        autoescape: mode & 1 == 1, strict: mode & 2 == 2, limits: fuzzLimits,
        loader: DictionaryLoader(partials), renderOptions: fuzzOptions)

    let start = threadCPUSeconds()
    let template: Template
    do {
        template = try environment.parse(source, name: "fuzz")
    } catch is LiquidError {
        return
    } catch {
        violation("parse threw a non-Liquid error: \(error)", source)
    }
    let parseTime = threadCPUSeconds() - start
    if parseTime > parseBoundSeconds { violation("parse took \(parseTime)s", source) }

    let first = render(template, data, source: source)
    // A render stopped by a limit may stop at a different point the second time, and one close
    // to the time limit may cross it only once (the machine is shared); anything else must repeat.
    if case .error(.limitExceeded, _) = first { return }
    let second = render(template, data, source: source)
    if case .error(.limitExceeded, _) = second { return }
    if first != second { violation("two renders differ: \(first) / \(second)", source) }
}

/// Each limit must stop a template that exceeds it with a `limitExceeded` error.
func checkLimitsStopRunawayTemplates() {
    // Enough iterations that only the clock can stop the render.
    let onlyTime = Environment.Limits(
        maxNestingDepth: 24, maxPartialDepth: 8, maxLoopIterations: 100_000_000,
        maxOutputBytes: 1 << 30, maxRenderSeconds: 0.2)
    let probes: [(what: String, template: String, limits: Environment.Limits)] = [
        ("loop iterations", "{% for i in (1..100000) %}{% endfor %}", fuzzLimits),
        ("loop iterations, nested loops", "{% for i in (1..100) %}{% for j in (1..100) %}{% endfor %}{% endfor %}", fuzzLimits),
        ("loop iterations, tablerow", "{% tablerow i in (1..100000) %}{% endtablerow %}", fuzzLimits),
        ("nesting depth", String(repeating: "{% if true %}", count: 100) + String(repeating: "{% endif %}", count: 100), fuzzLimits),
        ("nesting depth, for", String(repeating: "{% for i in (1..1) %}", count: 100) + String(repeating: "{% endfor %}", count: 100), fuzzLimits),
        ("partial depth", "{% render 'self' %}", fuzzLimits),
        ("partial depth, include", "{% include 'self' %}", fuzzLimits),
        ("output size", "{% for i in (1..4000) %}0123456789012345678901234567890123456789{% endfor %}", fuzzLimits),
        ("output size, capture", "{% capture c %}{% for i in (1..4000) %}0123456789012345678901234567890123456789{% endfor %}{% endcapture %}", fuzzLimits),
        ("output size, strings built by filters",
         "{% assign a = 'xxxxxxxxxx' %}{% for i in (1..40) %}{% assign a = a | append: a %}{% endfor %}{{ a.size }}", fuzzLimits),
        ("render time",
         "{% for i in (1..9999) %}{% for j in (1..9999) %}{% assign k = i | times: j | append: 'x' %}{% endfor %}{% endfor %}",
         onlyTime),
        ("render time, expensive iterations",
         "{% for i in numbers %}{% for j in numbers %}{% assign s = numbers | join: ',' | split: ',' | sort | uniq | reverse | size %}{% endfor %}{% endfor %}",
         onlyTime),
    ]
    for probe in probes {
        let environment = Environment(
            autoescape: false, limits: probe.limits,
            loader: DictionaryLoader(["self": probe.template]), renderOptions: fuzzOptions)
        let start = threadCPUSeconds()
        var outcome: String
        do {
            let template = try environment.parse(probe.template, name: "probe")
            let output = try template.render(defaultData)
            outcome = "rendered \(output.utf8.count) bytes"
        } catch let error as LiquidError where error.kind == .limitExceeded {
            outcome = "ok"
        } catch {
            outcome = "threw \(error)"
        }
        let elapsed = threadCPUSeconds() - start
        if outcome == "ok", elapsed > probe.limits.maxRenderSeconds + renderGraceSeconds {
            outcome = "stopped only after \(elapsed)s"
        }
        if outcome != "ok" {
            violation("the \(probe.what) limit did not stop the template: \(outcome)", probe.template)
        }
    }
}

@_cdecl("LLVMFuzzerInitialize")
public func fuzzerInitialize(_ argc: UnsafeMutableRawPointer?, _ argv: UnsafeMutableRawPointer?) -> Int32 {
    checkLimitsStopRunawayTemplates()
    return 0
}

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzerTestOneInput(_ data: UnsafePointer<UInt8>?, _ size: Int) -> Int32 {
    guard let data else { return 0 }
    fuzzOne(UnsafeBufferPointer(start: data, count: size))
    return 0
}
