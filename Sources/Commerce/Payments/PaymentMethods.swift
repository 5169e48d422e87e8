import Postgres

/// One way to pay that checkout offers (a row of `payment_providers`).
public struct PaymentMethodOption: Sendable, Equatable {
    public let id: Int64
    /// `bank_transfer`, `cash_on_delivery` or `stripe`.
    public let kind: String
    /// What the shopper sees, e.g. "Bank transfer" or "Card".
    public let name: String
    /// Shown to the shopper after placing the order (manual methods); empty for Stripe.
    public let instructions: String

    public init(id: Int64, kind: String, name: String, instructions: String) {
        self.id = id
        self.kind = kind
        self.name = name
        self.instructions = instructions
    }
}

/// The methods checkout offers (docs/CONTRACTS.md, "Payments").
public enum PaymentMethods {
    /// Enabled methods in `position` order. Stripe only once the store's connected account may
    /// take charges (`charges_enabled`, kept current by `account.updated` webhooks): offering a
    /// card form that Stripe would refuse helps no one.
    public static func available(_ db: Connection) throws -> [PaymentMethodOption] {
        try db.query("""
            SELECT id, kind, name, instructions FROM payment_providers
            WHERE enabled AND (kind <> 'stripe' OR (stripe_account_id IS NOT NULL AND charges_enabled))
            ORDER BY position, id
            """).map { row in
            PaymentMethodOption(id: try row.decode("id"), kind: try row.decode("kind"),
                                name: try row.decode("name"), instructions: try row.decode("instructions"))
        }
    }
}
