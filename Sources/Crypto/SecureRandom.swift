import COpenSSL

/// Cryptographically secure random bytes (OpenSSL `RAND_bytes`).
public enum SecureRandom {
    /// `n` random bytes. A failing system RNG is unrecoverable, so it stops the process.
    public static func bytes(_ n: Int) -> [UInt8] {
        var out = [UInt8](repeating: 0, count: n)
        if n == 0 { return out }
        let ok = out.withUnsafeMutableBytes { RAND_bytes($0.baseAddress!.assumingMemoryBound(to: UInt8.self), Int32(n)) }
        precondition(ok == 1, "RAND_bytes failed")
        return out
    }

    /// A random token: `bytes` random bytes in base64url without padding (32 bytes → 43 chars).
    public static func token(bytes: Int = 32) -> String {
        Base64URL.encode(self.bytes(bytes))
    }
}
