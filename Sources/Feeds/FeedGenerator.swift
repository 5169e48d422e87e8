import Foundation

/// What one generation produced.
public struct FeedSummary: Sendable, Hashable {
    public var channel: FeedChannel
    /// Items written (variants listed).
    public var itemCount = 0
    /// Distinct products with at least one item.
    public var productCount = 0
    /// Variant rows left out (no price, no image).
    public var skippedCount = 0
    public var warningCounts: [FeedWarning.Code: Int] = [:]
    public var byteCount = 0
    public var seconds = 0.0

    public var warningCount: Int { warningCounts.values.reduce(0, +) }
}

/// Reads a source, builds items for one channel and writes them as they come: memory stays
/// that of one row, one item and the output buffer.
public struct FeedGenerator {
    public let channel: FeedChannel
    public let store: FeedStore

    public init(channel: FeedChannel, store: FeedStore) {
        self.channel = channel
        self.store = store
    }

    /// Writes the whole feed to `out` (flushed at the end). Warnings go to `warn` as they are
    /// found, at most one per product and code.
    public func generate(from source: some FeedSource, to out: FeedOutput,
                         warn: (FeedWarning) throws -> Void = { _ in }) throws -> FeedSummary {
        let started = Date()
        let writer = channel.writer
        var builder = FeedItemBuilder(channel: channel, store: store)
        var summary = FeedSummary(channel: channel)
        var lastListedProduct: Int64? = nil
        var warnings: [FeedWarning] = []
        try writer.begin(store, to: out)
        try source.forEachVariant { record in
            let item = builder.item(for: record) { warnings.append($0) }
            for w in warnings {
                summary.warningCounts[w.code, default: 0] += 1
                try warn(w)
            }
            warnings.removeAll(keepingCapacity: true)
            guard let item else {
                summary.skippedCount += 1
                return
            }
            try writer.write(item, to: out)
            summary.itemCount += 1
            if lastListedProduct != record.productId {
                lastListedProduct = record.productId
                summary.productCount += 1
            }
        }
        try writer.end(to: out)
        try out.flush()
        summary.byteCount = out.byteCount
        summary.seconds = Date().timeIntervalSince(started)
        return summary
    }
}

/// Writing a feed file so that readers only ever see a whole file: the feed goes to a temporary
/// file in the same folder, is synced, then renamed over the old one. If anything fails the
/// temporary file is removed and the previous feed stays as it was.
public enum FeedFile {
    public static func writeAtomically<T>(to path: String, _ body: (FeedOutput) throws -> T) throws -> T {
        let directory = (path as NSString).deletingLastPathComponent
        let folder = directory.isEmpty ? "." : directory
        let temporary = folder + "/." + (path as NSString).lastPathComponent + ".tmp-\(getpid())"
        let fd = open(temporary, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o644)
        guard fd >= 0 else { throw FeedError.file("cannot create \(temporary): \(String(cString: strerror(errno)))") }
        var closed = false
        var renamed = false
        defer {
            if !closed { close(fd) }
            if !renamed { unlink(temporary) }
        }
        let out = FeedOutput { chunk in
            try chunk.withUnsafeBytes { raw in
                var offset = 0
                while offset < raw.count {
                    let n = Foundation.write(fd, raw.baseAddress! + offset, raw.count - offset)
                    if n < 0 {
                        if errno == EINTR { continue }
                        throw FeedError.file("cannot write \(temporary): \(String(cString: strerror(errno)))")
                    }
                    offset += n
                }
            }
        }
        let result = try body(out)
        try out.flush()
        guard fsync(fd) == 0 else { throw FeedError.file("cannot sync \(temporary): \(String(cString: strerror(errno)))") }
        closed = true
        guard close(fd) == 0 else { throw FeedError.file("cannot close \(temporary): \(String(cString: strerror(errno)))") }
        guard rename(temporary, path) == 0 else {
            throw FeedError.file("cannot rename \(temporary) to \(path): \(String(cString: strerror(errno)))")
        }
        renamed = true
        // The rename itself survives a crash once the folder is synced.
        let dirFD = open(folder, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        if dirFD >= 0 {
            _ = fsync(dirFD)
            close(dirFD)
        }
        return result
    }
}

/// The Feeds module's own errors (database errors arrive as `PostgresError`).
public enum FeedError: Error, CustomStringConvertible, Sendable {
    /// Writing the feed file failed (path and reason).
    case file(String)
    /// The channel name is not one we know.
    case unknownChannel(String)

    public var description: String {
        switch self {
        case .file(let message): return "feed file: \(message)"
        case .unknownChannel(let name): return "unknown channel \(name) (google, meta or tiktok)"
        }
    }
}
