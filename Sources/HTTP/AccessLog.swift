#if canImport(Glibc)
import Glibc
#endif

/// One access-log line: JSON on one line, written to stderr by the FastCGI worker.
public struct AccessLogEntry: Sendable {
    /// Wall-clock time the request started, seconds and nanoseconds since the epoch.
    public var seconds: Int
    public var nanoseconds: Int
    public var requestId: String
    public var host: String
    public var store: String?
    public var method: String
    public var path: String
    public var status: Int
    public var durationMilliseconds: Double

    public init(seconds: Int, nanoseconds: Int, requestId: String, host: String, store: String?,
                method: String, path: String, status: Int, durationMilliseconds: Double) {
        self.seconds = seconds
        self.nanoseconds = nanoseconds
        self.requestId = requestId
        self.host = host
        self.store = store
        self.method = method
        self.path = path
        self.status = status
        self.durationMilliseconds = durationMilliseconds
    }

    /// `{"time":"2026-01-02T03:04:05.678Z","request_id":"…","host":"…","store":"demo","method":"GET","path":"/","status":200,"duration_ms":1.234}` + newline.
    public var jsonLine: String {
        var out: [UInt8] = []
        out.reserveCapacity(192 + path.utf8.count)
        out.append(contentsOf: #"{"time":""#.utf8)
        AccessLogEntry.appendISO8601(seconds: seconds, nanoseconds: nanoseconds, to: &out)
        out.append(contentsOf: #"","request_id":"#.utf8)
        appendJSONString(requestId, to: &out)
        out.append(contentsOf: #","host":"#.utf8)
        appendJSONString(host, to: &out)
        out.append(contentsOf: #","store":"#.utf8)
        if let store { appendJSONString(store, to: &out) } else { out.append(contentsOf: "null".utf8) }
        out.append(contentsOf: #","method":"#.utf8)
        appendJSONString(method, to: &out)
        out.append(contentsOf: #","path":"#.utf8)
        appendJSONString(path, to: &out)
        out.append(contentsOf: #","status":"#.utf8)
        appendDecimal(status, width: 1, to: &out)
        out.append(contentsOf: #","duration_ms":"#.utf8)
        let micros = max(0, Int((durationMilliseconds * 1000).rounded()))
        appendDecimal(micros / 1000, width: 1, to: &out)
        out.append(UInt8(ascii: "."))
        appendDecimal(micros % 1000, width: 3, to: &out)
        out.append(contentsOf: "}\n".utf8)
        return String(decoding: out, as: UTF8.self)
    }

    /// UTC, millisecond precision, without Foundation.
    static func appendISO8601(seconds: Int, nanoseconds: Int, to out: inout [UInt8]) {
        var t = time_t(seconds)
        var tm = tm()
        gmtime_r(&t, &tm)
        appendDecimal(Int(tm.tm_year) + 1900, width: 4, to: &out)
        out.append(UInt8(ascii: "-"))
        appendDecimal(Int(tm.tm_mon) + 1, width: 2, to: &out)
        out.append(UInt8(ascii: "-"))
        appendDecimal(Int(tm.tm_mday), width: 2, to: &out)
        out.append(UInt8(ascii: "T"))
        appendDecimal(Int(tm.tm_hour), width: 2, to: &out)
        out.append(UInt8(ascii: ":"))
        appendDecimal(Int(tm.tm_min), width: 2, to: &out)
        out.append(UInt8(ascii: ":"))
        appendDecimal(Int(tm.tm_sec), width: 2, to: &out)
        out.append(UInt8(ascii: "."))
        appendDecimal(nanoseconds / 1_000_000, width: 3, to: &out)
        out.append(UInt8(ascii: "Z"))
    }
}

/// A non-negative integer in decimal, zero-padded to `width` digits.
func appendDecimal(_ value: Int, width: Int, to out: inout [UInt8]) {
    var digits: (UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8) =
        (0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0)
    var v = max(0, value)
    var count = 0
    withUnsafeMutableBytes(of: &digits) { buf in
        repeat {
            buf[count] = UInt8(ascii: "0") + UInt8(v % 10)
            v /= 10
            count += 1
        } while v > 0 && count < buf.count
        while count < width && count < buf.count {
            buf[count] = UInt8(ascii: "0")
            count += 1
        }
        for i in stride(from: count - 1, through: 0, by: -1) { out.append(buf[i]) }
    }
}

/// Appends `s` as a JSON string literal.
func appendJSONString(_ s: String, to out: inout [UInt8]) {
    out.append(UInt8(ascii: "\""))
    let hex: StaticString = "0123456789abcdef"
    for b in s.utf8 {
        switch b {
        case UInt8(ascii: "\""): out.append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "\"")])
        case UInt8(ascii: "\\"): out.append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "\\")])
        case UInt8(ascii: "\n"): out.append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "n")])
        case UInt8(ascii: "\r"): out.append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "r")])
        case UInt8(ascii: "\t"): out.append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "t")])
        case 0..<0x20:
            out.append(contentsOf: "\\u00".utf8)
            hex.withUTF8Buffer { h in
                out.append(h[Int(b >> 4)])
                out.append(h[Int(b & 0xf)])
            }
        default:
            out.append(b)
        }
    }
    out.append(UInt8(ascii: "\""))
}

/// Writes whole lines to stderr with one write(2) each, so lines from workers do not interleave.
public enum StandardError {
    public static func write(_ line: String) {
        var line = line
        line.withUTF8 { buf in
            var offset = 0
            while offset < buf.count {
                let n = Glibc.write(STDERR_FILENO, buf.baseAddress! + offset, buf.count - offset)
                if n < 0 { if errno == EINTR { continue } else { return } }
                offset += n
            }
        }
    }
}

/// A JSON string literal with the required escapes.
public func jsonString(_ s: String) -> String {
    var out: [UInt8] = []
    out.reserveCapacity(s.utf8.count + 2)
    appendJSONString(s, to: &out)
    return String(decoding: out, as: UTF8.self)
}
