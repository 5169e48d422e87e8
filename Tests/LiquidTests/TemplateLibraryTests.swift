#if canImport(Glibc)
import Glibc
#endif
import Foundation
import Liquid
import Testing

/// A folder of templates: partials and layouts resolve through it, parsed templates are cached,
/// and in development a changed file is noticed by its modification time.
@Suite struct TemplateLibraryTests {
    let root: String

    init() throws {
        root = NSTemporaryDirectory() + "liquid-library-" + UUID().uuidString
        for folder in ["", "/snippets", "/layout", "/templates"] {
            try FileManager.default.createDirectory(atPath: root + folder, withIntermediateDirectories: true)
        }
        try write("layout/theme", "<body>{{ content_for_layout }}</body>")
        try write("snippets/price", "{{ amount | money }}")
        try write("templates/product", "{% layout 'theme' %}<h1>{{ product.title }}</h1>{% render 'price', amount: product.price %}")
    }

    func write(_ name: String, _ text: String, mtime: Int? = nil) throws {
        let path = root + "/" + name + ".liquid"
        try text.write(toFile: path, atomically: false, encoding: .utf8)
        if let mtime {
            var times = [timeval(tv_sec: mtime, tv_usec: 0), timeval(tv_sec: mtime, tv_usec: 0)]
            #expect(utimes(path, &times) == 0)
        }
    }

    @Test func rendersWithPartialsAndLayout() throws {
        let library = TemplateLibrary(directory: root)
        let html = try library.render("product", ["product": ["title": "Mug <3", "price": 1250]])
        #expect(html == "<body><h1>Mug &lt;3</h1>$12.50</body>")
        // Parsed once: without development reloading, a deleted file still renders from the cache.
        try FileManager.default.removeItem(atPath: root + "/snippets/price.liquid")
        #expect(try library.render("product", ["product": ["title": "Mug", "price": 100]]) == "<body><h1>Mug</h1>$1.00</body>")
        #expect(throws: LiquidError.self) { try library.template(named: "nope") }
        #expect(throws: LiquidError.self) { try library.template(named: "../etc/passwd") }
    }

    @Test func developmentModeNoticesChangedFiles() throws {
        try write("snippets/badge", "old", mtime: 1_700_000_000)
        let watching = TemplateLibrary(directory: root, reloadChangedFiles: true)
        let cached = TemplateLibrary(directory: root)
        #expect(try watching.render("badge", [:]) == "old")
        #expect(try cached.render("badge", [:]) == "old")
        try write("snippets/badge", "new", mtime: 1_700_000_100)
        #expect(try watching.render("badge", [:]) == "new")
        #expect(try cached.render("badge", [:]) == "old")
    }
}
