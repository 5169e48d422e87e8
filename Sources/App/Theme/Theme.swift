import Liquid

/// A storefront theme in Shopify's layout, loaded once per process:
/// `layout/theme.liquid`, `templates/<page>.liquid`, `snippets/`, `assets/`,
/// `config/settings_schema.json`, `locales/en.default.json`.
final class Theme {
    let name: String
    let environment: Environment
    /// `templates/index.liquid`: the storefront home.
    let index: Template
    /// The theme's English strings, for the `t` filter.
    let translations: Value
    /// Each setting's default from `config/settings_schema.json`, by id.
    let settingsDefaults: [String: Value]
    /// Where nginx serves the theme's `assets/` folder (see public/assets/themes/).
    let assetBaseURL: String
    /// The layout every page is wrapped in.
    static let layoutName = "layout/theme"

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
        _ = try folder.require(Theme.layoutName, environment: environment)
        try folder.preload(subfolder: "snippets", environment: environment) { $0 }
        self.translations = try Theme.readJSON(root + "/locales/en.default.json") ?? .dictionary([:])
        self.settingsDefaults = Theme.defaults(fromSchema: try Theme.readJSON(root + "/config/settings_schema.json"))
        self.assetBaseURL = "/assets/themes/" + name + "/"
    }

    private static func readJSON(_ path: String) throws -> Value? {
        guard let text = readFile(path) else { return nil }
        return try Value(json: text)
    }

    /// Shopify's schema: a list of groups, each with `settings: [{id, default}, ...]`.
    static func defaults(fromSchema schema: Value?) -> [String: Value] {
        guard case .array(let groups)? = schema else { return [:] }
        var defaults: [String: Value] = [:]
        for case .dictionary(let group) in groups {
            guard case .array(let settings)? = group["settings"] else { continue }
            for case .dictionary(let setting) in settings {
                guard case .string(let id)? = setting["id"] else { continue }
                defaults[id] = setting["default"] ?? .nil
            }
        }
        return defaults
    }
}
