/// Request ids: the one nginx or a proxy sent in `X-Request-Id` if it is sane, else a new one.
public enum RequestID {
    /// The incoming id if it is 8–128 characters of `[A-Za-z0-9._:-]`, else nil.
    public static func sanitize(_ incoming: String?) -> String? {
        guard let s = incoming else { return nil }
        let n = s.utf8.count
        guard n >= 8, n <= 128 else { return nil }
        for b in s.utf8 {
            switch b {
            case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"),
                 UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "-"), UInt8(ascii: "_"),
                 UInt8(ascii: "."), UInt8(ascii: ":"):
                continue
            default:
                return nil
            }
        }
        return s
    }

    /// 32 lower-case hex characters from the system's random source.
    public static func generate() -> String {
        var rng = SystemRandomNumberGenerator()
        let hex: [UInt8] = Array("0123456789abcdef".utf8)
        return String(unsafeUninitializedCapacity: 32) { buf in
            var i = 0
            for _ in 0..<2 {
                var v = rng.next() as UInt64
                for _ in 0..<16 {
                    buf[i] = hex[Int(v & 0xf)]
                    v >>= 4
                    i += 1
                }
            }
            return 32
        }
    }
}
