import Postgres

/// A row of `payment_providers` as the admin shows it.
public struct PaymentProviderRecord: Sendable, Equatable {
    public let id: Int64
    public let kind: String
    public let name: String
    public let enabled: Bool
    public let instructions: String
    public let stripeAccountId: String?
    public let chargesEnabled: Bool
    public let payoutsEnabled: Bool
    public let detailsSubmitted: Bool
}

/// The store's payment methods: the two manual ones (one row per kind, made on first save)
/// and the Stripe Connect account (at most one, `payment_providers_one_stripe`).
public enum PaymentProviders {
    /// Manual kinds the admin offers, with the names and order checkout shows.
    public static let manualKinds: [(kind: String, name: String, position: Int)] = [
        ("bank_transfer", "Bank transfer", 1), ("cash_on_delivery", "Cash on delivery", 2),
    ]

    public static func all(_ db: Connection) throws -> [PaymentProviderRecord] {
        try db.query("""
            SELECT id, kind, name, enabled, instructions, stripe_account_id, charges_enabled, payouts_enabled,
                   details_submitted
            FROM payment_providers ORDER BY position, id
            """).map(decode)
    }

    public static func find(_ db: Connection, kind: String) throws -> PaymentProviderRecord? {
        try db.queryFirst("""
            SELECT id, kind, name, enabled, instructions, stripe_account_id, charges_enabled, payouts_enabled,
                   details_submitted
            FROM payment_providers WHERE kind = \(kind) ORDER BY id LIMIT 1
            """).map(decode)
    }

    /// Switches a manual method on or off and sets the instructions the shopper sees.
    public static func saveManual(_ db: Connection, kind: String, enabled: Bool, instructions: String) throws {
        guard let spec = manualKinds.first(where: { $0.kind == kind }) else { return }
        try db.transaction { db in
            if let existing = try find(db, kind: kind) {
                try db.execute("""
                    UPDATE payment_providers SET enabled = \(enabled), instructions = \(instructions) WHERE id = \(existing.id)
                    """)
            } else {
                try db.execute("""
                    INSERT INTO payment_providers (kind, name, enabled, instructions, position)
                    VALUES (\(kind), \(spec.name), \(enabled), \(instructions), \(spec.position))
                    """)
            }
        }
    }

    /// Records the store's connected account (the Stripe row, made if missing, enabled), with the
    /// account's state as Stripe reported it. Returns the provider id.
    @discardableResult
    public static func attachStripeAccount(_ db: Connection, accountId: String, chargesEnabled: Bool,
                                           payoutsEnabled: Bool, detailsSubmitted: Bool) throws -> Int64 {
        guard let row = try db.queryFirst("""
            INSERT INTO payment_providers (kind, name, enabled, stripe_account_id, charges_enabled, payouts_enabled,
                                           details_submitted, position)
            VALUES ('stripe', 'Card', true, \(accountId), \(chargesEnabled), \(payoutsEnabled), \(detailsSubmitted), 0)
            ON CONFLICT (kind) WHERE kind = 'stripe' DO UPDATE
                SET stripe_account_id = EXCLUDED.stripe_account_id, enabled = true,
                    charges_enabled = EXCLUDED.charges_enabled, payouts_enabled = EXCLUDED.payouts_enabled,
                    details_submitted = EXCLUDED.details_submitted
            RETURNING id
            """) else { throw CommerceError.missingResult("payment_providers upsert") }
        return try row.decode("id")
    }

    /// Applies an account's state (from `account.updated` or a fresh fetch). Returns whether a
    /// provider has that account.
    @discardableResult
    public static func updateStripeState(_ db: Connection, accountId: String, chargesEnabled: Bool,
                                         payoutsEnabled: Bool, detailsSubmitted: Bool) throws -> Bool {
        try db.execute("""
            UPDATE payment_providers SET charges_enabled = \(chargesEnabled), payouts_enabled = \(payoutsEnabled),
                   details_submitted = \(detailsSubmitted)
            WHERE kind = 'stripe' AND stripe_account_id = \(accountId)
            """) > 0
    }

    /// Turns card payments on or off without forgetting the connected account.
    public static func setStripeEnabled(_ db: Connection, _ enabled: Bool) throws {
        try db.execute("UPDATE payment_providers SET enabled = \(enabled) WHERE kind = 'stripe'")
    }

    /// Records a webhook event as handled; false when it already was (a replay).
    public static func recordEvent(_ db: Connection, providerKind: String, eventId: String, eventType: String) throws -> Bool {
        try db.execute("""
            INSERT INTO payment_events (provider_kind, event_id, event_type) VALUES (\(providerKind), \(eventId), \(eventType))
            ON CONFLICT DO NOTHING
            """) == 1
    }

    static func decode(_ row: Row) throws -> PaymentProviderRecord {
        PaymentProviderRecord(
            id: try row.decode("id"), kind: try row.decode("kind"), name: try row.decode("name"),
            enabled: try row.decode("enabled"), instructions: try row.decode("instructions"),
            stripeAccountId: try row.decode("stripe_account_id"), chargesEnabled: try row.decode("charges_enabled"),
            payoutsEnabled: try row.decode("payouts_enabled"), detailsSubmitted: try row.decode("details_submitted"))
    }
}
