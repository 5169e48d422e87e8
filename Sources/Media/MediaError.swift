/// A libvips call that failed. `detail` is libvips's own text, for logs only: a page says that
/// the image could not be read, nothing more.
public struct MediaError: Error, CustomStringConvertible, Sendable {
    public enum Code: Sendable, Equatable {
        /// libvips could not start.
        case unavailable
        /// The bytes are not an image libvips can read, or are damaged.
        case unreadable
        /// Encoding a copy failed.
        case encodingFailed
    }

    public let code: Code
    public let detail: String

    init(_ code: Code, _ detail: String) {
        self.code = code
        self.detail = detail
    }

    public var description: String { "libvips: \(code): \(detail)" }
}
