import Crypto
import Foundation
import Testing

@Suite struct KeyringTests {
    static let keyA = [UInt8](repeating: 0xA1, count: 32)
    static let keyB = [UInt8](repeating: 0xB2, count: 32)

    @Test func sealOpenRoundTrip() throws {
        let ring = try Keyring(keys: [("k1", Self.keyA)])
        let secret = Array("postgresql://tenant_42:s3cret@db2/store_42".utf8)
        let sealed = try ring.seal(secret)
        #expect(sealed.hasPrefix("sf1.k1."))
        #expect(!sealed.contains("s3cret"))
        #expect(try ring.open(sealed) == secret)
        // A fresh nonce every time: the same plaintext never seals to the same text.
        #expect(try ring.seal(secret) != sealed)
        // Payload is nonce (12) + ciphertext + tag (16).
        let payload = try #require(Base64URL.decode(String(sealed.split(separator: ".")[2])))
        #expect(payload.count == 12 + secret.count + 16)
        #expect(try ring.openString(try ring.seal("")) == "")
    }

    @Test func tamperingIsDetected() throws {
        let ring = try Keyring(keys: [("k1", Self.keyA)])
        let sealed = try ring.seal(Array("pay me 10".utf8))
        let parts = sealed.split(separator: ".").map(String.init)
        var payload = try #require(Base64URL.decode(parts[2]))
        for index in [0, 12, payload.count - 1] {   // nonce, ciphertext, tag
            payload[index] ^= 0x01
            let tampered = "sf1.k1." + Base64URL.encode(payload)
            #expect(throws: CryptoError.authenticationFailed) { _ = try ring.open(tampered) }
            payload[index] ^= 0x01
        }
        let truncated = "sf1.k1." + Base64URL.encode(Array(payload.dropLast()))
        #expect(throws: CryptoError.authenticationFailed) { _ = try ring.open(truncated) }
        #expect(throws: CryptoError.malformedSealedValue) { _ = try ring.open("sf1.k1") }
        #expect(throws: CryptoError.malformedSealedValue) { _ = try ring.open("plain text") }
        #expect(throws: CryptoError.malformedSealedValue) { _ = try ring.open("sf1.k1.!!!") }
    }

    @Test func associatedDataBindsTheValueToItsOwner() throws {
        let ring = try Keyring(keys: [("k1", Self.keyA)])
        let sealed = try ring.seal(Array("pw".utf8), associatedData: Array("store:1".utf8))
        #expect(try ring.open(sealed, associatedData: Array("store:1".utf8)) == Array("pw".utf8))
        #expect(throws: CryptoError.authenticationFailed) {
            _ = try ring.open(sealed, associatedData: Array("store:2".utf8))
        }
    }

    @Test func unknownOrSwappedKeyIDIsRefused() throws {
        let old = try Keyring(keys: [("k1", Self.keyA)])
        let other = try Keyring(keys: [("k2", Self.keyB)])
        let sealed = try old.seal(Array("x".utf8))
        #expect(throws: CryptoError.unknownKeyID("k1")) { _ = try other.open(sealed) }
        // Relabelling the value with a key id the ring holds does not help: the header is authenticated.
        let both = try Keyring(keys: [("k1", Self.keyA), ("k2", Self.keyB)])
        let relabelled = sealed.replacingOccurrences(of: "sf1.k1.", with: "sf1.k2.")
        #expect(throws: CryptoError.authenticationFailed) { _ = try both.open(relabelled) }
    }

    @Test func rotationKeepsOldValuesOpenAndFlagsThemForResealing() throws {
        let before = try Keyring(keys: [("k1", Self.keyA)])
        let sealedOld = try before.seal(Array("tenant password".utf8))
        #expect(!before.needsResealing(sealedOld))

        let after = try before.adding(kid: "k2", key: Self.keyB)
        #expect(after.currentKeyID == "k2")
        #expect(after.needsResealing(sealedOld))
        #expect(try after.open(sealedOld) == Array("tenant password".utf8))

        let resealed = try after.seal(try after.open(sealedOld))
        #expect(resealed.hasPrefix("sf1.k2."))
        #expect(!after.needsResealing(resealed))
        #expect(Keyring.keyID(of: resealed) == "k2")
        #expect(after.needsResealing("garbage"))
    }

    @Test func loadsFromFileEnvironmentAndReferencedFile() throws {
        let lineA = "old:" + Base64.encode(Self.keyA)
        let lineB = "new:" + Base64URL.encode(Self.keyB)    // URL-safe, unpadded also accepted
        let path = NSTemporaryDirectory() + "sf-keys-\(UUID().uuidString)"
        defer { try? FileManager.default.removeItem(atPath: path) }
        try "# master keys\n\(lineA)\n\n\(lineB)\n".write(toFile: path, atomically: true, encoding: .utf8)

        let fromFile = try Keyring.load(file: path, environment: [:])
        #expect(fromFile.keyIDs == ["old", "new"])
        #expect(fromFile.currentKeyID == "new")

        let fromEnv = try Keyring.load(file: nil, environment: ["STOREFLEET_MASTER_KEY": "\(lineA);\(lineB)"])
        #expect(fromEnv.currentKeyID == "new")
        #expect(try fromEnv.open(try fromFile.seal(Array("same keys".utf8))) == Array("same keys".utf8))

        let viaFileVariable = try Keyring.load(file: nil, environment: ["STOREFLEET_MASTER_KEY_FILE": path])
        #expect(viaFileVariable.keyIDs == ["old", "new"])

        #expect(throws: CryptoError.noMasterKey) { _ = try Keyring.load(file: nil, environment: [:]) }
        #expect(throws: CryptoError.unreadableKeyFile(path: path + ".missing")) {
            _ = try Keyring.load(file: path + ".missing", environment: [:])
        }
    }

    @Test func badKeyLinesAreRefusedWithoutEchoingTheKey() throws {
        let short = "k1:" + Base64.encode([UInt8](repeating: 7, count: 16))
        for text in [short, "no-colon-here", "bad.kid:" + Base64.encode(Self.keyA), "k1:not*base64",
                     "k1:\(Base64.encode(Self.keyA))\nk1:\(Base64.encode(Self.keyB))", "# only a comment"] {
            #expect {
                _ = try Keyring(parsing: text)
            } throws: { error in
                guard let error = error as? CryptoError, case .invalidKeyring(let reason) = error else { return false }
                return !reason.contains(Base64.encode(Self.keyA)) && !reason.contains("BwcH")
            }
        }
    }

    @Test func generatedLinesAndAppendedKeysLoad() throws {
        let line = Keyring.generateKeyLine(kid: "k2026a")
        #expect(line.hasPrefix("k2026a:"))
        #expect(try Keyring(parsing: line).currentKeyID == "k2026a")
        #expect(Keyring.generateKeyLine(kid: "x") != Keyring.generateKeyLine(kid: "x"))

        let path = NSTemporaryDirectory() + "sf-append-\(UUID().uuidString)"
        defer { try? FileManager.default.removeItem(atPath: path) }
        let first = try Keyring.appendNewKey(toFile: path, kid: "first")
        let sealed = try Keyring.load(file: path, environment: [:]).seal(Array("v".utf8))
        let second = try Keyring.appendNewKey(toFile: path)
        #expect(first == "first")
        let ring = try Keyring.load(file: path, environment: [:])
        #expect(ring.keyIDs == ["first", second])
        #expect(ring.needsResealing(sealed))
        #expect(try ring.open(sealed) == Array("v".utf8))
        #expect(throws: CryptoError.self) { try Keyring.appendNewKey(toFile: path, kid: "first") }
        let mode = try FileManager.default.attributesOfItem(atPath: path)[.posixPermissions] as? Int
        #expect(mode == 0o600)
    }

    @Test func printingAKeyringShowsKeyIDsOnly() throws {
        let ring = try Keyring(keys: [("k1", Self.keyA), ("k2", Self.keyB)])
        var dumped = ""
        dump(ring, to: &dumped)
        for text in ["\(ring)", String(reflecting: ring), dumped] {
            #expect(text.contains("k2"))
            #expect(!text.contains("161"), "key bytes (0xA1 = 161) in: \(text)")
            #expect(!text.contains(Base64.encode(Self.keyA)))
        }
    }
}
