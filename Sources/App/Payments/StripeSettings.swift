import Foundation
import Commerce

/// The platform's Stripe settings from the `STOREFLEET_STRIPE_*` keys (docs/CONTRACTS.md,
/// "Payments"). The secret key and webhook secrets are not used from here directly: they are
/// sealed into the registry and read back from there (`PlatformStripeKeys`).
struct StripeSettings: Sendable {
    /// `https://api.stripe.com`, or the local stand-in.
    var apiBase: String
    /// Where the pay page loads Stripe.js from.
    var jsURL: String
    var publishableKey: String?
    /// From the environment, if given; sealed into the registry on first use.
    var secretKey: String?
    /// Comma-separated in the environment: the platform endpoint's and the Connect endpoint's
    /// signing secrets, or old and new while one is being rolled.
    var webhookSecrets: [String]
    /// The platform's cut of each card payment.
    var fee: PlatformFee
}

extension AppConfiguration {
    var stripe: StripeSettings {
        func value(_ key: String) -> String? {
            guard let v = environment[key]?.trimmingCharacters(in: .whitespaces), !v.isEmpty else { return nil }
            return v
        }
        return StripeSettings(
            apiBase: value(Key.stripeAPIBase) ?? "https://api.stripe.com",
            jsURL: value(Key.stripeJSURL) ?? "https://js.stripe.com/v3/",
            publishableKey: value(Key.stripePublishableKey),
            secretKey: value(Key.stripeSecretKey),
            webhookSecrets: (value(Key.stripeWebhookSecret) ?? "").split(separator: ",")
                .map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty },
            fee: PlatformFee(ratePPM: value(Key.stripeFeePPM).flatMap { Int64($0) } ?? 20_000,
                             fixedMinor: value(Key.stripeFeeFixedMinor).flatMap { Int64($0) } ?? 30))
    }
}
