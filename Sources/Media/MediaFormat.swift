/// The formats Storefleet writes copies in.
public enum MediaFormat: String, Sendable, CaseIterable {
    case jpeg, png, webp, gif

    /// The file extension a copy is stored under.
    public var fileExtension: String {
        switch self {
        case .jpeg: "jpg"
        case .png: "png"
        case .webp: "webp"
        case .gif: "gif"
        }
    }
}
