import Crypto
import Foundation
import Testing

private func hex(_ s: String) -> [UInt8] { Hex.decode(s.replacingOccurrences(of: " ", with: ""))! }

@Suite struct PrimitiveTests {
    /// RFC 4231 test cases 1, 2, 3, 4, 6 and 7 (case 5 tests truncation, which we never do).
    @Test(arguments: [
        (String(repeating: "0b", count: 20), Array("Hi There".utf8),
         "b0344c61d8db38535ca8afceaf0bf12b881dc200c9833da726e9376c2e32cff7"),
        (Hex.encode(Array("Jefe".utf8)), Array("what do ya want for nothing?".utf8),
         "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843"),
        (String(repeating: "aa", count: 20), [UInt8](repeating: 0xdd, count: 50),
         "773ea91e36800e46854db8ebd09181a72959098b3ef8c122d9635514ced565fe"),
        ("0102030405060708090a0b0c0d0e0f10111213141516171819", [UInt8](repeating: 0xcd, count: 50),
         "82558a389a443c0ea4cc819899f2083a85f0faa3e578f8077a2e3ff46729665b"),
        (String(repeating: "aa", count: 131), Array("Test Using Larger Than Block-Size Key - Hash Key First".utf8),
         "60e431591ee0b67f0d8a26aacbf5b77f8e0bc6213728c5140546040f0ee37f54"),
        (String(repeating: "aa", count: 131),
         Array("This is a test using a larger than block-size key and a larger than block-size data. The key needs to be hashed before being used by the HMAC algorithm.".utf8),
         "9b09ffa71b942fcb27635fbcd5b0e944bfdc63644f0713938a7f51535c3a35e2"),
    ])
    func hmacSHA256MatchesRFC4231(key: String, message: [UInt8], expected: String) {
        let mac = HMACSHA256.mac(key: hex(key), message: message)
        #expect(Hex.encode(mac) == expected)
        #expect(HMACSHA256.verify(mac, key: hex(key), message: message))
        #expect(!HMACSHA256.verify(mac, key: hex(key), message: message + [0]))
    }

    @Test func sha256KnownAnswers() {
        #expect(Hex.encode(SHA256Digest.hash([])) == "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855")
        #expect(SHA256Digest.hexHash("abc") == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad")
    }

    /// RFC 7914 section 12, the first two vectors (the others need 1 GiB and minutes).
    @Test func scryptMatchesRFC7914() throws {
        let empty = try #require(PasswordHasher.scrypt([], salt: [], parameters: .init(n: 16, r: 1, p: 1), length: 64))
        #expect(Hex.encode(empty) == "77d6576238657b203b19ca42c18a0497f16b4844e3074ae8dfdffa3fede21442fcd0069ded0948f8326a753a0fc81f17e8d3e0fb2e0d3628cf35e20c38d18906")
        let nacl = try #require(PasswordHasher.scrypt(Array("password".utf8), salt: Array("NaCl".utf8),
                                                      parameters: .init(n: 1024, r: 8, p: 16), length: 64))
        #expect(Hex.encode(nacl) == "fdbabe1c9d3472007856e7190d01e9fe7c6ad7cbc8237830e77376634b3731622eaf30d92e22a3886ff109279d9830dac727afb94a83ee6d8360cbdfa2cc0640")
    }

    @Test func passwordHashVerifiesAndCarriesItsParameters() {
        let stored = PasswordHasher.hash("correct horse battery staple")
        let p = PasswordHasher.Parameters.current
        #expect(stored.hasPrefix("scrypt$\(p.n)$\(p.r)$\(p.p)$"))
        #expect(!stored.contains("correct"))
        #expect(PasswordHasher.verify("correct horse battery staple", against: stored))
        #expect(!PasswordHasher.verify("correct horse battery stapl", against: stored))
        #expect(PasswordHasher.hash("same") != PasswordHasher.hash("same"))   // per-hash salt
        #expect(!PasswordHasher.needsRehash(stored))

        // Cheaper old parameters still verify, and ask to be rehashed.
        let cheap = PasswordHasher.hash("pw", parameters: .init(n: 1024, r: 8, p: 1))
        #expect(PasswordHasher.verify("pw", against: cheap))
        #expect(PasswordHasher.needsRehash(cheap))
    }

    @Test func composedAndDecomposedAccentsAreTheSamePassword() {
        let composed = "caf\u{E9}"           // é as one code point
        let decomposed = "cafe\u{301}"       // e + combining acute accent
        #expect(Array(composed.utf8) != Array(decomposed.utf8))
        let stored = PasswordHasher.hash(composed, parameters: .init(n: 1024, r: 8, p: 1))
        #expect(PasswordHasher.verify(decomposed, against: stored))
        #expect(!PasswordHasher.verify("cafe", against: stored))
    }

    @Test func malformedOrAbusiveStoredHashesDoNotVerify() {
        let stored = PasswordHasher.hash("pw", parameters: .init(n: 1024, r: 8, p: 1))
        var parts = stored.split(separator: "$").map(String.init)
        #expect(!PasswordHasher.verify("pw", against: ""))
        #expect(!PasswordHasher.verify("pw", against: "bcrypt$2a$10$abc"))
        parts[1] = String(1 << 30)            // a gigantic N must be refused, not attempted
        #expect(!PasswordHasher.verify("pw", against: parts.joined(separator: "$")))
        parts[1] = "1000"                      // not a power of two
        #expect(!PasswordHasher.verify("pw", against: parts.joined(separator: "$")))
    }

    /// Measured in this thread's CPU time: wall time on a shared, loaded machine says little.
    @Test func currentScryptCostIsAboutFiftyMilliseconds() {
        func threadCPUSeconds() -> Double {
            var ts = timespec()
            clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts)
            return Double(ts.tv_sec) + Double(ts.tv_nsec) / 1e9
        }
        var best = Double.infinity
        for _ in 0..<3 {
            let start = threadCPUSeconds()
            _ = PasswordHasher.hash("timing")
            best = min(best, threadCPUSeconds() - start)
        }
        // Loose bounds: the point is "tens of milliseconds", not a benchmark.
        #expect(best > 0.015, "scrypt is too cheap: \(best) s")
        #expect(best < 0.200, "scrypt is too slow for a login: \(best) s")
    }

    @Test func randomTokensAreUniqueAndWellFormed() {
        let tokens = (0..<2000).map { _ in SecureRandom.token() }
        #expect(Set(tokens).count == tokens.count)
        #expect(tokens.allSatisfy { $0.count == 43 && !$0.contains("=") && !$0.contains("+") && !$0.contains("/") })
        #expect(SecureRandom.bytes(32) != SecureRandom.bytes(32))
        #expect(SecureRandom.bytes(0).isEmpty)
        #expect(Base64URL.decode(tokens[0])?.count == 32)
    }

    @Test func base64RoundTripsAndRejectsJunk() {
        for n in 0..<40 {
            let bytes = (0..<n).map { UInt8(($0 * 37 + n) & 0xff) }
            #expect(Base64URL.decode(Base64URL.encode(bytes)) == bytes)
            #expect(Base64.decode(Base64.encode(bytes)) == bytes)
            #expect(Base64.encode(bytes) == Data(bytes).base64EncodedString())
        }
        #expect(Base64URL.encode([0xfb, 0xff]) == "-_8")
        #expect(Base64URL.decode("a") == nil)
        #expect(Base64URL.decode("ab$d") == nil)
    }

    @Test func constantTimeEqualComparesContent() {
        #expect(constantTimeEqual([1, 2, 3], [1, 2, 3]))
        #expect(!constantTimeEqual([1, 2, 3], [1, 2, 4]))
        #expect(!constantTimeEqual([1, 2, 3], [1, 2]))
        #expect(constantTimeEqual([], []))
    }
}
