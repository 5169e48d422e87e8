import Foundation
import Liquid

/// Liquid templates read from one folder and parsed once, when the folder is loaded.
///
/// `render 'name'` and layouts find their template through `resolve`, which maps a name to a
/// file under the folder (a theme puts snippets in `snippets/` and layouts in `layout/`).
final class TemplateFolder: TemplateLoader {
    let root: String
    private let resolve: (String) -> [String]
    private var parsed: [String: Template] = [:]

    /// `resolve` lists the relative paths to try for a template name, in order.
    init(root: String, resolve: @escaping (String) -> [String]) {
        self.root = root
        self.resolve = resolve
    }

    func template(named name: String, environment: Environment) throws -> Template? {
        if let t = parsed[name] { return t }
        for path in resolve(name) {
            guard let source = readFile(root + "/" + path) else { continue }
            let t = try environment.parse(source, name: path)
            parsed[name] = t
            return t
        }
        return nil
    }

    /// A template the app cannot do without (a page, a layout): parsed now, so a broken theme
    /// fails at start-up rather than on a shopper's request.
    func require(_ name: String, environment: Environment) throws -> Template {
        guard let t = try template(named: name, environment: environment) else {
            throw LiquidError(kind: .templateNotFound, message: "no template \(name) in \(root)")
        }
        return t
    }

    /// Parses every `.liquid` file under `subfolder`, so the first request pays for none.
    func preload(subfolder: String, environment: Environment, name: (String) -> String) throws {
        let dir = root + "/" + subfolder
        guard let files = try? FileManager.default.contentsOfDirectory(atPath: dir) else { return }
        for file in files.sorted() where file.hasSuffix(".liquid") {
            _ = try template(named: name(String(file.dropLast(".liquid".count))), environment: environment)
        }
    }
}

/// The file's text, or nil when it cannot be read.
func readFile(_ path: String) -> String? {
    try? String(contentsOfFile: path, encoding: .utf8)
}
