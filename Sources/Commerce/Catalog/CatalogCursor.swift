import Foundation

/// Where a keyset-paginated product list continues: the sort key and id of the last product
/// shown. `token` is URL-safe and opaque to shoppers; `init?(token:)` refuses anything malformed,
/// so a tampered `?after=` gives the first page's caller a nil to turn into a 400 or a restart.
public struct CatalogCursor: Sendable, Hashable {
    public let sort: ProductSort
    public let id: Int64
    /// `created_at` in whole microseconds since 1970 (PostgreSQL's precision), for `.newest`.
    let createdMicros: Int64
    /// The title, for `.title`.
    let title: String
    /// The lowest variant price, for the price sorts.
    let priceMinor: Int64

    init(after product: ProductSummary, sort: ProductSort) {
        self.sort = sort
        self.id = product.id
        self.createdMicros = Int64((product.createdAt.timeIntervalSince1970 * 1_000_000).rounded())
        self.title = sort == .title ? product.title : ""
        self.priceMinor = product.minPriceMinor ?? 0
    }

    var createdAt: Date { Date(timeIntervalSince1970: Double(createdMicros) / 1_000_000) }

    /// `n.<micros>.<id>`, `t.<id>.<base64url title>`, `p.<price>.<id>` or `P.<price>.<id>`.
    public var token: String {
        switch sort {
        case .newest: return "n.\(createdMicros).\(id)"
        case .title: return "t.\(id)." + Base64URL.encode(Array(title.utf8))
        case .priceAscending: return "p.\(priceMinor).\(id)"
        case .priceDescending: return "P.\(priceMinor).\(id)"
        }
    }

    public init?(token: String) {
        let parts = token.split(separator: ".", maxSplits: 2, omittingEmptySubsequences: false)
        guard parts.count == 3 else { return nil }
        switch parts[0] {
        case "n":
            guard let micros = Int64(parts[1]), let id = Int64(parts[2]), id > 0 else { return nil }
            self.sort = .newest
            self.id = id
            self.createdMicros = micros
            self.title = ""
            self.priceMinor = 0
        case "t":
            guard let id = Int64(parts[1]), id > 0, let bytes = Base64URL.decode(String(parts[2])),
                  let title = String(validating: bytes, as: UTF8.self) else { return nil }
            self.sort = .title
            self.id = id
            self.createdMicros = 0
            self.title = title
            self.priceMinor = 0
        case "p", "P":
            guard let price = Int64(parts[1]), price >= 0, let id = Int64(parts[2]), id > 0 else { return nil }
            self.sort = parts[0] == "p" ? .priceAscending : .priceDescending
            self.id = id
            self.createdMicros = 0
            self.title = ""
            self.priceMinor = price
        default:
            return nil
        }
    }
}

/// base64url without padding (RFC 4648 §5).
enum Base64URL {
    static func encode(_ bytes: [UInt8]) -> String {
        var s = Data(bytes).base64EncodedString()
        s = s.replacingOccurrences(of: "+", with: "-").replacingOccurrences(of: "/", with: "_")
        while s.hasSuffix("=") { s.removeLast() }
        return s
    }

    static func decode(_ text: String) -> [UInt8]? {
        let alphabet = Set("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_")
        guard text.allSatisfy({ alphabet.contains($0) }) else { return nil }
        var s = text.replacingOccurrences(of: "-", with: "+").replacingOccurrences(of: "_", with: "/")
        while s.count % 4 != 0 { s += "=" }
        return Data(base64Encoded: s).map { Array($0) }
    }
}
