import COpenSSL

/// Master keys by id, one of them current, for sealing secrets with AES-256-GCM.
///
/// A sealed value reads `sf1.<kid>.<base64url(nonce | ciphertext | tag)>`: a 12-byte random
/// nonce, the ciphertext, the 16-byte tag. The `sf1.<kid>` header is authenticated too (as
/// associated data, followed by any caller-supplied associated data), so neither the key id
/// nor the payload can be swapped. `seal` always uses the current key; `open` uses whichever
/// key the value names, so values sealed under older keys keep opening while
/// `storefleet keys rotate` re-seals them (`needsResealing`).
///
/// Keys come from `Keyring.load` (see `Keyring+Loading.swift` for the file format).
public struct Keyring: Sendable, CustomStringConvertible, CustomDebugStringConvertible, CustomReflectable {
    /// Key ids in file order; the last one is current.
    public let keyIDs: [String]
    let keys: [String: [UInt8]]

    /// Key ids only, never key material (`"\(keyring)"` may end up in a log).
    public var description: String { "Keyring(current: \(currentKeyID), keys: \(keyIDs.joined(separator: ", ")))" }
    public var debugDescription: String { description }
    public var customMirror: Mirror { Mirror(self, children: ["keyIDs": keyIDs], displayStyle: .struct) }

    /// The id new values are sealed under.
    public var currentKeyID: String { keyIDs[keyIDs.count - 1] }

    static let prefix = "sf1"
    static let nonceLength = 12
    static let tagLength = 16
    public static let keyLength = 32

    /// A keyring from `(kid, 32-byte key)` pairs; the last is current.
    public init(keys pairs: [(id: String, key: [UInt8])]) throws(CryptoError) {
        guard !pairs.isEmpty else { throw .invalidKeyring("no keys") }
        var keys: [String: [UInt8]] = [:]
        for (n, pair) in pairs.enumerated() {
            guard Keyring.isValidKeyID(pair.id) else {
                throw .invalidKeyring("key \(n + 1): key id must be 1-64 of A-Z a-z 0-9 _ -")
            }
            guard pair.key.count == Keyring.keyLength else {
                throw .invalidKeyring("key \(pair.id): must be \(Keyring.keyLength) bytes")
            }
            guard keys[pair.id] == nil else { throw .invalidKeyring("key id \(pair.id) appears twice") }
            keys[pair.id] = pair.key
        }
        self.keys = keys
        self.keyIDs = pairs.map(\.id)
    }

    static func isValidKeyID(_ kid: String) -> Bool {
        let bytes = Array(kid.utf8)
        return (1...64).contains(bytes.count) && bytes.allSatisfy { b in
            (b >= 48 && b <= 57) || (b >= 65 && b <= 90) || (b >= 97 && b <= 122) || b == 95 || b == 45
        }
    }

    /// Seals under the current key. `associatedData` (e.g. a tenant id) must be given again to open.
    public func seal(_ plaintext: [UInt8], associatedData: [UInt8] = []) throws(CryptoError) -> String {
        let kid = currentKeyID
        let header = Keyring.prefix + "." + kid
        let nonce = SecureRandom.bytes(Keyring.nonceLength)
        let (ciphertext, tag) = try AESGCM.seal(plaintext, key: keys[kid]!, nonce: nonce,
                                                aad: Array(header.utf8) + associatedData)
        return header + "." + Base64URL.encode(nonce + ciphertext + tag)
    }

    /// Seals a string's UTF-8 bytes.
    public func seal(_ plaintext: String, associatedData: [UInt8] = []) throws(CryptoError) -> String {
        try seal(Array(plaintext.utf8), associatedData: associatedData)
    }

    /// Opens a value sealed under any key of this keyring.
    public func open(_ sealed: String, associatedData: [UInt8] = []) throws(CryptoError) -> [UInt8] {
        let parts = try Keyring.parse(sealed)
        guard let key = keys[parts.kid] else { throw .unknownKeyID(parts.kid) }
        let payload = parts.payload
        guard payload.count >= Keyring.nonceLength + Keyring.tagLength else { throw .malformedSealedValue }
        let nonce = Array(payload[0..<Keyring.nonceLength])
        let ciphertext = Array(payload[Keyring.nonceLength..<(payload.count - Keyring.tagLength)])
        let tag = Array(payload[(payload.count - Keyring.tagLength)...])
        return try AESGCM.open(ciphertext, tag: tag, key: key, nonce: nonce,
                               aad: Array((Keyring.prefix + "." + parts.kid).utf8) + associatedData)
    }

    /// Opens a value and reads it as UTF-8.
    public func openString(_ sealed: String, associatedData: [UInt8] = []) throws(CryptoError) -> String {
        String(decoding: try open(sealed, associatedData: associatedData), as: UTF8.self)
    }

    /// True when `sealed` is not sealed under the current key (an older key, or not a sealed value).
    public func needsResealing(_ sealed: String) -> Bool {
        guard let parts = try? Keyring.parse(sealed) else { return true }
        return parts.kid != currentKeyID
    }

    /// The key id a sealed value names, without opening it.
    public static func keyID(of sealed: String) -> String? {
        try? parse(sealed).kid
    }

    static func parse(_ sealed: String) throws(CryptoError) -> (kid: String, payload: [UInt8]) {
        let parts = sealed.split(separator: ".", omittingEmptySubsequences: false)
        guard parts.count == 3, parts[0] == Keyring.prefix, isValidKeyID(String(parts[1])),
              let payload = Base64URL.decode(String(parts[2])) else { throw .malformedSealedValue }
        return (String(parts[1]), payload)
    }
}

/// AES-256-GCM through the EVP interface; one `EVP_CIPHER_CTX` per call, freed on return.
enum AESGCM {
    static func seal(_ plaintext: [UInt8], key: [UInt8], nonce: [UInt8], aad: [UInt8]) throws(CryptoError)
        -> (ciphertext: [UInt8], tag: [UInt8]) {
        guard let ctx = EVP_CIPHER_CTX_new() else { throw .openSSL("EVP_CIPHER_CTX_new") }
        defer { EVP_CIPHER_CTX_free(ctx) }
        guard EVP_EncryptInit_ex(ctx, EVP_aes_256_gcm(), nil, key, nonce) == 1 else {
            throw .openSSL("EVP_EncryptInit_ex")
        }
        var length: Int32 = 0
        if !aad.isEmpty {
            guard EVP_EncryptUpdate(ctx, nil, &length, aad, Int32(aad.count)) == 1 else { throw .openSSL("EVP_EncryptUpdate") }
        }
        var out = [UInt8](repeating: 0, count: plaintext.count + 16)
        var total: Int32 = 0
        if !plaintext.isEmpty {
            guard EVP_EncryptUpdate(ctx, &out, &length, plaintext, Int32(plaintext.count)) == 1 else {
                throw .openSSL("EVP_EncryptUpdate")
            }
            total = length
        }
        let final = out.withUnsafeMutableBufferPointer { buffer in
            EVP_EncryptFinal_ex(ctx, buffer.baseAddress! + Int(total), &length)
        }
        guard final == 1 else { throw .openSSL("EVP_EncryptFinal_ex") }
        total += length
        var tag = [UInt8](repeating: 0, count: Keyring.tagLength)
        guard EVP_CIPHER_CTX_ctrl(ctx, EVP_CTRL_GCM_GET_TAG, Int32(Keyring.tagLength), &tag) == 1 else {
            throw .openSSL("EVP_CIPHER_CTX_ctrl(GET_TAG)")
        }
        return (Array(out[0..<Int(total)]), tag)
    }

    static func open(_ ciphertext: [UInt8], tag: [UInt8], key: [UInt8], nonce: [UInt8], aad: [UInt8]) throws(CryptoError) -> [UInt8] {
        guard let ctx = EVP_CIPHER_CTX_new() else { throw .openSSL("EVP_CIPHER_CTX_new") }
        defer { EVP_CIPHER_CTX_free(ctx) }
        guard EVP_DecryptInit_ex(ctx, EVP_aes_256_gcm(), nil, key, nonce) == 1 else {
            throw .openSSL("EVP_DecryptInit_ex")
        }
        var length: Int32 = 0
        if !aad.isEmpty {
            guard EVP_DecryptUpdate(ctx, nil, &length, aad, Int32(aad.count)) == 1 else { throw .openSSL("EVP_DecryptUpdate") }
        }
        var out = [UInt8](repeating: 0, count: ciphertext.count + 16)
        var total: Int32 = 0
        if !ciphertext.isEmpty {
            guard EVP_DecryptUpdate(ctx, &out, &length, ciphertext, Int32(ciphertext.count)) == 1 else {
                throw .authenticationFailed
            }
            total = length
        }
        var tagCopy = tag
        guard EVP_CIPHER_CTX_ctrl(ctx, EVP_CTRL_GCM_SET_TAG, Int32(tag.count), &tagCopy) == 1 else {
            throw .openSSL("EVP_CIPHER_CTX_ctrl(SET_TAG)")
        }
        let final = out.withUnsafeMutableBufferPointer { buffer in
            EVP_DecryptFinal_ex(ctx, buffer.baseAddress! + Int(total), &length)
        }
        guard final > 0 else { throw .authenticationFailed }
        total += length
        return Array(out[0..<Int(total)])
    }
}
