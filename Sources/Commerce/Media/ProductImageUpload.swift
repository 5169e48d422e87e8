import Media

/// The rules an uploaded product image must pass before it is stored: an accepted format by
/// content, a size limit, a pixel limit read from the header (before any decoding), and pixels
/// that decode.
public struct ProductImageUpload: Sendable {
    public let bytes: [UInt8]
    public let header: ImageHeader

    /// Largest file accepted (the request limit, 16 MB, caps one upload anyway).
    public static let maximumBytes = 15 * 1024 * 1024
    /// Longest side and total pixels accepted: a 40-megapixel camera's picture passes; a
    /// "decompression bomb" that declares 100,000 × 100,000 pixels does not.
    public static let maximumSide = 12_000
    public static let maximumPixels = 50_000_000

    public enum Problem: Error, Equatable {
        case empty
        case tooLarge
        case notAnImage
        case damaged
        case tooManyPixels(width: Int, height: Int)

        /// What the merchant reads next to the field.
        public var message: String {
            switch self {
            case .empty: "The file is empty."
            case .tooLarge: "The file is larger than 15 MB."
            case .notAnImage: "Upload a JPEG, PNG, WebP or GIF image."
            case .damaged: "The image is damaged or incomplete; export it again and retry."
            case .tooManyPixels(let w, let h):
                "The image is \(w) × \(h) pixels; at most \(ProductImageUpload.maximumSide) pixels a side and 50 megapixels."
            }
        }
    }

    /// Checks `bytes`; the file name and the browser's content type are not consulted.
    public static func check(_ bytes: [UInt8]) throws(Problem) -> ProductImageUpload {
        if bytes.isEmpty { throw .empty }
        if bytes.count > maximumBytes { throw .tooLarge }
        let header: ImageHeader
        do { header = try ImageHeader.read(bytes) } catch .notAnImage { throw .notAnImage } catch { throw .damaged }
        if header.width > maximumSide || header.height > maximumSide || header.width * header.height > maximumPixels {
            throw .tooManyPixels(width: header.width, height: header.height)
        }
        do {
            // libvips must agree with the header, and every pixel must decode.
            let image = try MediaImage.open(bytes)
            guard header.type == .gif || (image.width == header.width && image.height == header.height) else { throw Problem.damaged }
            try image.decodeAll()
        } catch {
            throw .damaged
        }
        return ProductImageUpload(bytes: bytes, header: header)
    }
}
