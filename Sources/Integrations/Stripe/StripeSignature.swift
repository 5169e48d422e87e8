import Crypto

/// Why a webhook's `Stripe-Signature` was refused. Nothing of the payload is read before the
/// signature holds, so these are the only answers a forged request gets (as a 400).
public enum StripeSignatureError: Error, Equatable, Sendable, CustomStringConvertible {
    /// No header, or not `t=<digits>,v1=<hex>[,v1=...]`.
    case malformedHeader
    /// The header has no `v1` signature (other schemes such as `v0` are ignored).
    case noSignature
    /// The timestamp is further from now than the tolerance (a replay of an old delivery, or a
    /// clock far off).
    case timestampOutOfTolerance(ageSeconds: Int64)
    /// No `v1` value matches HMAC-SHA256(secret, "t.payload") for any configured secret.
    case mismatch

    public var description: String {
        switch self {
        case .malformedHeader: return "Stripe-Signature header is missing or malformed"
        case .noSignature: return "Stripe-Signature has no v1 signature"
        case .timestampOutOfTolerance(let age): return "Stripe-Signature timestamp is \(age) s from now"
        case .mismatch: return "Stripe-Signature does not match"
        }
    }
}

/// Stripe's webhook signature scheme: `Stripe-Signature: t=<unix time>,v1=<hex>,v1=<hex>` where
/// each `v1` is HMAC-SHA256 keyed with the endpoint's signing secret over `"<t>.<raw body>"`.
/// Several `v1` values appear while a secret is being rolled; any one matching is enough.
public enum StripeSignature {
    /// Stripe's default tolerance: five minutes either way.
    public static let defaultTolerance: Int64 = 300

    /// Throws unless `header` signs `payload` with one of `secrets` at a time within
    /// `tolerance` seconds of `now`. Comparison is constant-time.
    public static func verify(header: String?, payload: [UInt8], secrets: [String], now: Int64,
                              tolerance: Int64 = defaultTolerance) throws(StripeSignatureError) {
        guard let header, !header.isEmpty, header.utf8.count <= 4096 else { throw .malformedHeader }
        var timestamp: Int64?
        var signatures: [[UInt8]] = []
        for item in header.split(separator: ",", omittingEmptySubsequences: true) {
            let pair = item.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            guard pair.count == 2 else { throw .malformedHeader }
            let key = pair[0].trimmingSpaces()
            let value = pair[1].trimmingSpaces()
            switch key {
            case "t":
                guard timestamp == nil, !value.isEmpty, value.utf8.count <= 12,
                      value.utf8.allSatisfy({ $0 >= 0x30 && $0 <= 0x39 }), let t = Int64(value) else { throw .malformedHeader }
                timestamp = t
            case "v1":
                // A v1 that is not 64 hex digits can never match; it is skipped, not an error,
                // as Stripe's own libraries do.
                if value.utf8.count == 64, let bytes = Hex.decode(value.lowercased()) { signatures.append(bytes) }
            default:
                continue
            }
        }
        guard let timestamp else { throw .malformedHeader }
        guard !signatures.isEmpty else { throw .noSignature }
        let age = now - timestamp
        guard abs(age) <= tolerance else { throw .timestampOutOfTolerance(ageSeconds: age) }

        let message = Array(String(timestamp).utf8) + [0x2E] + payload
        var matched = false
        for secret in secrets where !secret.isEmpty {
            let expected = HMACSHA256.mac(key: Array(secret.utf8), message: message)
            // Every candidate is compared (no early exit), so timing says nothing about which.
            for candidate in signatures where constantTimeEqual(candidate, expected) { matched = true }
        }
        guard matched else { throw .mismatch }
    }

    /// The header Stripe would send for `payload` at `timestamp` (tests, the local stand-in).
    public static func header(payload: [UInt8], secret: String, timestamp: Int64) -> String {
        let message = Array(String(timestamp).utf8) + [0x2E] + payload
        return "t=\(timestamp),v1=" + Hex.encode(HMACSHA256.mac(key: Array(secret.utf8), message: message))
    }
}

extension Substring {
    fileprivate func trimmingSpaces() -> String {
        var s = self
        while s.first == " " { s.removeFirst() }
        while s.last == " " { s.removeLast() }
        return String(s)
    }
}
