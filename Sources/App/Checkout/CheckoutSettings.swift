import Commerce
import Postgres

/// A store's checkout configuration, kept by the worker between requests: the pricing rules
/// (settings, shipping zones and rates, tax rates; per country and whether the cart ships), the
/// countries it ships to with its own country, and its payment methods. Every checkout step
/// needs some of it and a merchant rarely changes it, so reading it afresh was 9 of about 42
/// statements per checkout.
///
/// Dropped whenever `checkout_settings_changed` (tenant migration 0018, sent in the transaction
/// that changes any of those tables) reaches the store's connection, when the connection is
/// new or reconnected (a notification may have been missed), and never used without tenant
/// notifications (behind PgBouncer every step reads afresh). Lives in the store's
/// `StoreRenderState`, next to its cached look.
final class CheckoutSettings {
    static let channel = "checkout_settings_changed"

    struct RulesKey: Hashable {
        let country: String?
        let needsShipping: Bool
    }

    private var rules: [RulesKey: Pricing.LoadedRules] = [:]
    private var choices: (allowed: Set<String>?, storeCountry: String)?
    private var methods: [PaymentMethodOption]?

    /// The pricing rules for this address and cart.
    func pricingRules(_ db: Connection, address: PricingAddress?, needsShipping: Bool, cache: Bool) throws -> Pricing.LoadedRules {
        let load = { try Pricing.loadRules(db, address: address, needsShipping: needsShipping) }
        guard usable(db, cache: cache) else { return try load() }
        let key = RulesKey(country: address?.countryCode.uppercased(), needsShipping: needsShipping)
        if let known = rules[key] { return known }
        if rules.count >= 64 { rules.removeAll(keepingCapacity: true) }   // a bound, not a policy
        return try kept(&rules[key], load)
    }

    /// `CheckoutDetails.addressChoices`.
    func addressChoices(_ db: Connection, cache: Bool) throws -> (allowed: Set<String>?, storeCountry: String) {
        let load = { try CheckoutDetails.addressChoices(db) }
        return usable(db, cache: cache) ? try kept(&choices, load) : try load()
    }

    /// `PaymentMethods.available`.
    func paymentMethods(_ db: Connection, cache: Bool) throws -> [PaymentMethodOption] {
        let load = { try PaymentMethods.available(db) }
        return usable(db, cache: cache) ? try kept(&methods, load) : try load()
    }

    /// What `slot` holds, else what `load` reads, kept there.
    private func kept<T>(_ slot: inout T?, _ load: () throws -> T) throws -> T {
        if let value = slot { return value }
        let value = try load()
        slot = value
        return value
    }

    /// Whether what is kept may be used on `db` now, after dropping it if the channel was
    /// notified (or may have been) since the last look.
    private func usable(_ db: Connection, cache: Bool) -> Bool {
        guard cache else { return false }
        if db.isListening(Self.channel) {
            if db.takeNotified(Self.channel) { drop() }
            return true
        }
        // The first use on this connection LISTENs, outside a transaction only: a LISTEN inside
        // one that rolls back is undone, and the cache would never hear of a change again.
        // A schema that predates 0018 never sends the notification: nothing is kept for it (on
        // this connection; a later one looks again, after the migration may have run).
        guard !db.isInTransaction, lacksNotificationOn != ObjectIdentifier(db) else { return false }
        guard (try? db.queryFirst(Self.seamQuery)) != nil else {
            lacksNotificationOn = ObjectIdentifier(db)
            return false
        }
        drop()
        _ = db.takeNotified(Self.channel)
        return db.isListening(Self.channel)
    }

    static let seamQuery: Query = "SELECT 1 FROM pg_proc WHERE proname = 'notify_checkout_settings_changed'"
    private var lacksNotificationOn: ObjectIdentifier?

    private func drop() {
        rules.removeAll(keepingCapacity: true)
        choices = nil
        methods = nil
    }
}
