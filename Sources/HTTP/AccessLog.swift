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
        var s = "{\"time\":\"" + AccessLogEntry.iso8601(seconds: seconds, nanoseconds: nanoseconds) + "\""
        s += ",\"request_id\":" + jsonString(requestId)
        s += ",\"host\":" + jsonString(host)
        s += ",\"store\":" + (store.map(jsonString) ?? "null")
        s += ",\"method\":" + jsonString(method)
        s += ",\"path\":" + jsonString(path)
        s += ",\"status\":\(status)"
        let micros = Int((durationMilliseconds * 1000).rounded())
        let frac = micros % 1000
        s += ",\"duration_ms\":\(micros / 1000)." + (frac < 10 ? "00" : frac < 100 ? "0" : "") + "\(frac)}\n"
        return s
    }

    /// UTC, millisecond precision, without Foundation.
    static func iso8601(seconds: Int, nanoseconds: Int) -> String {
        var t = time_t(seconds)
        var tm = tm()
        gmtime_r(&t, &tm)
        func pad(_ v: Int32, _ width: Int) -> String {
            let s = String(v)
            return String(repeating: "0", count: max(0, width - s.count)) + s
        }
        return "\(pad(tm.tm_year + 1900, 4))-\(pad(tm.tm_mon + 1, 2))-\(pad(tm.tm_mday, 2))T"
            + "\(pad(tm.tm_hour, 2)):\(pad(tm.tm_min, 2)):\(pad(tm.tm_sec, 2)).\(pad(Int32(nanoseconds / 1_000_000), 3))Z"
    }
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
    var out = "\""
    out.reserveCapacity(s.utf8.count + 2)
    for c in s.unicodeScalars {
        switch c {
        case "\"": out += "\\\""
        case "\\": out += "\\\\"
        case "\n": out += "\\n"
        case "\r": out += "\\r"
        case "\t": out += "\\t"
        default:
            if c.value < 0x20 {
                let hex = Array("0123456789abcdef".utf8)
                out += "\\u00" + String(decoding: [hex[Int(c.value >> 4)], hex[Int(c.value & 0xf)]], as: UTF8.self)
            } else {
                out.unicodeScalars.append(c)
            }
        }
    }
    return out + "\""
}
