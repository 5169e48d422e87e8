import Foundation
import Media
import Postgres

/// The `media.resize` job: every resized copy the themes ask for of one product image, in
/// WebP and in the original's format, written beside the original so nginx serves them as
/// files, and recorded in `product_image_sizes`. Running it again rewrites the same files.
public struct ProductImageResizeJob: Sendable {
    /// Widths always made (the sizes themes commonly ask `img_url` for).
    public static let standardWidths = [100, 200, 400, 600, 800, 1200, 1600]

    public let media: ProductMediaStore
    public let widths: [Int]

    public init(media: ProductMediaStore, widths: [Int] = standardWidths) {
        self.media = media
        self.widths = Array(Set(widths.filter { $0 > 0 && $0 <= 4096 })).sorted()
    }

    /// What one run did.
    public struct Outcome: Sendable, Equatable {
        public var copies = 0
        /// The image was deleted before the job ran: nothing to do.
        public var imageGone = false
    }

    /// Makes the copies of `imageId`. A missing original is an error (retried, then dead in the
    /// admin's job list), a deleted image is not.
    @discardableResult
    public func run(imageId: Int64, on db: Connection) throws -> Outcome {
        guard let row = try db.queryFirst("""
            SELECT storage_key, content_type FROM product_images WHERE id = \(imageId)
            """) else { return Outcome(imageGone: true) }
        let key: String = try row.decode("storage_key")
        if key.hasPrefix("/") { return Outcome() }   // a bundled sample image under /assets/
        guard let original = media.read(key) else {
            throw CommerceError.mediaUnavailable("original of image \(imageId) is missing")
        }
        let type = ImageType.sniff(original) ?? .jpeg
        let own: MediaFormat = switch type {
        case .jpeg: .jpeg
        case .png: .png
        case .webp: .webp
        case .gif: .gif
        }
        let formats: [MediaFormat] = own == .webp ? [.webp] : [own, .webp]
        let copies = try ImageResizer.copies(of: original, widths: widths, formats: formats)
        var written: [(ImageResizer.Copy, String)] = []
        for copy in copies {
            let sizedKey = ProductMediaStore.sizedKey(key, width: copy.boundWidth, fileExtension: copy.format.fileExtension)
            try media.write(copy.bytes, key: sizedKey)
            written.append((copy, sizedKey))
        }
        try db.transaction { db in
            // The image may have gone while the copies were made: then they go too.
            guard try db.queryFirst("SELECT 1 FROM product_images WHERE id = \(imageId) FOR SHARE") != nil else {
                media.remove(written.map(\.1))
                return
            }
            for (copy, sizedKey) in written {
                try db.execute("""
                    INSERT INTO product_image_sizes (image_id, width, height, format, storage_key, byte_size)
                    VALUES (\(imageId), \(copy.boundWidth), \(copy.height), \(copy.format.rawValue), \(sizedKey), \(copy.bytes.count))
                    ON CONFLICT (image_id, width, format) DO UPDATE
                    SET height = excluded.height, storage_key = excluded.storage_key, byte_size = excluded.byte_size,
                        created_at = now()
                    """)
            }
        }
        return Outcome(copies: written.count)
    }

    /// The widths the themes in `themesDirectory` ask `img_url` for (`'600x'`, `'400x400'`),
    /// with the standard ones: read once when the job runner starts.
    public static func widths(themesDirectory: String) -> [Int] {
        var found = Set(standardWidths)
        let files = FileManager.default.enumerator(atPath: themesDirectory)
        while let name = files?.nextObject() as? String {
            guard name.hasSuffix(".liquid"),
                  let text = try? String(contentsOfFile: themesDirectory + "/" + name, encoding: .utf8) else { continue }
            found.formUnion(imgURLWidths(in: text))
        }
        return found.sorted()
    }

    /// Widths in `img_url: '<W>x'` and `img_url: '<W>x<H>'` of one template.
    static func imgURLWidths(in text: String) -> [Int] {
        var widths: [Int] = []
        var rest = Substring(text)
        while let range = rest.range(of: "img_url") {
            rest = rest[range.upperBound...]
            var s = rest.drop(while: { $0 == " " || $0 == ":" })
            guard let quote = s.first, quote == "'" || quote == "\"" else { continue }
            s = s.dropFirst()
            let digits = s.prefix(while: \.isNumber)
            if let w = Int(digits), s.dropFirst(digits.count).first == "x" { widths.append(w) }
        }
        return widths
    }
}
