import Foundation

/// A webhook event, read only after its signature was verified (`StripeSignature.verify`).
/// The envelope first (`id`, `type`, the connected `account` if any); the object inside is
/// decoded by type with `object(as:)`.
public struct StripeEvent: Sendable {
    public let id: String
    public let type: String
    /// For events of a connected account (Connect webhooks), its id.
    public let account: String?
    let payload: Data

    struct Envelope: Decodable {
        let id: String
        let type: String
        let account: String?
    }

    struct DataEnvelope<T: Decodable>: Decodable {
        struct Inner: Decodable { let object: T }
        let data: Inner
    }

    /// Throws `StripeError.malformedResponse` unless the payload is an event object.
    public init(payload: [UInt8]) throws(StripeError) {
        let data = Data(payload)
        guard let envelope = try? JSONDecoder().decode(Envelope.self, from: data),
              !envelope.id.isEmpty, !envelope.type.isEmpty else { throw .malformedResponse("not an event") }
        id = envelope.id
        type = envelope.type
        account = envelope.account
        self.payload = data
    }

    /// `data.object` as `T` (e.g. `StripePaymentIntent` for `payment_intent.*`).
    public func object<T: Decodable>(as type: T.Type) throws(StripeError) -> T {
        do {
            return try JSONDecoder().decode(DataEnvelope<T>.self, from: payload).data.object
        } catch {
            throw .malformedResponse("event \(self.type) without a \(T.self)")
        }
    }
}
