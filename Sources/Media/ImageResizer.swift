/// Resized copies of one image, in memory: the pure half of the `media.resize` job.
public enum ImageResizer {
    /// One copy: its size as made and its encoded bytes.
    public struct Copy: Sendable {
        public let boundWidth: Int
        public let format: MediaFormat
        public let width: Int
        public let height: Int
        public let bytes: [UInt8]
    }

    /// For each width in `widths`, the image shrunk to at most that width (height follows the
    /// proportions; an image already narrower keeps its size), in each of `formats`.
    public static func copies(of original: [UInt8], widths: [Int], formats: [MediaFormat],
                              quality: Int = 82) throws(MediaError) -> [Copy] {
        var copies: [Copy] = []
        for width in widths {
            // A tall bound so only the width decides (libvips needs both).
            let image = try MediaImage.thumbnail(original, width: width, height: 100_000)
            for format in formats {
                copies.append(Copy(boundWidth: width, format: format, width: image.width, height: image.height,
                                   bytes: try image.encoded(as: format, quality: quality)))
            }
        }
        return copies
    }
}
