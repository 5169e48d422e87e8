/// The fields of Stripe's objects that Storefleet reads. Unknown fields are ignored, so newer
/// API versions (and the local stand-in's extras) decode alike.

/// A Connect account (`acct_...`).
public struct StripeAccount: Decodable, Sendable, Equatable {
    public let id: String
    public let chargesEnabled: Bool
    public let payoutsEnabled: Bool
    public let detailsSubmitted: Bool

    enum CodingKeys: String, CodingKey {
        case id, chargesEnabled = "charges_enabled", payoutsEnabled = "payouts_enabled", detailsSubmitted = "details_submitted"
    }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        id = try c.decode(String.self, forKey: .id)
        chargesEnabled = try c.decodeIfPresent(Bool.self, forKey: .chargesEnabled) ?? false
        payoutsEnabled = try c.decodeIfPresent(Bool.self, forKey: .payoutsEnabled) ?? false
        detailsSubmitted = try c.decodeIfPresent(Bool.self, forKey: .detailsSubmitted) ?? false
    }

    public init(id: String, chargesEnabled: Bool, payoutsEnabled: Bool, detailsSubmitted: Bool) {
        self.id = id
        self.chargesEnabled = chargesEnabled
        self.payoutsEnabled = payoutsEnabled
        self.detailsSubmitted = detailsSubmitted
    }
}

/// An onboarding link for a connected account: send the merchant's browser to `url`.
public struct StripeAccountLink: Decodable, Sendable {
    public let url: String
    public let expiresAt: Int64?

    enum CodingKeys: String, CodingKey { case url, expiresAt = "expires_at" }
}

/// A PaymentIntent (`pi_...`).
public struct StripePaymentIntent: Decodable, Sendable, Equatable {
    public struct TransferData: Decodable, Sendable, Equatable {
        public let destination: String?
    }

    /// Why the last attempt failed (`payment_intent.payment_failed`), e.g. a declined card.
    public struct PaymentError: Decodable, Sendable, Equatable {
        public let code: String?
        public let message: String?
    }

    public let id: String
    public let amount: Int64
    public let currency: String
    public let status: String
    /// Handed to Stripe.js (`confirmCardPayment`); never logged.
    public let clientSecret: String?
    public let applicationFeeAmount: Int64?
    public let transferData: TransferData?
    public let metadata: [String: String]
    public let lastPaymentError: PaymentError?

    enum CodingKeys: String, CodingKey {
        case id, amount, currency, status, metadata
        case clientSecret = "client_secret", applicationFeeAmount = "application_fee_amount", transferData = "transfer_data"
        case lastPaymentError = "last_payment_error"
    }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        id = try c.decode(String.self, forKey: .id)
        amount = try c.decode(Int64.self, forKey: .amount)
        currency = try c.decode(String.self, forKey: .currency)
        status = try c.decodeIfPresent(String.self, forKey: .status) ?? ""
        clientSecret = try c.decodeIfPresent(String.self, forKey: .clientSecret)
        applicationFeeAmount = try c.decodeIfPresent(Int64.self, forKey: .applicationFeeAmount)
        transferData = try c.decodeIfPresent(TransferData.self, forKey: .transferData)
        metadata = try c.decodeIfPresent([String: String].self, forKey: .metadata) ?? [:]
        lastPaymentError = try c.decodeIfPresent(PaymentError.self, forKey: .lastPaymentError)
    }
}

/// A refund (`re_...`).
public struct StripeRefund: Decodable, Sendable, Equatable {
    public let id: String
    public let amount: Int64
    public let status: String
    public let paymentIntent: String?

    enum CodingKeys: String, CodingKey { case id, amount, status, paymentIntent = "payment_intent" }
}

/// Stripe's error envelope: `{"error": {"type": ..., "code": ..., "message": ...}}`.
struct StripeErrorEnvelope: Decodable {
    struct Body: Decodable {
        let type: String?
        let code: String?
        let message: String?
    }
    let error: Body
}
