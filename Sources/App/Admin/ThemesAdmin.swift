import Foundation
import HTTP
import Liquid
import Postgres
import Registry

/// `/store/:slug/admin/themes`: pick the store's theme (the themes of `templates/themes/`, as
/// the wizard lists them) and edit the current theme's settings — colours, fonts, logo, featured
/// collection, ... — from its `config/settings_schema.json`. Values are checked against the
/// schema (the storefront checks them again when it reads them); a bad value answers 422 with
/// the problem next to its field and saves nothing. Saving moves the storefront's cache version.
extension StorefleetApp {
    func addThemeAdminRoutes(to router: inout SiteRouter<PlatformSite>) {
        router.get("/store/:slug/admin/themes") { [unowned self] _, parameters, site in
            let context = try AdminAccess.context(site, slug: parameters["slug"] ?? "")
            try context.require(.themes)
            return try themesPage(site, context, submitted: nil, errors: nil)
        }
        router.post("/store/:slug/admin/themes/settings") { [unowned self] _, parameters, site in
            let form = try site.verifiedForm()
            let context = try AdminAccess.context(site, slug: parameters["slug"] ?? "")
            try context.require(.themes)
            return try saveThemeSettings(site, context, form: form)
        }
        router.post("/store/:slug/admin/themes/activate") { [unowned self] _, parameters, site in
            let form = try site.verifiedForm()
            let context = try AdminAccess.context(site, slug: parameters["slug"] ?? "")
            try context.require(.themes)
            return try activateTheme(site, context, form: form)
        }
    }

    /// The current theme's name and stored settings, and the store's published collections.
    private func themeState(_ context: AdminContext) throws -> (theme: String, stored: Value, collections: [(String, String)]) {
        try withTenant(context.route) { db in
            let row = try db.queryFirst("SELECT theme, settings FROM theme_settings WHERE is_current")
            let theme = try row?.decode("theme", as: String.self) ?? config.defaultTheme
            let json = try row?.decode("settings", as: JSON.self).rawText ?? "{}"
            let collections = try db.query("SELECT handle, title FROM collections WHERE published ORDER BY title, id LIMIT 500")
                .map { (try $0.decode("handle", as: String.self), try $0.decode("title", as: String.self)) }
            return (theme, (try? Value(json: json)) ?? .dictionary([:]), collections)
        }
    }

    private func themesPage(_ site: PlatformSite, _ context: AdminContext, submitted: FormData?,
                            errors: FormErrors?, status: Status? = nil) throws -> Response {
        let state = try themeState(context)
        let theme = storefront.theme(named: state.theme)
        let resolved = theme.schema.resolve(stored: state.stored)
        let listings = ThemeListing.all(templateDirectory: config.templateDirectory)
        let groups: [Value] = theme.schema.groups.map { group in
            let settings: [Value] = group.settings.map { s in
                let value = submitted?[s.id] ?? (resolved[s.id] ?? .nil).textValue
                var options: [Value] = s.options.map { o in
                    ["value": .string(o.value), "label": .string(o.label), "selected": .bool(o.value == value)]
                }
                if s.type == "collection" {
                    options = [["value": "", "label": "None: show the newest products", "selected": .bool(value.isEmpty)]]
                        + state.collections.map { c in
                            ["value": .string(c.0), "label": .string(c.1), "selected": .bool(c.0 == value)]
                        }
                }
                return [
                    "id": .string(s.id), "type": .string(s.type), "label": .string(s.label),
                    "info": s.info.map { .string($0) } ?? .nil, "value": .string(value),
                    "checked": .bool(value == "true"), "options": .array(options),
                    "min": s.min.map { .int($0) } ?? .nil, "max": s.max.map { .int($0) } ?? .nil,
                    "error": errors?[s.id].map { .string($0) } ?? .nil,
                ]
            }
            return ["name": .string(group.name), "settings": .array(settings)]
        }
        let themes: [Value] = listings.map { t in
            ["id": .string(t.id), "name": .string(t.info.name), "description": .string(t.info.description),
             "preview_url": t.previewURL.map { .string($0) } ?? .nil, "current": .bool(t.id == theme.name)]
        }
        let current = listings.first { $0.id == theme.name }
        return try AdminPages.render(site, context, area: .themes, page: "admin/themes", title: "Themes", assigns: [
            "themes": .array(themes),
            "current_theme": .string(current?.info.name ?? theme.name),
            "groups": .array(groups),
            "settings_action": .string(context.adminURL + "/themes/settings"),
            "activate_action": .string(context.adminURL + "/themes/activate"),
            "has_errors": .bool(!(errors?.isEmpty ?? true)),
        ], status: status)
    }

    private func saveThemeSettings(_ site: PlatformSite, _ context: AdminContext, form: FormData) throws -> Response {
        let state = try themeState(context)
        let theme = storefront.theme(named: state.theme)
        var errors = FormErrors()
        var values: [String: Value] = [:]
        for s in theme.schema.settings {
            let raw = s.type == "checkbox" ? (form[s.id] == nil ? "false" : "true") : (form[s.id] ?? "").trimmingCharacters(in: .whitespaces)
            if let valid = s.validated(.string(raw)) {
                values[s.id] = valid
            } else {
                errors.add(s.id, ThemesAdminText.problem(s))
            }
        }
        if let handle = values["featured_collection"]?.textValue, !handle.isEmpty,
           !state.collections.contains(where: { $0.0 == handle }) {
            errors.add("featured_collection", "Choose one of your published collections.")
        }
        guard errors.isEmpty else {
            return try themesPage(site, context, submitted: form, errors: errors, status: .unprocessableContent)
        }
        let json = JSON(rawText: Value.dictionary(values).jsonString)
        try withTenant(context.route) { db in
            try db.transaction { db in
                try db.execute("""
                    INSERT INTO theme_settings (theme, settings, is_current) VALUES (\(theme.name), \(json), true)
                    ON CONFLICT (theme) DO UPDATE SET settings = EXCLUDED.settings, is_current = true
                    """)
                try AdminAudit.recordInStore(db, site: site, context: context, action: "theme.settings.update",
                                             subjectType: "theme", subjectId: theme.name)
            }
        }
        return site.redirect(to: context.adminURL + "/themes", flash: .success("Theme settings saved. Your storefront shows them now."))
    }

    private func activateTheme(_ site: PlatformSite, _ context: AdminContext, form: FormData) throws -> Response {
        let id = form["theme"] ?? ""
        guard ThemeListing.all(templateDirectory: config.templateDirectory).contains(where: { $0.id == id }) else {
            throw HTTPError(.unprocessableContent, "That theme isn’t available. Choose one from the list.")
        }
        try withTenant(context.route) { db in
            try db.transaction { db in
                try db.execute("UPDATE theme_settings SET is_current = false WHERE is_current AND theme <> \(id)")
                try db.execute("""
                    INSERT INTO theme_settings (theme, is_current) VALUES (\(id), true)
                    ON CONFLICT (theme) DO UPDATE SET is_current = true
                    """)
                try AdminAudit.recordInStore(db, site: site, context: context, action: "theme.publish",
                                             subjectType: "theme", subjectId: id)
            }
        }
        return site.redirect(to: context.adminURL + "/themes", flash: .success("Your storefront now uses this theme."))
    }
}

enum ThemesAdminText {
    /// What to fix, for a value the setting's type refuses.
    static func problem(_ s: ThemeSettingsSchema.Setting) -> String {
        switch s.type {
        case "color": return "Enter a colour as # and 3 or 6 hex digits, like #2f4b3a."
        case "select", "radio", "font_picker", "collection": return "Choose one of the options."
        case "range", "number":
            return "Enter a whole number" + (s.min.map { " from \($0)" } ?? "") + (s.max.map { " to \($0)" } ?? "") + "."
        case "image_picker": return "Enter a file name from your store’s media, like logo.png."
        case "textarea", "richtext": return "Keep it under 2,000 characters."
        default: return "Keep it under 500 characters."
        }
    }
}
