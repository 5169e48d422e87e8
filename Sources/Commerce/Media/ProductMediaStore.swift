import Foundation

/// A store's media folder on disk: `<STOREFLEET_DATA_DIR>/media/sf_store_<id>/`, which nginx
/// serves at `/media/sf_store_<id>/` (nginx/snippets/static.conf). Product images live in its
/// `products/` folder as `<key>.<ext>`, their resized copies beside them as
/// `<key>_<width>x.<ext>` and `<key>_<width>x.webp` — the names the Liquid `img_url` filter
/// produces for a size like `'600x'`.
public struct ProductMediaStore: Sendable {
    /// The store's media folder.
    public let directory: String

    public init(dataDirectory: String, storeId: Int64) {
        directory = dataDirectory + "/media/sf_store_\(storeId)"
    }

    /// The URL path prefix nginx serves the folder at.
    public static func urlPrefix(storeId: Int64) -> String { "/media/sf_store_\(storeId)/" }

    /// A new storage key (`products/<32 hex>.<ext>`) for an upload.
    public static func newKey(fileExtension: String) -> String {
        var random = SystemRandomNumberGenerator()
        let hex = (0..<16).map { _ in String(UInt8.random(in: 0...255, using: &random), radix: 16) }
            .map { $0.count == 1 ? "0" + $0 : $0 }.joined()
        return "products/\(hex).\(fileExtension)"
    }

    /// The key of a resized copy: `products/abc.jpg` at 600 as webp → `products/abc_600x.webp`.
    public static func sizedKey(_ key: String, width: Int, fileExtension: String) -> String {
        let stem = key.lastIndex(of: ".").map { String(key[..<$0]) } ?? key
        return "\(stem)_\(width)x.\(fileExtension)"
    }

    /// The file of a key, or nil for a key that could leave the folder.
    public func path(_ key: String) -> String? {
        guard !key.isEmpty, !key.hasPrefix("/"), !key.split(separator: "/").contains(where: { $0 == ".." || $0.hasPrefix(".") }) else {
            return nil
        }
        return directory + "/" + key
    }

    /// Writes `bytes` at `key`: to a temporary name first, then renamed, so nginx never serves
    /// half a file.
    public func write(_ bytes: [UInt8], key: String) throws {
        guard let target = path(key) else { throw CommerceError.mediaUnavailable("bad key \(key)") }
        let folder = (target as NSString).deletingLastPathComponent
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        let temporary = folder + "/.upload-\(UInt64.random(in: 0...UInt64.max)).tmp"
        guard FileManager.default.createFile(atPath: temporary, contents: Data(bytes)) else {
            throw CommerceError.mediaUnavailable(folder)
        }
        guard rename(temporary, target) == 0 else {
            unlink(temporary)
            throw CommerceError.mediaUnavailable(folder)
        }
    }

    public func read(_ key: String) -> [UInt8]? {
        guard let target = path(key), let data = FileManager.default.contents(atPath: target) else { return nil }
        return [UInt8](data)
    }

    public func exists(_ key: String) -> Bool {
        guard let target = path(key) else { return false }
        return FileManager.default.fileExists(atPath: target)
    }

    /// Deletes files (best effort: a leftover file is harmless).
    public func remove(_ keys: [String]) {
        for key in keys { if let target = path(key) { unlink(target) } }
    }
}
