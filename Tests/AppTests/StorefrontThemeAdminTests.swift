import Foundation
import HTTP
import Postgres
import Registry
import Testing
@testable import App

/// The admin's theme page: choosing a theme and editing its settings from the schema, as the
/// storefront then shows them.
@Suite(.serialized) struct StorefrontThemeAdminTests {
    @Test func ownersChooseAThemeAndEditItsSettingsWhichTheStorefrontShows() throws {
        guard let stack = try AppStack.required() else { return }
        let owner = try stack.createUser(name: "Theo Themer")
        let store = try stack.provisionStore(prefix: "themes", orgId: owner.orgId, name: "Theo’s Things")
        let db = try StorefrontFixtures.seed(stack, store)
        let admin = "/store/\(store.slug)/admin"
        let client = try stack.signedInClient(userId: owner.userId)

        let page = try client.get(admin + "/themes")
        #expect(page.status == .ok)
        #expect(page.text.contains("Atelier") && page.text.contains("Mono"))
        #expect(page.text.contains("src=\"/assets/themes/mono/preview.svg\""))
        #expect(page.text.contains("<label for=\"setting-color_accent\">"))
        #expect(page.text.contains("<option value=\"carry\">Carry</option>"))

        // A bad colour and an unknown collection: 422, each problem next to its field, nothing saved.
        let bad = try client.post(admin + "/themes/settings", Self.fields(["color_accent": "tomato", "featured_collection": "nope"]))
        #expect(bad.status == .unprocessableContent)
        #expect(bad.text.contains("id=\"setting-color_accent-error\">Enter a colour"))
        #expect(bad.text.contains("aria-invalid=\"true\""))
        #expect(try db.queryFirst("SELECT count(*)::bigint AS n FROM theme_settings WHERE settings ? 'color_accent'")!
            .decode("n", as: Int64.self) == 0)

        let saved = try client.post(admin + "/themes/settings",
                                    Self.fields(["color_accent": "#AA3300", "font_heading": "serif", "featured_collection": "carry"]))
        #expect(saved.status == .seeOther)
        let handle = try stack.handler()
        let home = try StorefrontFixtures.page(handle, "/", host: stack.host(store)) { $0.contains("#aa3300") }
        #expect(home.contains("--color-accent: #aa3300;"))
        #expect(home.contains("--font-heading: ui-serif"))
        #expect(home.contains(">Carry</h2>"))
        #expect(try db.queryFirst("SELECT count(*)::bigint AS n FROM audit_log WHERE action = 'theme.settings.update'")!
            .decode("n", as: Int64.self) == 1)

        let switched = try client.post(admin + "/themes/activate", [("theme", "mono")])
        #expect(switched.status == .seeOther)
        let mono = try StorefrontFixtures.page(handle, "/", host: stack.host(store)) { $0.contains("/themes/mono/") }
        #expect(mono.contains("/assets/themes/mono/theme.css"))
        #expect(try client.post(admin + "/themes/activate", [("theme", "../etc")]).status == .unprocessableContent)
    }

    /// Every Atelier setting at its default, with `changes` applied.
    static func fields(_ changes: [String: String]) throws -> [(String, String)] {
        let theme = try Theme(name: "atelier", templateDirectory: TestPaths.templates)
        return theme.schema.settings.compactMap { s in
            if let v = changes[s.id] { return (s.id, v) }
            if s.type == "checkbox" { return s.defaultValue == .bool(true) ? (s.id, "1") : nil }
            return (s.id, s.defaultValue.textValue)
        }
    }
}
