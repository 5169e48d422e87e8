/// The one error type of the Crypto module. Descriptions never contain key material or plaintext.
public enum CryptoError: Error, CustomStringConvertible, Sendable, Equatable {
    /// Neither a key file nor `STOREFLEET_MASTER_KEY` was given.
    case noMasterKey
    /// The key file could not be read.
    case unreadableKeyFile(path: String)
    /// A key line is wrong (line number and reason; the key itself is never repeated).
    case invalidKeyring(String)
    /// The text is not an `sf1.<kid>.<payload>` value.
    case malformedSealedValue
    /// The value was sealed under a key id this keyring does not hold.
    case unknownKeyID(String)
    /// The value was altered, truncated, or sealed with different associated data.
    case authenticationFailed
    /// An OpenSSL call failed (the function name).
    case openSSL(String)

    public var description: String {
        switch self {
        case .noMasterKey:
            return "no master key: set STOREFLEET_MASTER_KEY_FILE (a file of kid:base64key lines) or STOREFLEET_MASTER_KEY"
        case .unreadableKeyFile(let path): return "cannot read master key file \(path)"
        case .invalidKeyring(let reason): return "invalid master key: \(reason)"
        case .malformedSealedValue: return "not a sealed value (expected sf1.<kid>.<base64url>)"
        case .unknownKeyID(let kid): return "sealed under unknown key id \(kid)"
        case .authenticationFailed: return "sealed value failed authentication (tampered, or wrong key)"
        case .openSSL(let function): return "OpenSSL \(function) failed"
        }
    }
}
