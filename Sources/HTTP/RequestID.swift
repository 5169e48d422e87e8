#if canImport(Glibc)
import Glibc
#endif

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

    /// 32 lower-case hex characters: the wall-clock time in nanoseconds (so ids sort by time)
    /// followed by 64 random bits.
    public static func generate() -> String {
        var ts = timespec()
        clock_gettime(CLOCK_REALTIME, &ts)
        let time = UInt64(ts.tv_sec) &* 1_000_000_000 &+ UInt64(ts.tv_nsec)
        var rng = SystemRandomNumberGenerator()
        let random: UInt64 = rng.next()
        let hex: StaticString = "0123456789abcdef"
        return String(unsafeUninitializedCapacity: 32) { buf in
            hex.withUTF8Buffer { h in
                for i in 0..<16 {
                    buf[i] = h[Int((time >> UInt64(60 - 4 * i)) & 0xf)]
                    buf[16 + i] = h[Int((random >> UInt64(60 - 4 * i)) & 0xf)]
                }
            }
            return 32
        }
    }
}
