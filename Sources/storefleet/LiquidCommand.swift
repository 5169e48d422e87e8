import ArgumentParser
import Foundation
import Liquid

/// `storefleet liquid ...`: render templates from the command line; `render-batch` is the
/// interface conformance tools drive the engine through (keep it stable).
struct LiquidCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "liquid",
        abstract: "Render Liquid templates.",
        subcommands: [Render.self, RenderBatch.self])

    struct Render: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Render one template file to stdout.")

        @Argument(help: "The template file.") var file: String
        @Option(help: "A JSON file whose top-level object is the template's data.") var data: String?
        @Option(help: "Folder of partials and layouts (default: the template's folder).") var templates: String?
        @Flag(help: "Do not HTML-escape output.") var noAutoescape = false

        func run() throws {
            let folder = templates ?? URL(fileURLWithPath: file).deletingLastPathComponent().path
            let library = TemplateLibrary(directory: folder, autoescape: !noAutoescape)
            var values: [String: Value] = [:]
            if let data {
                let text = try String(contentsOfFile: data, encoding: .utf8)
                guard case .dictionary(let d) = try Value(json: text) else {
                    throw ValidationError("\(data): the data must be a JSON object")
                }
                values = d
            }
            let source = try String(contentsOfFile: file, encoding: .utf8)
            do {
                let template = try library.environment.parse(source, name: file)
                FileHandle.standardOutput.write(Data(try template.render(values).utf8))
            } catch let error as LiquidError {
                FileHandle.standardError.write(Data((error.description + "\n").utf8))
                throw ExitCode.failure
            }
        }
    }

    struct RenderBatch: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "render-batch",
            abstract: "Render JSON Lines cases from stdin: {\"template\", \"data\", \"templates\"} → {\"output\"} or {\"error\"}.")

        @Flag(help: "HTML-escape output (off by default, as conformance suites expect).") var autoescape = false

        func run() throws {
            while let line = readLine(strippingNewline: true) {
                if line.allSatisfy(\.isWhitespace) { continue }
                var out = ""
                do {
                    out = "{\"output\":" + Value.string(try renderCase(line)).jsonString + "}"
                } catch let error as LiquidError {
                    out = "{\"error\":" + Value.string(error.description).jsonString + "}"
                } catch {
                    out = "{\"error\":" + Value.string("\(error)").jsonString + "}"
                }
                FileHandle.standardOutput.write(Data((out + "\n").utf8))
            }
        }

        func renderCase(_ line: String) throws -> String {
            guard case .dictionary(let c) = try Value(json: line) else {
                throw LiquidError(kind: .syntax, message: "each line must be a JSON object")
            }
            var partials: [String: String] = [:]
            if case .dictionary(let t)? = c["templates"] {
                for (name, source) in t { partials[name] = source.outputString }
            }
            let environment = Environment(autoescape: autoescape, loader: DictionaryLoader(partials))
            let template = try environment.parse(c["template"]?.outputString ?? "", name: "<template>")
            var data: [String: Value] = [:]
            if case .dictionary(let d)? = c["data"] { data = d }
            return try template.render(data)
        }
    }
}
