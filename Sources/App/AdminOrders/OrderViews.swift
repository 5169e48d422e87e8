import Commerce
import Foundation
import Liquid

/// How the orders and customers pages print statuses, dates and money.
struct OrderViews {
    let money: AdminMoney
    let zone: TimeZone
    let adminURL: String

    init(_ context: AdminContext) {
        money = AdminMoney(currency: context.route.currency)
        zone = TimeZone(identifier: context.route.timezone) ?? TimeZone(identifier: "UTC")!
        adminURL = context.adminURL
    }

    /// `Dec 6, 2026 at 14:05` in the store's time zone.
    func dateTime(_ date: Date) -> String { format(date, "MMM d, yyyy 'at' HH:mm") }
    /// `Dec 6, 2026`.
    func day(_ date: Date) -> String { format(date, "MMM d, yyyy") }
    /// `2026-12-06`, for date inputs.
    func isoDay(_ date: Date) -> String { format(date, "yyyy-MM-dd") }

    private func format(_ date: Date, _ pattern: String) -> String {
        let f = DateFormatter()
        f.locale = Locale(identifier: "en_US_POSIX")
        f.timeZone = zone
        f.dateFormat = pattern
        return f.string(from: date)
    }

    func orderURL(_ number: Int64) -> String { adminURL + "/orders/\(number)" }

    /// `partially_refunded` → `Partially refunded`.
    static func label(_ status: String) -> String {
        let spaced = status.replacingOccurrences(of: "_", with: " ")
        return spaced.prefix(1).uppercased() + spaced.dropFirst()
    }

    /// A badge: `{ text, tone }` where tone is ok | warn | bad | info | plain (admin.css classes).
    static func badge(_ text: String, _ tone: String) -> Value { ["text": .string(text), "tone": .string(tone)] }

    static func paymentBadge(_ financial: String) -> Value {
        switch financial {
        case "paid": return badge("Paid", "ok")
        case "pending": return badge("Payment pending", "warn")
        case "authorized": return badge("Authorized", "warn")
        case "partially_refunded": return badge("Partially refunded", "info")
        case "refunded": return badge("Refunded", "plain")
        default: return badge(label(financial), "plain")
        }
    }

    static func fulfillmentBadge(_ status: String) -> Value {
        switch status {
        case "fulfilled": return badge("Fulfilled", "ok")
        case "partial": return badge("Partially fulfilled", "warn")
        default: return badge("Unfulfilled", "warn-outline")
        }
    }

    func row(_ r: AdminOrderRow) -> Value {
        [
            "number": .string("#\(r.number)"), "url": .string(orderURL(r.number)),
            "date": .string(dateTime(r.createdAt)), "email": .string(r.email),
            "customer": .string(r.customerName.isEmpty ? r.email : r.customerName),
            "cancelled": .bool(r.status == "cancelled"),
            "payment": Self.paymentBadge(r.financialStatus), "fulfillment": Self.fulfillmentBadge(r.fulfillmentStatus),
            "total": .string(money.string(r.totalMinor)),
            "refunded": r.refundedMinor > 0 ? .string(money.string(r.refundedMinor)) : .nil,
            "items": .string("\(r.itemCount) \(r.itemCount == 1 ? "item" : "items")"),
        ]
    }

    static func address(_ a: OrderAddress?) -> Value {
        guard let a, !a.lines.isEmpty else { return .nil }
        return ["name": .string(a.name), "lines": .array(a.lines.map(Value.string)), "phone": .string(a.phone)]
    }
}
