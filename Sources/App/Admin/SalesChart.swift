import Commerce

/// The dashboard's sales chart: one bar per day of the report's series, drawn on the server as
/// SVG (no script). Screen readers get a title and a summary from the SVG (`role="img"`) and
/// every day's figures from a visually hidden table right after it.
struct SalesChart {
    let days: [SalesReport.Day]
    let money: AdminMoney

    // Geometry of the viewBox; the SVG scales to its container's width.
    static let width = 720.0
    static let height = 240.0
    static let left = 64.0      // room for the y-axis labels
    static let right = 8.0
    static let top = 12.0
    static let bottom = 28.0    // room for the date labels

    /// `<figure>` with the SVG and the hidden table. `id` keeps the ids unique on the page.
    func html(id: String = "sales-chart") -> String {
        let plotWidth = Self.width - Self.left - Self.right
        let plotHeight = Self.height - Self.top - Self.bottom
        let maximum = SalesChart.niceCeiling(days.map(\.netSalesMinor).max() ?? 0, places: money.places)
        let slot = plotWidth / Double(max(days.count, 1))
        let barWidth = max(2, slot * 0.68)
        let total = days.reduce(Int64(0)) { $0 + $1.netSalesMinor }
        let best = days.max { $0.netSalesMinor < $1.netSalesMinor }

        var svg = ""
        svg += "<svg class=\"chart\" viewBox=\"0 0 \(Int(Self.width)) \(Int(Self.height))\" role=\"img\""
        svg += " aria-labelledby=\"\(id)-title \(id)-desc\" preserveAspectRatio=\"xMidYMid meet\" focusable=\"false\">"
        svg += "<title id=\"\(id)-title\">Net sales per day, last \(days.count) days</title>"
        var summary = "Total \(money.string(total))."
        if let best, best.netSalesMinor > 0 {
            summary += " Best day \(SalesChart.label(best.date)) with \(money.string(best.netSalesMinor))."
        }
        summary += " The table after the chart lists every day."
        svg += "<desc id=\"\(id)-desc\">\(escape(summary))</desc>"

        // Horizontal grid lines with their amounts: 0, half and the top.
        for fraction in [0.0, 0.5, 1.0] {
            let y = Self.top + plotHeight * (1 - fraction)
            let amount = Int64((Double(maximum) * fraction).rounded())
            svg += "<line class=\"\(fraction == 0 ? "chart-axis" : "chart-grid")\" x1=\"\(f(Self.left))\" x2=\"\(f(Self.width - Self.right))\" y1=\"\(f(y))\" y2=\"\(f(y))\"/>"
            svg += "<text x=\"\(f(Self.left - 8))\" y=\"\(f(y + 4))\" text-anchor=\"end\">\(escape(money.wholeUnits(amount)))</text>"
        }

        for (i, day) in days.enumerated() {
            let x = Self.left + slot * Double(i) + (slot - barWidth) / 2
            let ratio = maximum > 0 ? Double(max(day.netSalesMinor, 0)) / Double(maximum) : 0
            var barHeight = plotHeight * ratio
            let empty = day.netSalesMinor <= 0
            if empty { barHeight = 1.5 } else { barHeight = max(barHeight, 2) }
            let y = Self.top + plotHeight - barHeight
            svg += "<rect class=\"\(empty ? "chart-bar-empty" : "chart-bar")\" x=\"\(f(x))\" y=\"\(f(y))\" width=\"\(f(barWidth))\" height=\"\(f(barHeight))\" rx=\"2\">"
            svg += "<title>\(escape(SalesChart.label(day.date))): \(escape(money.string(day.netSalesMinor))), \(SalesChart.orders(day.orders))</title></rect>"
            // A date under every seventh bar, counted back from today so today is labelled.
            if (days.count - 1 - i) % 7 == 0 {
                let cx = Self.left + slot * Double(i) + slot / 2
                svg += "<text x=\"\(f(cx))\" y=\"\(f(Self.height - 8))\" text-anchor=\"middle\">\(escape(SalesChart.label(day.date)))</text>"
            }
        }
        svg += "</svg>"

        var table = "<table class=\"visually-hidden\"><caption>Net sales and orders per day</caption>"
        table += "<thead><tr><th scope=\"col\">Day</th><th scope=\"col\">Net sales</th><th scope=\"col\">Orders</th></tr></thead><tbody>"
        for day in days {
            table += "<tr><th scope=\"row\">\(escape(SalesChart.label(day.date)))</th><td>\(escape(money.string(day.netSalesMinor)))</td><td>\(day.orders)</td></tr>"
        }
        table += "</tbody></table>"
        return "<figure class=\"chart-figure\">" + svg + table + "</figure>"
    }

    /// A round top for the axis above `value`: 1, 2 or 5 × 10ⁿ whole units (at least 10 units).
    static func niceCeiling(_ value: Int64, places: Int) -> Int64 {
        var unit: Int64 = 1
        for _ in 0..<places { unit *= 10 }
        let floor = 10 * unit
        guard value > floor else { return floor }
        var step: Int64 = 1
        while step <= value / 10 { step *= 10 }
        for multiple in [1, 2, 5, 10] as [Int64] where step * multiple >= value {
            return step * multiple
        }
        return step * 10
    }

    /// `2026-11-05` → `Nov 5`.
    static func label(_ isoDate: String) -> String {
        let parts = isoDate.split(separator: "-")
        guard parts.count == 3, let month = Int(parts[1]), (1...12).contains(month), let day = Int(parts[2]) else {
            return isoDate
        }
        let names = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]
        return "\(names[month - 1]) \(day)"
    }

    static func orders(_ n: Int) -> String { n == 1 ? "1 order" : "\(n) orders" }

    private func f(_ v: Double) -> String {
        let rounded = (v * 10).rounded() / 10
        return rounded == rounded.rounded() ? String(Int(rounded)) : String(rounded)
    }

    private func escape(_ s: String) -> String {
        var out = ""
        out.reserveCapacity(s.utf8.count)
        for c in s {
            switch c {
            case "&": out += "&amp;"
            case "<": out += "&lt;"
            case ">": out += "&gt;"
            case "\"": out += "&quot;"
            case "'": out += "&#39;"
            default: out.append(c)
            }
        }
        return out
    }
}
