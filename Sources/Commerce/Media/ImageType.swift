/// The image formats a store may upload, told apart by their first bytes — never by the file's
/// name or the browser's content type. SVG is not among them: it can carry script.
public enum ImageType: String, Sendable, CaseIterable {
    case jpeg, png, webp, gif

    public var contentType: String { "image/" + rawValue }
    public var fileExtension: String { self == .jpeg ? "jpg" : rawValue }

    /// The format by signature, or nil.
    public static func sniff(_ b: [UInt8]) -> ImageType? {
        if b.count >= 8, b[0..<8].elementsEqual([0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A]) { return .png }
        if b.count >= 3, b[0] == 0xFF, b[1] == 0xD8, b[2] == 0xFF { return .jpeg }
        if b.count >= 12, b[0..<4].elementsEqual(Array("RIFF".utf8)), b[8..<12].elementsEqual(Array("WEBP".utf8)) { return .webp }
        if b.count >= 6, b[0..<6].elementsEqual(Array("GIF87a".utf8)) || b[0..<6].elementsEqual(Array("GIF89a".utf8)) { return .gif }
        return nil
    }
}

/// What an image file's header says, read without decoding a pixel: enough to refuse a
/// decompression bomb (a small file that claims a huge picture) before libvips sees it.
public struct ImageHeader: Sendable, Equatable {
    public let type: ImageType
    public let width: Int
    public let height: Int

    public enum Problem: Error, Equatable {
        /// Not one of the accepted formats.
        case notAnImage
        /// The right signature, but the file stops early or its header makes no sense.
        case damaged
    }

    /// Reads the format and dimensions, and checks the file is whole (it reaches the format's
    /// end marker), so a truncated upload is refused at once.
    public static func read(_ b: [UInt8]) throws(Problem) -> ImageHeader {
        guard let type = ImageType.sniff(b) else { throw .notAnImage }
        let size: (Int, Int)?
        switch type {
        case .png: size = png(b)
        case .jpeg: size = jpeg(b)
        case .gif: size = gif(b)
        case .webp: size = webp(b)
        }
        guard let (width, height) = size, width > 0, height > 0 else { throw .damaged }
        return ImageHeader(type: type, width: width, height: height)
    }

    private static func be16(_ b: [UInt8], _ i: Int) -> Int { Int(b[i]) << 8 | Int(b[i + 1]) }
    private static func be32(_ b: [UInt8], _ i: Int) -> Int { be16(b, i) << 16 | be16(b, i + 2) }
    private static func le16(_ b: [UInt8], _ i: Int) -> Int { Int(b[i]) | Int(b[i + 1]) << 8 }
    private static func le24(_ b: [UInt8], _ i: Int) -> Int { le16(b, i) | Int(b[i + 2]) << 16 }

    /// The bytes without trailing padding (some writers pad files with zeros).
    private static func unpaddedEnd(_ b: [UInt8]) -> Int {
        var end = b.count
        while end > 0, b.count - end < 1024, b[end - 1] == 0 { end -= 1 }
        return end
    }

    /// IHDR first; the last chunk is IEND.
    private static func png(_ b: [UInt8]) -> (Int, Int)? {
        guard b.count >= 33 + 12, b[12..<16].elementsEqual(Array("IHDR".utf8)) else { return nil }
        guard b[(b.count - 8)..<(b.count - 4)].elementsEqual(Array("IEND".utf8)) else { return nil }
        return (be32(b, 16), be32(b, 20))
    }

    /// Walks the marker segments to the first start-of-frame; the file ends with EOI (FFD9).
    private static func jpeg(_ b: [UInt8]) -> (Int, Int)? {
        let end = unpaddedEnd(b)
        guard end >= 4, b[end - 2] == 0xFF, b[end - 1] == 0xD9 else { return nil }
        var i = 2
        while i + 9 < end {
            guard b[i] == 0xFF else { return nil }
            let marker = b[i + 1]
            if marker == 0xFF { i += 1; continue }
            if marker == 0x01 || (0xD0...0xD7).contains(marker) { i += 2; continue }
            let length = be16(b, i + 2)
            guard length >= 2 else { return nil }
            let isFrame = (0xC0...0xCF).contains(marker) && marker != 0xC4 && marker != 0xC8 && marker != 0xCC
            if isFrame { return (be16(b, i + 7), be16(b, i + 5)) }
            if marker == 0xDA || marker == 0xD9 { return nil }
            i += 2 + length
        }
        return nil
    }

    /// Logical screen size; the file ends with the trailer byte 0x3B.
    private static func gif(_ b: [UInt8]) -> (Int, Int)? {
        let end = unpaddedEnd(b)
        guard b.count >= 13, end > 13, b[end - 1] == 0x3B else { return nil }
        return (le16(b, 6), le16(b, 8))
    }

    /// The RIFF length must fit in the file; size from the VP8, VP8L or VP8X chunk.
    private static func webp(_ b: [UInt8]) -> (Int, Int)? {
        guard b.count >= 30 else { return nil }
        let riff = Int(b[4]) | Int(b[5]) << 8 | Int(b[6]) << 16 | Int(b[7]) << 24
        guard riff + 8 <= b.count else { return nil }
        switch String(decoding: b[12..<16], as: UTF8.self) {
        case "VP8 ":
            guard b[23] == 0x9D, b[24] == 0x01, b[25] == 0x2A else { return nil }
            return (le16(b, 26) & 0x3FFF, le16(b, 28) & 0x3FFF)
        case "VP8L":
            guard b[20] == 0x2F else { return nil }
            let width = 1 + (Int(b[21]) | (Int(b[22]) & 0x3F) << 8)
            let height = 1 + (Int(b[22]) >> 6 | Int(b[23]) << 2 | (Int(b[24]) & 0x0F) << 10)
            return (width, height)
        case "VP8X":
            return (1 + le24(b, 24), 1 + le24(b, 27))
        default:
            return nil
        }
    }
}
