import Foundation
import Liquid

/// A theme's `config/settings_schema.json`: `theme_info` (name, description, preview image for
/// the wizard) and groups of settings, each `{type, id, label, default, options?, min?, max?}`.
///
/// Stored values are merchant input and end up inside a `<style>` block and in attributes, so
/// `resolve` keeps a stored value only when it fits its setting's type (a colour is `#` and hex
/// digits, a select one of its options, ...) and falls back to the default otherwise.
struct ThemeSettingsSchema {
    struct Setting {
        let id: String
        let type: String
        let label: String
        let defaultValue: Value
        /// `select`: the allowed values and their labels.
        let options: [(value: String, label: String)]
        let min: Int?
        let max: Int?
        let info: String?
    }

    struct Group {
        let name: String
        let settings: [Setting]
    }

    let groups: [Group]
    let info: ThemeInfo?

    init(_ schema: Value?) {
        var groups: [Group] = []
        var info: ThemeInfo?
        if case .array(let entries)? = schema {
            for case .dictionary(let group) in entries {
                let name = group["name"]?.textValue ?? ""
                if name == "theme_info" {
                    info = ThemeInfo(group)
                    continue
                }
                guard case .array(let settings)? = group["settings"] else { continue }
                var parsed: [Setting] = []
                for case .dictionary(let s) in settings {
                    guard case .string(let id)? = s["id"] else { continue }
                    var options: [(String, String)] = []
                    if case .array(let list)? = s["options"] {
                        for case .dictionary(let o) in list {
                            let value = o["value"]?.textValue ?? ""
                            options.append((value, o["label"]?.textValue ?? value))
                        }
                    }
                    parsed.append(Setting(
                        id: id, type: s["type"]?.textValue ?? "text", label: s["label"]?.textValue ?? id,
                        defaultValue: s["default"] ?? .nil, options: options,
                        min: s["min"].flatMap(ThemeSettingsSchema.integer), max: s["max"].flatMap(ThemeSettingsSchema.integer),
                        info: s["info"]?.textValue))
                }
                groups.append(Group(name: name, settings: parsed))
            }
        }
        self.groups = groups
        self.info = info
    }

    var settings: [Setting] { groups.flatMap(\.settings) }

    var defaults: [String: Value] {
        var d: [String: Value] = [:]
        for s in settings { d[s.id] = s.defaultValue }
        return d
    }

    /// The defaults overlaid with the stored values that are valid for their setting.
    func resolve(stored: Value) -> [String: Value] {
        var resolved: [String: Value] = [:]
        for s in settings {
            if let value = stored.member(s.id), let valid = s.validated(value) {
                resolved[s.id] = valid
            } else {
                resolved[s.id] = s.defaultValue
            }
        }
        return resolved
    }

    static func integer(_ v: Value) -> Int? {
        switch v {
        case .int(let i): return i
        case .double(let d): return d.isFinite ? Int(d) : nil
        case .string(let s), .safe(let s): return Int(s.trimmingCharacters(in: .whitespaces))
        default: return nil
        }
    }
}

extension ThemeSettingsSchema.Setting {
    /// The value if it fits this setting's type (normalised), else nil.
    func validated(_ value: Value) -> Value? {
        let text: String
        switch value {
        case .string(let s), .safe(let s): text = s
        case .bool(let b): return type == "checkbox" ? .bool(b) : nil
        case .int, .double:
            guard type == "range" || type == "number", let n = ThemeSettingsSchema.integer(value) else { return nil }
            return inRange(n)
        default: return nil
        }
        switch type {
        case "color":
            return ThemeSettingsSchema.isHexColor(text) ? .string(text.lowercased()) : nil
        case "select", "radio", "font_picker":
            return options.contains(where: { $0.value == text }) ? .string(text) : nil
        case "checkbox":
            switch text { case "true", "1", "on": return .bool(true); case "false", "0", "": return .bool(false); default: return nil }
        case "range", "number":
            return Int(text).flatMap(inRange)
        case "collection":
            return text.isEmpty || ThemeSettingsSchema.isHandle(text) ? .string(text) : nil
        case "image_picker":
            return text.isEmpty || ThemeSettingsSchema.isMediaPath(text) ? .string(text) : nil
        case "textarea", "richtext":
            return text.count <= 2000 ? .string(text) : nil
        default:
            return text.count <= 500 ? .string(text) : nil
        }
    }

    private func inRange(_ n: Int) -> Value? {
        if let min, n < min { return nil }
        if let max, n > max { return nil }
        return .int(n)
    }
}

extension ThemeSettingsSchema {
    /// `#rgb`, `#rrggbb` or `#rrggbbaa`.
    static func isHexColor(_ s: String) -> Bool {
        let u = Array(s.utf8)
        guard [4, 7, 9].contains(u.count), u[0] == UInt8(ascii: "#") else { return false }
        return u.dropFirst().allSatisfy { ($0 >= 48 && $0 <= 57) || ($0 >= 97 && $0 <= 102) || ($0 >= 65 && $0 <= 70) }
    }

    /// A collection or page handle: lower-case letters, digits, `-` and `_`.
    static func isHandle(_ s: String) -> Bool {
        !s.isEmpty && s.utf8.count <= 255 && s.unicodeScalars.allSatisfy {
            ($0.properties.isAlphabetic && $0.properties.isLowercase) || ("0"..."9").contains($0) || $0 == "-" || $0 == "_"
        }
    }

    /// A file under the store's media folder: `logo.png`, `theme/logo-2.webp`; never `..`.
    static func isMediaPath(_ s: String) -> Bool {
        guard let first = s.utf8.first, s.utf8.count <= 200, !s.contains(".."), first != UInt8(ascii: "/") else { return false }
        return s.utf8.allSatisfy {
            ($0 >= 97 && $0 <= 122) || ($0 >= 48 && $0 <= 57) || $0 == UInt8(ascii: "-") || $0 == UInt8(ascii: "_")
                || $0 == UInt8(ascii: ".") || $0 == UInt8(ascii: "/")
        }
    }
}

/// What the wizard and the admin's theme page show about a theme (`theme_info` in its schema).
struct ThemeInfo: Sendable, Hashable {
    let name: String
    let description: String
    let version: String
    let author: String
    /// A file of the theme's `assets/` folder (`preview.svg`), served by nginx.
    let preview: String?

    init(_ group: [String: Value]) {
        name = group["theme_name"]?.textValue ?? ""
        description = group["theme_description"]?.textValue ?? ""
        version = group["theme_version"]?.textValue ?? ""
        author = group["theme_author"]?.textValue ?? ""
        let preview = group["theme_preview"]?.textValue ?? ""
        self.preview = preview.isEmpty ? nil : preview
    }
}

/// The themes in `templates/themes/`, for the wizard's theme step and the admin's theme page.
struct ThemeListing: Sendable, Hashable {
    /// The folder name, stored in `theme_settings.theme`.
    let id: String
    let info: ThemeInfo
    /// `/assets/themes/<id>/<preview>`, nil when the theme has no preview image.
    var previewURL: String? { info.preview.map { "/assets/themes/" + id + "/" + $0 } }

    /// Every theme folder with a readable `config/settings_schema.json` carrying `theme_info`,
    /// by name.
    static func all(templateDirectory: String) -> [ThemeListing] {
        let root = templateDirectory + "/themes"
        guard let folders = try? FileManager.default.contentsOfDirectory(atPath: root) else { return [] }
        var out: [ThemeListing] = []
        for id in folders where Theme.isValidName(id) {
            guard let schema = try? Theme.readJSON(root + "/" + id + "/config/settings_schema.json"),
                  let info = ThemeSettingsSchema(schema).info else { continue }
            out.append(ThemeListing(id: id, info: info))
        }
        return out.sorted { $0.info.name < $1.info.name }
    }
}
