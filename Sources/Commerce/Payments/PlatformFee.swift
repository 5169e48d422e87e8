/// The platform's cut of a card payment: a rate in parts per million plus a fixed amount, in
/// the payment's minor units. Sent to Stripe as `application_fee_amount`.
public struct PlatformFee: Sendable, Equatable {
    /// 29_000 = 2.9 %.
    public let ratePPM: Int64
    public let fixedMinor: Int64

    public init(ratePPM: Int64, fixedMinor: Int64) {
        self.ratePPM = max(0, ratePPM)
        self.fixedMinor = max(0, fixedMinor)
    }

    /// `amount × rate` rounded half-up, plus the fixed part, never more than the amount itself
    /// (Stripe refuses a fee above the charge). Integer arithmetic only.
    public func fee(forAmount amountMinor: Int64) -> Int64 {
        guard amountMinor > 0 else { return 0 }
        let (product, overflow) = amountMinor.multipliedReportingOverflow(by: ratePPM)
        let percentage = overflow ? amountMinor / 1_000_000 * ratePPM : (product + 500_000) / 1_000_000
        return min(amountMinor, percentage + fixedMinor)
    }

    /// "2.9 % + 0.30" style, for the admin (the fixed part in major units with two decimals).
    public func summary(currency: String) -> String {
        let whole = ratePPM / 10_000
        let fraction = ratePPM % 10_000
        var rate = String(whole)
        if fraction != 0 {
            var digits = String(fraction)
            while digits.count < 4 { digits = "0" + digits }
            while digits.hasSuffix("0") { digits.removeLast() }
            rate += "." + digits
        }
        return rate + " % + " + MoneyText.format(fixedMinor, currency: currency)
    }
}

/// Amounts for timeline entries and admin hints: "12.34 USD" (no locale; the pages format
/// prices themselves).
public enum MoneyText {
    public static func format(_ minor: Int64, currency: String) -> String {
        Currency.plain(minor, currency)
    }
}
