import Crypto
import Testing
@testable import Integrations

/// Stripe's webhook signature (`t=...,v1=...`): what passes and what is refused.
@Suite("Stripe webhook signatures")
struct StripeSignatureTests {
    let secret = "whsec_test_secret"
    let payload = Array(#"{"id":"evt_1","type":"payment_intent.succeeded"}"#.utf8)
    let now: Int64 = 1_800_000_000

    func verify(_ header: String?, secrets: [String]? = nil, at time: Int64? = nil) throws(StripeSignatureError) {
        try StripeSignature.verify(header: header, payload: payload, secrets: secrets ?? [secret], now: time ?? now)
    }

    @Test func aFreshCorrectSignaturePasses() throws {
        try verify(StripeSignature.header(payload: payload, secret: secret, timestamp: now))
        // Within the tolerance either way (clocks differ a little).
        try verify(StripeSignature.header(payload: payload, secret: secret, timestamp: now - 299))
        try verify(StripeSignature.header(payload: payload, secret: secret, timestamp: now + 299))
    }

    @Test func theSignatureIsHMACSHA256OverTimestampDotPayload() throws {
        let mac = HMACSHA256.mac(key: Array(secret.utf8), message: Array("\(now).".utf8) + payload)
        try verify("t=\(now),v1=\(Hex.encode(mac))")
        // Upper-case hex is the same signature.
        try verify("t=\(now),v1=\(Hex.encode(mac).uppercased())")
    }

    @Test func aWrongSecretOrChangedPayloadIsAMismatch() {
        let other = StripeSignature.header(payload: payload, secret: "whsec_other", timestamp: now)
        #expect(throws: StripeSignatureError.mismatch) { try verify(other) }
        let good = StripeSignature.header(payload: payload, secret: secret, timestamp: now)
        #expect(throws: StripeSignatureError.mismatch) {
            try StripeSignature.verify(header: good, payload: payload + [0x20], secrets: [secret], now: now)
        }
        // The timestamp is signed too: moving it breaks the signature.
        let moved = good.replacingFirst("t=\(now)", with: "t=\(now + 1)")
        #expect(throws: StripeSignatureError.mismatch) { try verify(moved) }
    }

    @Test func anyOfSeveralV1SignaturesMayMatch() throws {
        let good = StripeSignature.header(payload: payload, secret: secret, timestamp: now)
        let goodV1 = String(good.split(separator: ",")[1])
        let badV1 = "v1=" + String(repeating: "0", count: 64)
        try verify("t=\(now),\(badV1),\(goodV1)")
        try verify("t=\(now),\(goodV1),\(badV1),v0=abc")
        #expect(throws: StripeSignatureError.mismatch) { try verify("t=\(now),\(badV1),\(badV1)") }
    }

    @Test func anyConfiguredSecretMayMatch() throws {
        let header = StripeSignature.header(payload: payload, secret: "whsec_connect", timestamp: now)
        try verify(header, secrets: [secret, "whsec_connect"])
        #expect(throws: StripeSignatureError.mismatch) { try verify(header, secrets: [secret]) }
        #expect(throws: StripeSignatureError.mismatch) { try verify(header, secrets: []) }
    }

    @Test func anOldOrFutureTimestampIsRefusedEvenWhenSigned() {
        let old = StripeSignature.header(payload: payload, secret: secret, timestamp: now - 301)
        #expect(throws: StripeSignatureError.timestampOutOfTolerance(ageSeconds: 301)) { try verify(old) }
        let future = StripeSignature.header(payload: payload, secret: secret, timestamp: now + 3600)
        #expect(throws: StripeSignatureError.timestampOutOfTolerance(ageSeconds: -3600)) { try verify(future) }
    }

    @Test(arguments: [nil, "", "garbage", "t=,v1=00", "t=abc,v1=00", "v1=" + String(repeating: "a", count: 64),
                      "t=1800000000,t=1800000000,v1=00", "t=-5,v1=00", "t=1800000000;v1=00"])
    func aMalformedHeaderIsRefused(header: String?) {
        #expect(throws: StripeSignatureError.malformedHeader) { try verify(header) }
    }

    @Test func aHeaderWithoutV1IsRefused() {
        #expect(throws: StripeSignatureError.noSignature) { try verify("t=\(now),v0=abcdef") }
        // A v1 that is not 64 hex digits can never match and counts as absent.
        #expect(throws: StripeSignatureError.noSignature) { try verify("t=\(now),v1=zz") }
    }
}

extension String {
    fileprivate func replacingFirst(_ target: String, with replacement: String) -> String {
        guard let r = range(of: target) else { return self }
        return replacingCharacters(in: r, with: replacement)
    }
}
