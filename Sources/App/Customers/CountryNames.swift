import Foundation
import Liquid

/// Country names for the address book (English, from Foundation's region list).
enum CountryNames {
    /// Every ISO 3166-1 alpha-2 region Foundation names, sorted by name.
    static let all: [(code: String, name: String)] = {
        let english = Locale(identifier: "en_US")
        var list: [(String, String)] = []
        for region in Locale.Region.isoRegions {
            let code = region.identifier
            guard code.count == 2, code.allSatisfy({ $0.isASCII && $0.isUppercase }),
                  let name = english.localizedString(forRegionCode: code), name != code else { continue }
            list.append((code, name))
        }
        return list.sorted { $0.1.localizedStandardCompare($1.1) == .orderedAscending }
    }()

    private static let byCode: [String: String] = Dictionary(all.map { ($0.code, $0.name) }, uniquingKeysWith: { a, _ in a })

    static func name(_ code: String) -> String { byCode[code] ?? code }
    static func isKnown(_ code: String) -> Bool { byCode[code] != nil }

    /// The select's options with `selected` marked.
    static func options(selected: String) -> Value {
        .array(all.map { ["code": .string($0.code), "name": .string($0.name), "selected": .bool($0.code == selected)] })
    }
}
