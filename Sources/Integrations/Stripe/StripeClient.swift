import Foundation

/// A small client for the part of Stripe's API Storefleet uses: Connect accounts and
/// onboarding links, PaymentIntents as destination charges, refunds.
///
/// Requests are form-encoded POSTs (or GETs) with `Authorization: Bearer <secret key>`; calls
/// made on behalf of a connected account add `Stripe-Account`; every creating call takes an
/// idempotency key, so a retried call never creates twice. The base URL is configuration
/// (`https://api.stripe.com` in production, the local stand-in in tests): nothing here knows
/// which server answers. Not thread-safe (it owns one `OutboundHTTPClient`).
public final class StripeClient {
    public let baseURL: String
    private let secretKey: String
    private let http: OutboundHTTPClient
    /// Stripe's API version the objects above are written against.
    public static let apiVersion = "2024-06-20"

    public init(baseURL: String, secretKey: String, http: OutboundHTTPClient? = nil) throws(StripeError) {
        guard !secretKey.isEmpty else { throw .notConfigured("no secret key") }
        guard baseURL.hasPrefix("http://") || baseURL.hasPrefix("https://") else {
            throw .notConfigured("the API base URL must be http(s)")
        }
        var base = baseURL
        while base.hasSuffix("/") { base.removeLast() }
        self.baseURL = base
        self.secretKey = secretKey
        if let http {
            self.http = http
        } else {
            do throws(IntegrationError) {
                self.http = try OutboundHTTPClient(userAgent: "Storefleet/1 (Stripe)")
            } catch {
                throw .transport(error)
            }
        }
    }

    // MARK: - Connect

    /// `POST /v1/accounts` with `type=express`: a new connected account for a store.
    public func createExpressAccount(email: String?, country: String?, metadata: [(String, String)],
                                     idempotencyKey: String) throws(StripeError) -> StripeAccount {
        var fields: FormFields = ["type": "express"]
        if let email, !email.isEmpty { fields.append("email", .string(email)) }
        if let country, !country.isEmpty { fields.append("country", .string(country)) }
        fields.append("metadata", .fields(FormFields(metadata.map { ($0.0, .string($0.1)) })))
        return try send(.post, "/v1/accounts", fields: fields, idempotencyKey: idempotencyKey)
    }

    /// `GET /v1/accounts/:id`: the account's current state.
    public func retrieveAccount(_ id: String) throws(StripeError) -> StripeAccount {
        try send(.get, "/v1/accounts/" + StripeClient.pathSegment(id))
    }

    /// `POST /v1/account_links` (`type=account_onboarding`): where to send the merchant to finish
    /// onboarding. Stripe sends them back to `returnURL`, or to `refreshURL` when the link expired.
    public func createAccountLink(account: String, refreshURL: String, returnURL: String) throws(StripeError) -> StripeAccountLink {
        try send(.post, "/v1/account_links", fields: [
            "account": .string(account), "refresh_url": .string(refreshURL), "return_url": .string(returnURL),
            "type": "account_onboarding",
        ])
    }

    // MARK: - Payments

    /// `POST /v1/payment_intents` as a destination charge: the money goes to `destination` (the
    /// store's connected account), the platform keeps `applicationFeeMinor`.
    public func createPaymentIntent(amountMinor: Int64, currency: String, destination: String,
                                    applicationFeeMinor: Int64, description: String?, metadata: [(String, String)],
                                    idempotencyKey: String) throws(StripeError) -> StripePaymentIntent {
        var fields: FormFields = [
            "amount": .string(String(amountMinor)), "currency": .string(currency.lowercased()),
            "payment_method_types": ["card"],
            "application_fee_amount": .string(String(applicationFeeMinor)),
            "transfer_data": ["destination": .string(destination)],
        ]
        if let description { fields.append("description", .string(description)) }
        fields.append("metadata", .fields(FormFields(metadata.map { ($0.0, .string($0.1)) })))
        return try send(.post, "/v1/payment_intents", fields: fields, idempotencyKey: idempotencyKey)
    }

    /// `GET /v1/payment_intents/:id`.
    public func retrievePaymentIntent(_ id: String) throws(StripeError) -> StripePaymentIntent {
        try send(.get, "/v1/payment_intents/" + StripeClient.pathSegment(id))
    }

    /// `POST /v1/refunds` for a PaymentIntent. With a destination charge the platform refunds;
    /// `reverse_transfer` pulls the amount back from the connected account and
    /// `refund_application_fee` returns the platform's fee share (Stripe's recommended pair).
    public func createRefund(paymentIntent: String, amountMinor: Int64, reverseTransfer: Bool,
                             idempotencyKey: String) throws(StripeError) -> StripeRefund {
        var fields: FormFields = ["payment_intent": .string(paymentIntent), "amount": .string(String(amountMinor))]
        if reverseTransfer {
            fields.append("reverse_transfer", true)
            fields.append("refund_application_fee", true)
        }
        return try send(.post, "/v1/refunds", fields: fields, idempotencyKey: idempotencyKey)
    }

    // MARK: - Transport

    /// One call: the body of a 2xx decoded as `T`, Stripe's error object as `.api`.
    public func send<T: Decodable>(_ method: OutboundRequest.Method, _ path: String, fields: FormFields = [:],
                                   idempotencyKey: String? = nil, stripeAccount: String? = nil) throws(StripeError) -> T {
        var request: OutboundRequest
        if method == .get {
            let query = fields.encoded()
            request = OutboundRequest(.get, url: baseURL + path + (query.isEmpty ? "" : "?" + query))
        } else {
            request = .form(method, url: baseURL + path, fields: fields)
        }
        request.authorization = .bearer(secretKey)
        request.headers.append(("Stripe-Version", StripeClient.apiVersion))
        request.headers.append(("Accept", "application/json"))
        if let idempotencyKey { request.headers.append(("Idempotency-Key", idempotencyKey)) }
        if let stripeAccount { request.headers.append(("Stripe-Account", stripeAccount)) }
        request.timeout = .seconds(20)
        request.maxResponseBytes = 1 << 20

        let response: OutboundResponse
        do throws(IntegrationError) {
            response = try http.send(request)
        } catch {
            throw .transport(error)
        }
        let data = Data(response.body)
        guard response.isSuccess else {
            if let envelope = try? JSONDecoder().decode(StripeErrorEnvelope.self, from: data) {
                throw .api(status: response.status, type: envelope.error.type ?? "api_error",
                           code: envelope.error.code, message: envelope.error.message ?? "no message")
            }
            throw .api(status: response.status, type: "api_error", code: nil, message: "HTTP \(response.status)")
        }
        do {
            return try JSONDecoder().decode(T.self, from: data)
        } catch {
            throw .malformedResponse("\(T.self) from \(method.rawValue) \(path.split(separator: "/").prefix(2).joined(separator: "/"))")
        }
    }

    /// An id as one path segment: Stripe ids are `[A-Za-z0-9_]`; anything else is encoded.
    static func pathSegment(_ id: String) -> String { FormFields.percentEncode(id) }
}
