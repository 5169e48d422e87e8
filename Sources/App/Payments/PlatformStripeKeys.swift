import Crypto
import Integrations
import Postgres

/// The platform's Stripe secrets, kept sealed in the registry (`platform_secrets`, migration
/// registry/0006) and opened per use.
///
/// Where they come from: `STOREFLEET_STRIPE_SECRET_KEY` and `STOREFLEET_STRIPE_WEBHOOK_SECRET`.
/// When a worker finds one in its environment that the registry does not hold (or holds
/// differently), it seals it with the keyring and stores it; without the environment key the
/// registry's value is used. So production sets the keys once (or rotates them) and can drop
/// them from the environment afterwards; `stack.sh` keeps them in stack.env for the local stack.
struct PlatformStripeKeys {
    var secretKey: String?
    var webhookSecrets: [String]

    static let secretKeyName = "stripe_secret_key"
    static let webhookSecretName = "stripe_webhook_secret"

    static func load(registry: Connection, keyring: Keyring, settings: StripeSettings) throws -> PlatformStripeKeys {
        let secret = try resolve(registry, keyring, name: secretKeyName, fromEnvironment: settings.secretKey)
        let webhook = try resolve(registry, keyring, name: webhookSecretName,
                                  fromEnvironment: settings.webhookSecrets.isEmpty ? nil : settings.webhookSecrets.joined(separator: ","))
        return PlatformStripeKeys(secretKey: secret,
                                  webhookSecrets: (webhook ?? "").split(separator: ",").map(String.init))
    }

    private static func resolve(_ registry: Connection, _ keyring: Keyring, name: String,
                                fromEnvironment value: String?) throws -> String? {
        let sealed: String? = try registry.queryFirst("SELECT storefleet_platform_secret(\(name)) AS sealed")?.decode("sealed")
        let stored: String? = sealed.flatMap { try? keyring.openString($0, associatedData: Array(name.utf8)) }
        guard let value else { return stored }
        if stored != value {
            let resealed = try keyring.seal(value, associatedData: Array(name.utf8))
            try registry.execute("SELECT storefleet_put_platform_secret(\(name), \(resealed))")
        }
        return value
    }
}

extension StorefleetApp {
    /// A Stripe client with the platform's secret key, or nil when the platform has no key
    /// (Stripe is then not offered anywhere).
    func stripeClient() throws -> StripeClient? {
        let keys = try PlatformStripeKeys.load(registry: try registry().registryConnection, keyring: sites.keyring,
                                               settings: config.stripe)
        guard let secret = keys.secretKey else { return nil }
        return try StripeClient(baseURL: config.stripe.apiBase, secretKey: secret)
    }
}
