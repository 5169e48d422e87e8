/// A QR code (ISO/IEC 18004) for short text such as an `otpauth://` URI: byte mode, error
/// correction level M, versions 1–10 (up to 213 bytes), the mask with the lowest penalty.
/// Rendered as an inline SVG so the two-factor page needs no image request and no script.
struct QRCode {
    let size: Int
    /// `modules[y][x]`: true is dark.
    private(set) var modules: [[Bool]]
    private var isFunction: [[Bool]]
    let version: Int
    private(set) var mask = 0

    /// Error correction codewords per block and the blocks' data lengths, level M.
    private static let blocks: [Int: (ec: Int, data: [Int])] = [
        1: (10, [16]), 2: (16, [28]), 3: (26, [44]), 4: (18, [32, 32]), 5: (24, [43, 43]),
        6: (16, [27, 27, 27, 27]), 7: (18, [31, 31, 31, 31]), 8: (22, [38, 38, 39, 39]),
        9: (22, [36, 36, 36, 37, 37]), 10: (26, [43, 43, 43, 43, 44]),
    ]
    private static let alignment: [Int: [Int]] = [
        2: [6, 18], 3: [6, 22], 4: [6, 26], 5: [6, 30], 6: [6, 34],
        7: [6, 22, 38], 8: [6, 24, 42], 9: [6, 26, 46], 10: [6, 28, 50],
    ]

    /// The smallest symbol that holds `text`, or nil when it is too long. `forceMask` is for tests.
    init?(_ text: String, forceMask: Int? = nil) {
        let bytes = Array(text.utf8)
        guard let version = (1...10).first(where: { v in
            let capacity = QRCode.blocks[v]!.data.reduce(0, +) * 8
            return 4 + (v < 10 ? 8 : 16) + bytes.count * 8 <= capacity
        }) else { return nil }
        self.version = version
        size = 17 + 4 * version
        modules = Array(repeating: Array(repeating: false, count: size), count: size)
        isFunction = modules
        drawFunctionPatterns()
        let codewords = QRCode.interleaved(QRCode.dataCodewords(bytes, version: version), version: version)
        placeData(codewords)
        if let forceMask {
            mask = forceMask
        } else {
            var best = (mask: 0, penalty: Int.max)
            for m in 0..<8 {
                applyMask(m)
                drawFormatBits(mask: m)
                let p = penalty()
                if p < best.penalty { best = (m, p) }
                applyMask(m)   // XOR again: undone
            }
            mask = best.mask
        }
        applyMask(mask)
        drawFormatBits(mask: mask)
    }

    // MARK: - Data

    static func dataCodewords(_ bytes: [UInt8], version: Int) -> [UInt8] {
        let capacity = blocks[version]!.data.reduce(0, +)
        var bits: [Bool] = []
        func append(_ value: Int, _ count: Int) { for i in stride(from: count - 1, through: 0, by: -1) { bits.append((value >> i) & 1 == 1) } }
        append(0b0100, 4)
        append(bytes.count, version < 10 ? 8 : 16)
        for b in bytes { append(Int(b), 8) }
        append(0, min(4, capacity * 8 - bits.count))
        while bits.count % 8 != 0 { bits.append(false) }
        var out: [UInt8] = stride(from: 0, to: bits.count, by: 8).map { i in
            bits[i..<i + 8].reduce(UInt8(0)) { $0 << 1 | ($1 ? 1 : 0) }
        }
        var pad: UInt8 = 0xEC
        while out.count < capacity { out.append(pad); pad = pad == 0xEC ? 0x11 : 0xEC }
        return out
    }

    static func interleaved(_ data: [UInt8], version: Int) -> [UInt8] {
        let layout = blocks[version]!
        let divisor = ReedSolomon.divisor(degree: layout.ec)
        var dataBlocks: [[UInt8]] = []
        var start = 0
        for length in layout.data {
            dataBlocks.append(Array(data[start..<start + length]))
            start += length
        }
        let ecBlocks = dataBlocks.map { ReedSolomon.remainder($0, divisor: divisor) }
        var out: [UInt8] = []
        for i in 0..<(layout.data.max() ?? 0) { for b in dataBlocks where i < b.count { out.append(b[i]) } }
        for i in 0..<layout.ec { for b in ecBlocks { out.append(b[i]) } }
        return out
    }

    // MARK: - Function patterns

    private mutating func set(_ x: Int, _ y: Int, _ dark: Bool) {
        modules[y][x] = dark
        isFunction[y][x] = true
    }

    private mutating func drawFunctionPatterns() {
        for i in 0..<size {
            set(6, i, i % 2 == 0)
            set(i, 6, i % 2 == 0)
        }
        for (cx, cy) in [(3, 3), (size - 4, 3), (3, size - 4)] {
            for dy in -4...4 {
                for dx in -4...4 {
                    let x = cx + dx, y = cy + dy
                    guard (0..<size).contains(x), (0..<size).contains(y) else { continue }
                    let d = max(abs(dx), abs(dy))
                    set(x, y, d != 2 && d != 4)
                }
            }
        }
        let positions = QRCode.alignment[version] ?? []
        for (i, cy) in positions.enumerated() {
            for (j, cx) in positions.enumerated() {
                let last = positions.count - 1
                if (i == 0 && j == 0) || (i == 0 && j == last) || (i == last && j == 0) { continue }
                for dy in -2...2 { for dx in -2...2 { set(cx + dx, cy + dy, max(abs(dx), abs(dy)) != 1) } }
            }
        }
        drawFormatBits(mask: 0)   // reserves the area; redrawn with the real mask
        if version >= 7 {
            var rem = version
            for _ in 0..<12 { rem = (rem << 1) ^ ((rem >> 11) * 0x1F25) }
            let bits = version << 12 | rem
            for i in 0..<18 {
                let dark = (bits >> i) & 1 == 1
                let a = size - 11 + i % 3, b = i / 3
                set(a, b, dark)
                set(b, a, dark)
            }
        }
    }

    /// Level M is `00`; the 15 bits are BCH(15,5) protected and XORed with 0x5412.
    private mutating func drawFormatBits(mask: Int) {
        let data = 0b00 << 3 | mask
        var rem = data
        for _ in 0..<10 { rem = (rem << 1) ^ ((rem >> 9) * 0x537) }
        let bits = (data << 10 | rem) ^ 0x5412
        func bit(_ i: Int) -> Bool { (bits >> i) & 1 == 1 }
        for i in 0...5 { set(8, i, bit(i)) }
        set(8, 7, bit(6))
        set(8, 8, bit(7))
        set(7, 8, bit(8))
        for i in 9..<15 { set(14 - i, 8, bit(i)) }
        for i in 0..<8 { set(size - 1 - i, 8, bit(i)) }
        for i in 8..<15 { set(8, size - 15 + i, bit(i)) }
        set(8, size - 8, true)
    }

    // MARK: - Data placement and masking

    private mutating func placeData(_ codewords: [UInt8]) {
        var i = 0
        var right = size - 1
        while right >= 1 {
            if right == 6 { right = 5 }
            for vert in 0..<size {
                for j in 0..<2 {
                    let x = right - j
                    let upward = (right + 1) & 2 == 0
                    let y = upward ? size - 1 - vert : vert
                    if !isFunction[y][x] && i < codewords.count * 8 {
                        modules[y][x] = (codewords[i >> 3] >> (7 - UInt8(i & 7))) & 1 == 1
                        i += 1
                    }
                }
            }
            right -= 2
        }
    }

    private mutating func applyMask(_ m: Int) {
        for y in 0..<size {
            for x in 0..<size where !isFunction[y][x] {
                let flip: Bool
                switch m {
                case 0: flip = (x + y) % 2 == 0
                case 1: flip = y % 2 == 0
                case 2: flip = x % 3 == 0
                case 3: flip = (x + y) % 3 == 0
                case 4: flip = (x / 3 + y / 2) % 2 == 0
                case 5: flip = x * y % 2 + x * y % 3 == 0
                case 6: flip = (x * y % 2 + x * y % 3) % 2 == 0
                default: flip = ((x + y) % 2 + x * y % 3) % 2 == 0
                }
                if flip { modules[y][x].toggle() }
            }
        }
    }

    /// The four penalty rules of the standard (runs, 2×2 blocks, finder-like patterns, balance).
    private func penalty() -> Int {
        var total = 0
        func lines() -> [[Bool]] {
            modules + (0..<size).map { x in (0..<size).map { y in modules[y][x] } }
        }
        let finderLike: [Bool] = [true, false, true, true, true, false, true]
        for line in lines() {
            var run = 1
            for i in 1..<line.count {
                if line[i] == line[i - 1] { run += 1 } else { if run >= 5 { total += run - 2 }; run = 1 }
            }
            if run >= 5 { total += run - 2 }
            for i in 0...(line.count - 7) where Array(line[i..<i + 7]) == finderLike {
                let before = i >= 4 && line[(i - 4)..<i].allSatisfy { !$0 }
                let after = i + 11 <= line.count && line[(i + 7)..<(i + 11)].allSatisfy { !$0 }
                if before || after { total += 40 }
            }
        }
        for y in 0..<(size - 1) {
            for x in 0..<(size - 1) {
                let c = modules[y][x]
                if c == modules[y][x + 1] && c == modules[y + 1][x] && c == modules[y + 1][x + 1] { total += 3 }
            }
        }
        let dark = modules.reduce(0) { $0 + $1.filter { $0 }.count }
        let percent = dark * 100 / (size * size)
        total += abs(percent - 50) / 5 * 10
        return total
    }

    // MARK: - SVG

    /// An SVG of the symbol with its 4-module quiet zone, one path of unit squares.
    func svg(label: String) -> String {
        var path = ""
        for y in 0..<size {
            for x in 0..<size where modules[y][x] { path += "M\(x + 4) \(y + 4)h1v1h-1z" }
        }
        let side = size + 8
        return "<svg xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 \(side) \(side)\" width=\"200\" height=\"200\""
            + " role=\"img\" aria-label=\"\(label)\" shape-rendering=\"crispEdges\">"
            + "<rect width=\"\(side)\" height=\"\(side)\" fill=\"#fff\"/><path fill=\"#000\" d=\"\(path)\"/></svg>"
    }
}

/// Reed–Solomon error correction over GF(256) with the QR polynomial x⁸+x⁴+x³+x²+1.
enum ReedSolomon {
    static func multiply(_ a: UInt8, _ b: UInt8) -> UInt8 {
        var result: Int = 0
        let x = Int(a), y = Int(b)
        for i in stride(from: 7, through: 0, by: -1) {
            result = (result << 1) ^ ((result >> 7) * 0x11D)
            result ^= ((y >> i) & 1) * x
        }
        return UInt8(result)
    }

    /// The generator polynomial's coefficients (highest first, leading 1 dropped).
    static func divisor(degree: Int) -> [UInt8] {
        var result = [UInt8](repeating: 0, count: degree)
        result[degree - 1] = 1
        var root: UInt8 = 1
        for _ in 0..<degree {
            for j in 0..<degree {
                result[j] = multiply(result[j], root)
                if j + 1 < degree { result[j] ^= result[j + 1] }
            }
            root = multiply(root, 0x02)
        }
        return result
    }

    static func remainder(_ data: [UInt8], divisor: [UInt8]) -> [UInt8] {
        var result = [UInt8](repeating: 0, count: divisor.count)
        for b in data {
            let factor = b ^ result.removeFirst()
            result.append(0)
            for i in 0..<result.count { result[i] ^= multiply(divisor[i], factor) }
        }
        return result
    }
}
