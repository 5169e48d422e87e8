#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A folder of templates: `library.template(named: "product")` reads `<root>/product.liquid`,
/// parses it once and caches it. Partials (`render`, `include`) and layouts resolve through the
/// same library: a name is tried as given, then under `snippets/`, `sections/`, `layout/` and
/// `templates/`, the folders of a Shopify-style theme. With `reloadChangedFiles` (development),
/// a cached template is re-read when its file's modification time changes.
public final class TemplateLibrary {
    public let root: String
    public let environment: Environment
    private let files: FileTemplateLoader

    public init(directory: String, autoescape: Bool = true, strict: Bool = false,
                limits: Environment.Limits = Environment.Limits(), renderOptions: RenderOptions = RenderOptions(),
                filters: [String: Environment.Filter] = [:], reloadChangedFiles: Bool = false) {
        self.root = directory
        self.files = FileTemplateLoader(root: directory, reload: reloadChangedFiles)
        self.environment = Environment(autoescape: autoescape, strict: strict, limits: limits, loader: files,
                                       renderOptions: renderOptions, filters: filters)
    }

    /// The parsed template called `name` (with or without `.liquid`).
    public func template(named name: String) throws -> Template {
        guard let t = try files.template(named: name, environment: environment) else {
            throw LiquidError(kind: .templateNotFound, message: "template '\(name)' not found in \(root)", templateName: name)
        }
        return t
    }

    /// Renders `name` with `data`; `defaultLayout` wraps it unless it says `{% layout none %}`.
    public func render(_ name: String, _ data: [String: Value], options: RenderOptions? = nil,
                       defaultLayout: String? = nil) throws -> String {
        try template(named: name).render(data, options: options ?? environment.defaultRenderOptions, defaultLayout: defaultLayout)
    }
}

/// Reads `*.liquid` files under a root folder; the cache is per process.
final class FileTemplateLoader: ParsedTemplateLoader {
    let root: String
    let reload: Bool
    private var cache: [String: (template: ParsedTemplate, mtime: Int)] = [:]
    private var missing: Set<String> = []

    init(root: String, reload: Bool) {
        self.root = root
        self.reload = reload
    }

    func template(named name: String, environment: Environment) throws -> Template? {
        try parsedTemplate(named: name, environment: environment).map { Template($0, environment: environment) }
    }

    func parsedTemplate(named name: String, environment: Environment) throws -> ParsedTemplate? {
        if let hit = cache[name] {
            if !reload { return hit.template }
            if let path = hit.template.path, modificationTime(path) == hit.mtime { return hit.template }
        }
        if !reload, missing.contains(name) { return nil }
        guard !ByteSearch.contains(name, ".."), !name.hasPrefix("/") else {
            throw LiquidError(kind: .templateNotFound, message: "invalid template name '\(name)'")
        }
        let file = name.hasSuffix(".liquid") ? name : name + ".liquid"
        for folder in ["", "snippets/", "sections/", "layout/", "templates/"] {
            let path = root + "/" + folder + file
            let mtime = modificationTime(path)
            guard mtime >= 0, let source = readFile(path) else { continue }
            let t = try environment.parse(source, name: name).parsed
            t.path = path
            cache[name] = (t, mtime)
            return t
        }
        missing.insert(name)
        return nil
    }

    private func modificationTime(_ path: String) -> Int {
        var st = stat()
        guard stat(path, &st) == 0, (st.st_mode & S_IFMT) == S_IFREG else { return -1 }
        return Int(st.st_mtim.tv_sec) * 1_000_000_000 + Int(st.st_mtim.tv_nsec)
    }

    private func readFile(_ path: String) -> String? {
        guard let f = fopen(path, "rb") else { return nil }
        defer { fclose(f) }
        var bytes: [UInt8] = []
        var buf = [UInt8](repeating: 0, count: 65536)
        while true {
            let n = fread(&buf, 1, buf.count, f)
            if n > 0 { bytes.append(contentsOf: buf[0..<n]) }
            if n < buf.count { break }
        }
        return String(decoding: bytes, as: UTF8.self)
    }
}
