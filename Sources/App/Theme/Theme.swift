import HTTP
import Liquid

/// A storefront theme in Shopify's layout, loaded once per process:
/// `layout/theme.liquid`, `templates/<page>.liquid`, `snippets/`, `assets/`,
/// `config/settings_schema.json`, `locales/en.default.json`.
final class Theme {
    let name: String
    let environment: Environment
    /// `templates/index.liquid`: the storefront home.
    let index: Template
    /// The other page templates: `collection`, `product`, `search`, `page`, `404`.
    let collection: Template
    let product: Template
    let search: Template
    let page: Template
    let notFound: Template
    /// The theme's English strings, for the `t` filter.
    let translations: Value
    /// What the theme lets a merchant set (`config/settings_schema.json`).
    let schema: ThemeSettingsSchema
    /// Each setting's default from `config/settings_schema.json`, by id.
    var settingsDefaults: [String: Value] { schema.defaults }
    /// Where nginx serves the theme's `assets/` folder (see public/assets/themes/).
    let assetBaseURL: String
    /// The folder the templates come from (extra page templates load on first use).
    private let folder: TemplateFolder
    /// The layout every page is wrapped in.
    static let layoutName = "layout/theme"
    /// The page templates every theme must have; a theme without one fails to load.
    static let pageTemplates = ["index", "collection", "product", "search", "page", "404"]

    init(name: String, templateDirectory: String) throws {
        let root = templateDirectory + "/themes/" + name
        let folder = TemplateFolder(root: root) { name in
            // `render 'x'` names a snippet; pages and layouts are named by their path.
            name.contains("/") ? [name + ".liquid"] : ["snippets/" + name + ".liquid"]
        }
        let environment = Environment(autoescape: true, loader: folder)
        self.name = name
        self.environment = environment
        self.index = try folder.require("templates/index", environment: environment)
        self.collection = try folder.require("templates/collection", environment: environment)
        self.product = try folder.require("templates/product", environment: environment)
        self.search = try folder.require("templates/search", environment: environment)
        self.page = try folder.require("templates/page", environment: environment)
        self.notFound = try folder.require("templates/404", environment: environment)
        _ = try folder.require(Theme.layoutName, environment: environment)
        try folder.preload(subfolder: "snippets", environment: environment) { $0 }
        self.translations = try Theme.readJSON(root + "/locales/en.default.json") ?? .dictionary([:])
        self.schema = ThemeSettingsSchema(try Theme.readJSON(root + "/config/settings_schema.json"))
        self.assetBaseURL = "/assets/themes/" + name + "/"
        self.folder = folder
        try folder.preload(subfolder: "templates/customers", environment: environment) { "templates/customers/" + $0 }
        try folder.preload(subfolder: "templates", environment: environment) { "templates/" + $0 }
    }

    /// Any page template by its name under `templates/` (`cart`, `checkout`,
    /// `customers/account`, ...); 404 when this theme has none, so a theme missing a shopper
    /// page fails visibly rather than falling back to another theme's look.
    func template(named name: String) throws -> Template {
        guard let t = try folder.template(named: "templates/" + name, environment: environment) else {
            throw HTTPError(.notFound, "This page does not exist.")
        }
        return t
    }

    static func readJSON(_ path: String) throws -> Value? {
        guard let text = readFile(path) else { return nil }
        return try Value(json: text)
    }

    /// Shopify's schema: a list of groups, each with `settings: [{id, default}, ...]`.
    static func defaults(fromSchema schema: Value?) -> [String: Value] {
        ThemeSettingsSchema(schema).defaults
    }

    /// A theme folder name: what `theme_settings.theme` allows.
    static func isValidName(_ name: String) -> Bool {
        guard let first = name.utf8.first, name.utf8.count <= 64 else { return false }
        func ok(_ b: UInt8) -> Bool { (b >= 97 && b <= 122) || (b >= 48 && b <= 57) }
        return ok(first) && name.utf8.allSatisfy { ok($0) || $0 == UInt8(ascii: "-") || $0 == UInt8(ascii: "_") }
    }
}
