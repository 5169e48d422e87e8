import Foundation
import Liquid

/// The themes a new store may start with: every folder of `templates/themes/` that has a
/// `config/settings_schema.json`, described by its `theme_info` entry. A theme may ship a
/// preview picture as `assets/preview.{png,jpg,webp,svg}`; without one the wizard draws a small
/// mock-up in the theme's default colours.
struct StarterTheme: Sendable {
    let id: String
    let name: String
    let description: String
    let author: String?
    /// The preview picture's file, if the theme has one.
    let previewFile: String?
    let background: String
    let text: String
    let accent: String

    var liquidValue: Value {
        var d: [String: Value] = [
            "id": .string(id), "name": .string(name), "description": .string(description),
            "background": .string(background), "text": .string(text), "accent": .string(accent),
        ]
        if let author { d["author"] = .string(author) }
        if previewFile != nil { d["preview_url"] = .string("/stores/new/themes/\(id)/preview") }
        return .dictionary(d)
    }

    /// A theme folder name: what `theme_settings.theme` accepts.
    static func isValidID(_ id: String) -> Bool {
        guard let first = id.unicodeScalars.first, id.utf8.count <= 64 else { return false }
        let lowerOrDigit: (Unicode.Scalar) -> Bool = { ("a"..."z").contains($0) || ("0"..."9").contains($0) }
        return lowerOrDigit(first) && id.unicodeScalars.allSatisfy { lowerOrDigit($0) || $0 == "-" || $0 == "_" }
    }

    /// Every theme under `themesDirectory`, by name.
    static func all(in themesDirectory: String) -> [StarterTheme] {
        let fm = FileManager.default
        guard let names = try? fm.contentsOfDirectory(atPath: themesDirectory) else { return [] }
        return names.sorted().compactMap { load(id: $0, directory: themesDirectory + "/" + $0) }
            .sorted { $0.name.localizedCaseInsensitiveCompare($1.name) == .orderedAscending }
    }

    static func load(id: String, directory: String) -> StarterTheme? {
        guard isValidID(id),
              let data = FileManager.default.contents(atPath: directory + "/config/settings_schema.json"),
              let sections = try? JSONSerialization.jsonObject(with: data) as? [[String: Any]] else { return nil }
        let info = sections.first { $0["name"] as? String == "theme_info" } ?? [:]
        var defaults: [String: String] = [:]
        for section in sections {
            for setting in section["settings"] as? [[String: Any]] ?? [] {
                if let key = setting["id"] as? String, let value = setting["default"] as? String { defaults[key] = value }
            }
        }
        let name = (info["theme_name"] as? String).flatMap { $0.isEmpty ? nil : $0 } ?? id.capitalized
        let description = (info["theme_description"] as? String)
            ?? "A clean, responsive storefront that puts your products first."
        let preview = ["png", "jpg", "webp", "svg"].map { directory + "/assets/preview." + $0 }
            .first { FileManager.default.fileExists(atPath: $0) }
        return StarterTheme(
            id: id, name: name, description: description, author: info["theme_author"] as? String,
            previewFile: preview,
            background: color(defaults["color_background"], or: "#ffffff"),
            text: color(defaults["color_text"], or: "#1c1b1a"),
            accent: color(defaults["color_accent"], or: "#2f4b3a"))
    }

    /// Only `#rgb`/`#rrggbb` reaches a `style` attribute.
    static func color(_ value: String?, or fallback: String) -> String {
        guard let v = value, v.hasPrefix("#"), [4, 7].contains(v.count),
              v.dropFirst().allSatisfy(\.isHexDigit) else { return fallback }
        return v
    }

    var previewContentType: String {
        switch previewFile.map({ ($0 as NSString).pathExtension }) {
        case "png": return "image/png"
        case "jpg": return "image/jpeg"
        case "webp": return "image/webp"
        default: return "image/svg+xml"
        }
    }
}
