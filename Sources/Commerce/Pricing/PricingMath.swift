/// Integer money arithmetic: products are taken at full width so `amount × ppm` never
/// overflows, and every rounding is half-up (amounts are never negative here).
public enum PricingMath {
    public static let million: Int64 = 1_000_000

    /// round-half-up(`value` × `numerator` / `denominator`), for value, numerator ≥ 0, denominator > 0.
    public static func mulDivHalfUp(_ value: Int64, _ numerator: Int64, _ denominator: Int64) -> Int64 {
        let (q, r) = mulDiv(value, numerator, denominator)
        return r >= denominator - r ? q + 1 : q
    }

    /// floor and remainder of `value` × `numerator` / `denominator` (all ≥ 0, denominator > 0).
    public static func mulDiv(_ value: Int64, _ numerator: Int64, _ denominator: Int64) -> (quotient: Int64, remainder: Int64) {
        precondition(value >= 0 && numerator >= 0 && denominator > 0)
        let product = value.multipliedFullWidth(by: numerator)
        let (q, r) = denominator.dividingFullWidth(product)
        return (q, r)
    }

    /// `amount` × rate, the tax added on top of a tax-exclusive amount.
    public static func taxExclusive(_ amount: Int64, ratePpm: Int) -> Int64 {
        mulDivHalfUp(amount, Int64(ratePpm), million)
    }

    /// The tax inside a tax-inclusive amount: amount × rate / (1 + rate).
    public static func taxIncluded(_ amount: Int64, ratePpm: Int) -> Int64 {
        mulDivHalfUp(amount, Int64(ratePpm), million + Int64(ratePpm))
    }

    /// Splits `total` across `weights` in proportion, by largest remainder: the parts add up to
    /// exactly `total`, and none exceeds its weight when `total` ≤ Σ weights. Ties go to the
    /// earlier weight.
    public static func allocate(_ total: Int64, weights: [Int64]) -> [Int64] {
        let sum = weights.reduce(0, +)
        guard total > 0, sum > 0 else { return weights.map { _ in 0 } }
        var parts: [Int64] = []
        var remainders: [(index: Int, remainder: Int64)] = []
        for (i, w) in weights.enumerated() {
            let (q, r) = mulDiv(total, w, sum)
            parts.append(q)
            remainders.append((i, r))
        }
        var leftover = total - parts.reduce(0, +)
        remainders.sort { $0.remainder != $1.remainder ? $0.remainder > $1.remainder : $0.index < $1.index }
        var k = 0
        while leftover > 0, !remainders.isEmpty {
            parts[remainders[k % remainders.count].index] += 1
            leftover -= 1
            k += 1
        }
        return parts
    }

    /// Exact parts per million from a percentage as typed: `20` → 200000, `8.875` → 88750,
    /// `0.0001` → 1. At most 4 decimals; nil for anything else (no floating point involved).
    public static func ppm(fromPercent text: String) -> Int? {
        var s = text.stripping(" \t%")
        if s.hasSuffix("%") { s.removeLast() }
        s = s.stripping(" \t")
        let parts = s.split(separator: ".", omittingEmptySubsequences: false)
        guard !s.isEmpty, parts.count <= 2, let whole = parts.first, !whole.isEmpty, whole.count <= 7,
              whole.utf8.allSatisfy({ $0 >= 48 && $0 <= 57 }) else { return nil }
        var fraction = parts.count == 2 ? String(parts[1]) : ""
        guard fraction.utf8.allSatisfy({ $0 >= 48 && $0 <= 57 }) else { return nil }
        if parts.count == 2 && fraction.isEmpty { return nil }
        while fraction.count > 4, fraction.hasSuffix("0") { fraction.removeLast() }
        guard fraction.count <= 4 else { return nil }
        fraction += String(repeating: "0", count: 4 - fraction.count)
        guard let value = Int(String(whole) + fraction) else { return nil }
        return value
    }

    /// 200000 → `20`, 88750 → `8.875`: the percentage a merchant typed, back.
    public static func percent(fromPPM ppm: Int) -> String {
        let whole = ppm / 10_000
        var fraction = String(ppm % 10_000)
        fraction = String(repeating: "0", count: 4 - fraction.count) + fraction
        while fraction.hasSuffix("0") { fraction.removeLast() }
        return fraction.isEmpty ? String(whole) : "\(whole).\(fraction)"
    }
}

private extension String {
    func stripping(_ set: String) -> String {
        var s = Substring(self)
        while let f = s.first, set.contains(f) { s.removeFirst() }
        while let l = s.last, set.contains(l) { s.removeLast() }
        return String(s)
    }
}
