import Crypto
import Foundation
import Testing

@Suite struct TotpTests {
    /// RFC 6238 Appendix B, SHA-1 rows: the 20-byte ASCII key "12345678901234567890", 8 digits.
    @Test(arguments: [
        (59.0, "94287082"), (1111111109.0, "07081804"), (1111111111.0, "14050471"),
        (1234567890.0, "89005924"), (2000000000.0, "69279037"), (20000000000.0, "65353130"),
    ])
    func rfc6238Vectors(seconds: Double, expected: String) {
        let totp = TOTP(secret: Array("12345678901234567890".utf8), digits: 8)
        #expect(totp.code(at: Date(timeIntervalSince1970: seconds)) == expected)
        // Six digits are the same value modulo 10^6.
        let six = TOTP(secret: Array("12345678901234567890".utf8))
        #expect(six.code(at: Date(timeIntervalSince1970: seconds)) == String(expected.suffix(6)))
    }

    /// RFC 4226 Appendix D: HOTP values for counters 0–9.
    @Test func rfc4226Vectors() {
        let hotp = TOTP(secret: Array("12345678901234567890".utf8))
        let expected = ["755224", "287082", "359152", "969429", "338314",
                        "254676", "287922", "162583", "399871", "520489"]
        #expect((0..<10).map { hotp.code(counter: UInt64($0)) } == expected)
    }

    @Test func acceptsOneStepEitherSideOnly() {
        let totp = TOTP(secret: Array("12345678901234567890".utf8))
        let now = Date(timeIntervalSince1970: 1111111111)   // step 37037037
        let step = totp.counter(at: now)
        #expect(totp.matchingCounter(totp.code(counter: step), at: now) == step)
        #expect(totp.matchingCounter(totp.code(counter: step - 1), at: now) == step - 1)
        #expect(totp.matchingCounter(totp.code(counter: step + 1), at: now) == step + 1)
        #expect(totp.matchingCounter(totp.code(counter: step - 2), at: now) == nil)
        #expect(totp.matchingCounter(totp.code(counter: step + 2), at: now) == nil)
        let code = totp.code(counter: step)
        #expect(totp.matchingCounter(String(code.prefix(3)) + " " + code.dropFirst(3), at: now) == step)
        #expect(totp.matchingCounter("12345", at: now) == nil)
        #expect(totp.matchingCounter("abcdef", at: now) == nil)
    }

    @Test func provisioningURI() {
        let totp = TOTP(secret: Array("12345678901234567890".utf8))
        #expect(totp.provisioningURI(issuer: "Storefleet", account: "ana+shop@example.com")
            == "otpauth://totp/Storefleet:ana%2Bshop@example.com?secret=GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ&issuer=Storefleet")
        #expect(TOTP.generateSecret().count == 20)
        #expect(TOTP.generateSecret() != TOTP.generateSecret())
    }
}

@Suite struct Base32Tests {
    /// RFC 4648 §10.
    @Test(arguments: [
        ("", ""), ("f", "MY======"), ("fo", "MZXQ===="), ("foo", "MZXW6==="), ("foob", "MZXW6YQ="),
        ("fooba", "MZXW6YTB"), ("foobar", "MZXW6YTBOI======"),
    ])
    func rfc4648Vectors(plain: String, encoded: String) {
        #expect(Base32.encode(Array(plain.utf8)) == encoded)
        #expect(Base32.decode(encoded) == Array(plain.utf8))
        let unpadded = encoded.replacingOccurrences(of: "=", with: "")
        #expect(Base32.encode(Array(plain.utf8), padding: false) == unpadded)
        #expect(Base32.decode(unpadded.lowercased()) == Array(plain.utf8))
    }

    @Test func rejectsWhatIsNotBase32() {
        #expect(Base32.decode("MZXW1") == nil)       // 1 is not in the alphabet
        #expect(Base32.decode("MZ=XW") == nil)       // data after padding
        #expect(Base32.decode("MZ") == nil)          // leftover bits that are not zero
        #expect(Base32.decode("MY") == [0x66])
        #expect(Base32.decode("MZXW 6YTB-OI") == Array("foobar".utf8))
        let random = SecureRandom.bytes(20)
        #expect(Base32.decode(Base32.encode(random, padding: false)) == random)
    }
}
