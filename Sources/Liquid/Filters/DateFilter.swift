#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// `date`: formats a timestamp, `now`/`today`, or a date string with strftime, in UTC.
/// Input it cannot read as a date is returned unchanged.
extension Environment {
    static let dateFilters: [String: FilterDefinition] = [
        "date": FilterDefinition(1, 1) { input, args, _, ctx in
            if input.isNil { return .nil }
            guard args[0].isString, !args[0].stringValue.isEmpty else { return input }
            guard let seconds = DateFormatting.seconds(input, now: ctx.now) else { return input }
            return .string(DateFormatting.format(seconds, args[0].stringValue))
        },
    ]
}

/// The C `struct tm`, named apart from the variables that hold one.
typealias tm_struct = tm

enum DateFormatting {
    static func seconds(_ v: Value, now: Int?) -> Int? {
        switch v {
        case .int(let i): return i
        case .double(let d): return d.isFinite && abs(d) < 1e15 ? Int(d) : nil
        case .string(let s), .safe(let s):
            let t = String(s.trimmingSpaces)
            if t == "now" || t == "today" { return now ?? time(nil) }
            if !t.isEmpty, t.utf8.allSatisfy({ $0 >= 48 && $0 <= 57 }) { return Int(t) }
            return parse(t)
        default: return nil
        }
    }

    static let months = ["jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"]

    /// Reads ISO dates (`2016-03-14`, `2016-03-14T10:30:00Z`, with an offset) and written ones
    /// (`March 14, 2016`, `14 Mar 2016 10:30`), as UTC unless an offset is given.
    static func parse(_ text: String) -> Int? {
        let b = Array(text.utf8)
        if let t = parseISO(b) { return t }
        @inline(__always) func isDigit(_ c: UInt8) -> Bool { c >= 48 && c <= 57 }
        @inline(__always) func isLetter(_ c: UInt8) -> Bool { (c | 32) >= 97 && (c | 32) <= 122 }
        var numbers: [Int] = []
        var numberWidths: [Int] = []
        var time: [Int] = []
        var month: Int?
        var offset = 0
        var i = 0
        while i < b.count {
            let c = b[i]
            if isDigit(c) {
                var j = i
                var n = 0
                while j < b.count, isDigit(b[j]) { n = n * 10 + Int(b[j] - 48); j += 1; if j - i > 9 { return nil } }
                if j < b.count, b[j] == UInt8(ascii: ":"), time.isEmpty {
                    // HH:MM[:SS[.fff]]
                    time = [n]
                    var k = j
                    while k < b.count, b[k] == UInt8(ascii: ":") {
                        k += 1
                        var m = 0, w = 0
                        while k < b.count, isDigit(b[k]) {
                            m = m * 10 + Int(b[k] - 48)
                            k += 1
                            w += 1
                            if w > 2 { return nil }
                        }
                        if w == 0 { return nil }
                        time.append(m)
                    }
                    if k < b.count, b[k] == UInt8(ascii: ".") { k += 1; while k < b.count, isDigit(b[k]) { k += 1 } }
                    i = k
                    continue
                }
                numbers.append(n)
                numberWidths.append(j - i)
                i = j
            } else if isLetter(c) {
                var j = i
                while j < b.count, isLetter(b[j]) { j += 1 }
                let word = String(decoding: b[i..<j].map { $0 | 32 }, as: UTF8.self)
                if word.utf8.count >= 3, let m = months.firstIndex(where: { word.hasPrefix($0) }) { month = m + 1 }
                else if word == "t" || word == "z" || word == "utc" || word == "gmt" || word == "am" {}
                else if word == "pm" { if !time.isEmpty, time[0] < 12 { time[0] += 12 } }
                else if ["mon", "tue", "wed", "thu", "fri", "sat", "sun"].contains(where: { word.hasPrefix($0) }) {}
                else { return nil }
                i = j
            } else if c >= 128 {
                return nil
            } else if (c == UInt8(ascii: "+") || c == UInt8(ascii: "-")), !time.isEmpty, i + 1 < b.count, isDigit(b[i + 1]) {
                var j = i + 1
                var digits: [Int] = []
                while j < b.count, isDigit(b[j]) || b[j] == UInt8(ascii: ":") {
                    if b[j] != UInt8(ascii: ":") { digits.append(Int(b[j] - 48)) }
                    j += 1
                }
                guard digits.count == 4 else { return nil }
                offset = ((digits[0] * 10 + digits[1]) * 3600 + (digits[2] * 10 + digits[3]) * 60) * (c == UInt8(ascii: "-") ? -1 : 1)
                i = j
            } else {
                i += 1
            }
        }
        var y = 0, mo = 0, d = 0
        if let month {
            guard numbers.count == 2 else { return nil }
            mo = month
            if numberWidths[0] == 4 { y = numbers[0]; d = numbers[1] } else { d = numbers[0]; y = numbers[1] }
        } else {
            guard numbers.count == 3, numberWidths[0] == 4 else { return nil }
            y = numbers[0]; mo = numbers[1]; d = numbers[2]
        }
        guard (1...12).contains(mo), (1...31).contains(d) else { return nil }
        let h = time.count > 0 ? time[0] : 0, mi = time.count > 1 ? time[1] : 0, s = time.count > 2 ? time[2] : 0
        return daysFromCivil(y, mo, d) * 86400 + h * 3600 + mi * 60 + s - offset
    }

    /// The common case without allocation: `YYYY-MM-DD`, optionally `[T ]HH:MM[:SS]` and `Z`.
    static func parseISO(_ b: [UInt8]) -> Int? {
        func digits(_ from: Int, _ count: Int) -> Int? {
            guard from + count <= b.count else { return nil }
            var n = 0
            for i in from..<from + count {
                guard b[i] >= 48 && b[i] <= 57 else { return nil }
                n = n * 10 + Int(b[i] - 48)
            }
            return n
        }
        guard b.count >= 10, b[4] == UInt8(ascii: "-"), b[7] == UInt8(ascii: "-"),
              let y = digits(0, 4), let mo = digits(5, 2), let d = digits(8, 2),
              (1...12).contains(mo), (1...31).contains(d) else { return nil }
        var seconds = daysFromCivil(y, mo, d) * 86400
        var i = 10
        if i < b.count, b[i] == UInt8(ascii: "T") || b[i] == UInt8(ascii: " ") {
            guard let h = digits(i + 1, 2), i + 3 < b.count, b[i + 3] == UInt8(ascii: ":"), let mi = digits(i + 4, 2) else { return nil }
            seconds += h * 3600 + mi * 60
            i += 6
            if i < b.count, b[i] == UInt8(ascii: ":") {
                guard let s = digits(i + 1, 2) else { return nil }
                seconds += s
                i += 3
            }
        }
        if i < b.count, b[i] == UInt8(ascii: "Z") { i += 1 }
        return i == b.count ? seconds : nil
    }

    /// Days since 1970-01-01 of a proleptic Gregorian date (Howard Hinnant's algorithm).
    static func daysFromCivil(_ y0: Int, _ m: Int, _ d: Int) -> Int {
        let y = m <= 2 ? y0 - 1 : y0
        let era = (y >= 0 ? y : y - 399) / 400
        let yoe = y - era * 400
        let doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1
        let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy
        return era * 146097 + doe - 719468
    }

    static let monthNames = ["January", "February", "March", "April", "May", "June", "July", "August",
                             "September", "October", "November", "December"]
    static let dayNames = ["Sunday", "Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday"]

    /// strftime in UTC and the C locale. Common directives are formatted here; the rest go to
    /// glibc's strftime.
    static func format(_ seconds: Int, _ fmt: String) -> String {
        var t = time_t(seconds)
        var tm = tm_struct()
        gmtime_r(&t, &tm)
        var out = ""
        var it = fmt.unicodeScalars.makeIterator()
        func pad(_ n: Int, _ width: Int, _ flag: Unicode.Scalar?) -> String {
            let s = String(n)
            if flag == "-" || s.count >= width { return s }
            return String(repeating: flag == "_" ? " " : "0", count: width - s.count) + s
        }
        while let c = it.next() {
            guard c == "%" else { out.unicodeScalars.append(c); continue }
            guard var d = it.next() else { out += "%"; break }
            var flag: Unicode.Scalar?
            if d == "-" || d == "_" || d == "0" || d == "^" {
                flag = d
                guard let e = it.next() else { break }
                d = e
            }
            let hour12 = tm.tm_hour % 12 == 0 ? 12 : Int(tm.tm_hour % 12)
            var piece: String
            switch d {
            case "Y": piece = String(Int(tm.tm_year) + 1900)
            case "y": piece = pad((Int(tm.tm_year) + 1900) % 100, 2, flag)
            case "m": piece = pad(Int(tm.tm_mon) + 1, 2, flag)
            case "d": piece = pad(Int(tm.tm_mday), 2, flag)
            case "e": piece = pad(Int(tm.tm_mday), 2, flag ?? "_")
            case "H": piece = pad(Int(tm.tm_hour), 2, flag)
            case "I": piece = pad(hour12, 2, flag)
            case "l": piece = pad(hour12, 2, flag ?? "_")
            case "M": piece = pad(Int(tm.tm_min), 2, flag)
            case "S": piece = pad(Int(tm.tm_sec), 2, flag)
            case "j": piece = pad(Int(tm.tm_yday) + 1, 3, flag)
            case "B": piece = monthNames[Int(tm.tm_mon)]
            case "b", "h": piece = String(monthNames[Int(tm.tm_mon)].prefix(3))
            case "A": piece = dayNames[Int(tm.tm_wday)]
            case "a": piece = String(dayNames[Int(tm.tm_wday)].prefix(3))
            case "p": piece = tm.tm_hour < 12 ? "AM" : "PM"
            case "P": piece = tm.tm_hour < 12 ? "am" : "pm"
            case "s": piece = String(seconds)
            case "%": piece = "%"
            case "F": piece = format(seconds, "%Y-%m-%d")
            case "D": piece = format(seconds, "%m/%d/%y")
            case "T": piece = format(seconds, "%H:%M:%S")
            case "R": piece = format(seconds, "%H:%M")
            case "z": piece = "+0000"
            case "Z": piece = "UTC"
            default:
                var buf = [CChar](repeating: 0, count: 128)
                let directive = "%" + (flag.map { String($0) } ?? "") + String(d)
                let n = strftime(&buf, buf.count, directive, &tm)
                piece = String(decoding: buf[0..<n].map { UInt8(bitPattern: $0) }, as: UTF8.self)
            }
            if flag == "^" { piece = piece.uppercased() }
            out += piece
        }
        return out
    }
}
