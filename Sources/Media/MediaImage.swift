import CVips

/// One libvips image, owned by this object and released with it. The bytes it was made from
/// are kept in a buffer of its own for as long as the image lives, because libvips reads them
/// lazily. No libvips pointer leaves this type.
public final class MediaImage {
    private let image: UnsafeMutablePointer<VipsImage>
    private let source: UnsafeMutableRawBufferPointer

    private init(image: UnsafeMutablePointer<VipsImage>, source: UnsafeMutableRawBufferPointer) {
        self.image = image
        self.source = source
    }

    deinit {
        g_object_unref(UnsafeMutableRawPointer(image))
        source.deallocate()
    }

    /// Pixels across and down.
    public var width: Int { Int(vips_image_get_width(image)) }
    public var height: Int { Int(vips_image_get_height(image)) }

    /// Opens `bytes` (JPEG, PNG, WebP, GIF, ...) reading only the header; the pixels are
    /// decoded when something needs them.
    public static func open(_ bytes: [UInt8]) throws(MediaError) -> MediaImage {
        try Vips.start()
        let source = copy(bytes)
        guard let image = cvips_image_new_from_buffer(source.baseAddress, source.count) else {
            source.deallocate()
            throw MediaError(.unreadable, Vips.lastError())
        }
        return MediaImage(image: image, source: source)
    }

    /// A copy of `bytes` that fits in `width` × `height`, keeping its proportions and never
    /// enlarged; JPEG and WebP are shrunk while they load, so a large photo costs little memory.
    public static func thumbnail(_ bytes: [UInt8], width: Int, height: Int) throws(MediaError) -> MediaImage {
        try Vips.start()
        let source = copy(bytes)
        var out: UnsafeMutablePointer<VipsImage>?
        guard cvips_thumbnail_buffer(source.baseAddress, source.count, &out, Int32(width), Int32(height)) == 0,
              let out else {
            source.deallocate()
            throw MediaError(.unreadable, Vips.lastError())
        }
        // The loader reads its input once, in order; the small result is kept in memory so it
        // can be encoded in several formats.
        let memory = vips_image_copy_memory(out)
        g_object_unref(UnsafeMutableRawPointer(out))
        guard let memory else {
            source.deallocate()
            throw MediaError(.unreadable, Vips.lastError())
        }
        return MediaImage(image: memory, source: source)
    }

    /// Decodes every pixel: a damaged or truncated file fails here.
    public func decodeAll() throws(MediaError) {
        var average = 0.0
        guard cvips_decode_all(image, &average) == 0 else { throw MediaError(.unreadable, Vips.lastError()) }
    }

    /// The image encoded as `format`; `quality` (1–100) applies to JPEG and WebP.
    public func encoded(as format: MediaFormat, quality: Int = 82) throws(MediaError) -> [UInt8] {
        var buffer: UnsafeMutableRawPointer?
        var length = 0
        let q = Int32(max(1, min(100, quality)))
        let status: Int32
        switch format {
        case .jpeg: status = cvips_jpegsave_buffer(image, &buffer, &length, q)
        case .webp: status = cvips_webpsave_buffer(image, &buffer, &length, q)
        case .png: status = cvips_pngsave_buffer(image, &buffer, &length)
        case .gif: status = cvips_gifsave_buffer(image, &buffer, &length)
        }
        guard status == 0, let buffer else { throw MediaError(.encodingFailed, Vips.lastError()) }
        defer { g_free(buffer) }
        return Array(UnsafeRawBufferPointer(start: buffer, count: length))
    }

    private static func copy(_ bytes: [UInt8]) -> UnsafeMutableRawBufferPointer {
        let buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: max(bytes.count, 1), alignment: 16)
        bytes.withUnsafeBytes { buffer.copyMemory(from: $0) }
        return UnsafeMutableRawBufferPointer(rebasing: buffer[0..<bytes.count])
    }
}
