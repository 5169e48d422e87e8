import Foundation

/// ISO timestamps as PostgreSQL prints them (`DateStyle` ISO, the default), parsed from bytes
/// without Foundation formatters: `2024-03-01 12:34:56.123456+05:30`, `2024-03-01 12:34:56`,
/// `2024-03-01`.
enum PostgresTimestamp {
    /// Seconds since 1970 (UTC), or nil when the text is not an ISO date/timestamp.
    static func parse(_ b: UnsafeRawBufferPointer) -> Double? {
        let n = b.count
        var i = 0
        func number(_ minDigits: Int, _ maxDigits: Int) -> Int? {
            var v = 0
            let start = i
            while i < n, i - start < maxDigits, b[i] >= 48, b[i] <= 57 { v = v * 10 + Int(b[i] - 48); i += 1 }
            return i - start >= minDigits ? v : nil
        }
        func expect(_ c: Character) -> Bool {
            guard i < n, b[i] == c.asciiValue! else { return false }
            i += 1
            return true
        }
        guard let year = number(4, 7), expect("-"), let month = number(2, 2), expect("-"),
              let day = number(2, 2), (1...12).contains(month), (1...31).contains(day) else { return nil }
        var seconds = Double(daysFromCivil(year: year, month: month, day: day)) * 86400
        if i < n, b[i] == UInt8(ascii: " ") || b[i] == UInt8(ascii: "T"), i + 1 < n, b[i + 1] >= 48, b[i + 1] <= 57 {
            i += 1
            guard let h = number(2, 2), expect(":"), let m = number(2, 2), expect(":"), let s = number(2, 2)
            else { return nil }
            var micros = 0
            if i < n, b[i] == UInt8(ascii: ".") {
                i += 1
                var digits = 0
                while i < n, b[i] >= 48, b[i] <= 57 {
                    if digits < 6 { micros = micros * 10 + Int(b[i] - 48); digits += 1 }
                    i += 1
                }
                while digits < 6 { micros *= 10; digits += 1 }
            }
            seconds += Double(h * 3600 + m * 60 + s) + Double(micros) / 1_000_000
            if i < n, b[i] == UInt8(ascii: "+") || b[i] == UInt8(ascii: "-") {
                let sign = b[i] == UInt8(ascii: "-") ? -1.0 : 1.0
                i += 1
                guard let oh = number(2, 2) else { return nil }
                var offset = oh * 3600
                if expect(":") { guard let om = number(2, 2) else { return nil }; offset += om * 60 }
                if expect(":") { guard let os = number(2, 2) else { return nil }; offset += os }
                seconds -= sign * Double(offset)
            }
        }
        if i < n, b[i] == UInt8(ascii: " "), n - i == 3, b[i + 1] == UInt8(ascii: "B"), b[i + 2] == UInt8(ascii: "C") {
            return nil   // BC dates are outside what a shop needs; refuse rather than misread.
        }
        return i == n ? seconds : nil
    }

    /// `YYYY-MM-DD HH:MM:SS.ffffff+00`, UTC, microsecond precision.
    static func format(_ date: Date) -> String {
        let totalMicros = (date.timeIntervalSince1970 * 1_000_000).rounded()
        guard totalMicros.isFinite, abs(totalMicros) < 9e18 else {
            return date.timeIntervalSince1970 < 0 ? "-infinity" : "infinity"
        }
        let micros = Int64(totalMicros)
        var days = micros / 86_400_000_000
        var rem = micros % 86_400_000_000
        if rem < 0 { rem += 86_400_000_000; days -= 1 }
        let (y, m, d) = civilFromDays(Int(days))
        let secs = Int(rem / 1_000_000), frac = Int(rem % 1_000_000)
        var out = ""
        out.reserveCapacity(32)
        func pad(_ v: Int, _ width: Int) {
            let s = String(v)
            if s.count < width { out += String(repeating: "0", count: width - s.count) }
            out += s
        }
        pad(y, 4); out += "-"; pad(m, 2); out += "-"; pad(d, 2); out += " "
        pad(secs / 3600, 2); out += ":"; pad(secs / 60 % 60, 2); out += ":"; pad(secs % 60, 2)
        out += "."; pad(frac, 6); out += "+00"
        return out
    }

    /// Days since 1970-01-01 in the proleptic Gregorian calendar (H. Hinnant's algorithm).
    static func daysFromCivil(year: Int, month: Int, day: Int) -> Int {
        let y = month <= 2 ? year - 1 : year
        let era = (y >= 0 ? y : y - 399) / 400
        let yoe = y - era * 400
        let mp = (month + 9) % 12
        let doy = (153 * mp + 2) / 5 + day - 1
        let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy
        return era * 146097 + doe - 719468
    }

    static func civilFromDays(_ z0: Int) -> (Int, Int, Int) {
        let z = z0 + 719468
        let era = (z >= 0 ? z : z - 146096) / 146097
        let doe = z - era * 146097
        let yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365
        let y = yoe + era * 400
        let doy = doe - (365 * yoe + yoe / 4 - yoe / 100)
        let mp = (5 * doy + 2) / 153
        let d = doy - (153 * mp + 2) / 5 + 1
        let m = mp < 10 ? mp + 3 : mp - 9
        return (m <= 2 ? y + 1 : y, m, d)
    }
}
