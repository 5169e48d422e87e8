import Foundation

/// Where a keyset-paginated product list continues: the sort, and the sort key and id of the last
/// product shown. `token` is URL-safe and opaque to shoppers; `init?(token:)` refuses anything
/// malformed, so a tampered `?after=` can be answered with a 400 or the first page.
public struct CatalogCursor: Sendable, Hashable {
    public let sort: ProductSort
    public let id: Int64
    let key: Key

    /// The last row's value of the column the list is sorted on.
    enum Key: Sendable, Hashable {
        /// `created_at` in whole microseconds since 1970 (PostgreSQL's precision).
        case time(micros: Int64)
        case text(String)
        case integer(Int64)
    }

    init(sort: ProductSort, id: Int64, key: Key) {
        self.sort = sort
        self.id = id
        self.key = key
    }

    /// The cursor after `product` in a list sorted by `sort`; `position` is its place in the
    /// collection, for `.manual`.
    init(after product: ProductSummary, sort: ProductSort, position: Int64?) {
        let key: Key
        switch sort {
        case .newest, .oldest:
            key = .time(micros: Int64((product.createdAt.timeIntervalSince1970 * 1_000_000).rounded()))
        case .title, .titleDescending:
            key = .text(product.title)
        case .priceAscending, .priceDescending:
            key = .integer(product.minPriceMinor ?? 0)
        case .manual:
            key = .integer(position ?? 0)
        }
        self.init(sort: sort, id: product.id, key: key)
    }

    var date: Date {
        guard case .time(let micros) = key else { return Date(timeIntervalSince1970: 0) }
        return Date(timeIntervalSince1970: Double(micros) / 1_000_000)
    }

    var text: String {
        guard case .text(let text) = key else { return "" }
        return text
    }

    var integer: Int64 {
        guard case .integer(let value) = key else { return 0 }
        return value
    }

    /// `<sort code>.<id>.<key>`: the key is decimal, or base64url for titles.
    public var token: String {
        let payload: String
        switch key {
        case .time(let micros): payload = String(micros)
        case .integer(let value): payload = String(value)
        case .text(let text): payload = Base64URL.encode(Array(text.utf8))
        }
        return "\(CatalogCursor.code(sort)).\(id).\(payload)"
    }

    public init?(token: String) {
        let parts = token.split(separator: ".", maxSplits: 2, omittingEmptySubsequences: false)
        guard parts.count == 3, let sort = CatalogCursor.sort(code: parts[0]),
              let id = Int64(parts[1]), id > 0 else { return nil }
        let key: Key
        switch sort {
        case .newest, .oldest:
            guard let micros = Int64(parts[2]) else { return nil }
            key = .time(micros: micros)
        case .title, .titleDescending:
            guard let bytes = Base64URL.decode(String(parts[2])),
                  let text = String(validating: bytes, as: UTF8.self) else { return nil }
            key = .text(text)
        case .priceAscending, .priceDescending, .manual:
            guard let value = Int64(parts[2]), value >= 0 else { return nil }
            key = .integer(value)
        }
        self.init(sort: sort, id: id, key: key)
    }

    private static let codes: [(ProductSort, Substring)] = [
        (.newest, "n"), (.oldest, "o"), (.title, "t"), (.titleDescending, "T"),
        (.priceAscending, "p"), (.priceDescending, "P"), (.manual, "m"),
    ]

    private static func code(_ sort: ProductSort) -> Substring {
        codes.first { $0.0 == sort }!.1
    }

    private static func sort(code: Substring) -> ProductSort? {
        codes.first { $0.1 == code }?.0
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
