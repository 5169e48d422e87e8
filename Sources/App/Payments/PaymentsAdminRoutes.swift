import Commerce
import Foundation
import HTTP
import Integrations
import Liquid
import Postgres
import Registry

extension StorefleetApp {
    /// The store admin's Payments area: manual methods and Stripe Connect (issue 7).
    ///
    /// `GET  .../payments`                      the page
    /// `POST .../payments/manual/:kind`         enabled (1), instructions — bank_transfer, cash_on_delivery
    /// `POST .../payments/stripe/connect`       make the Express account (once) and go to Stripe's onboarding
    /// `GET  .../payments/stripe/return`        back from onboarding: fetch the account, show its state
    /// `GET  .../payments/stripe/refresh`       the onboarding link expired: a fresh one
    /// `POST .../payments/stripe/enabled`       enabled (1): offer card payments at checkout or not
    func addPaymentsAdminRoutes(to router: inout SiteRouter<PlatformSite>) {
        router.get("/store/:slug/admin/payments") { [unowned self] _, parameters, site in
            let context = try paymentsContext(site, parameters)
            return try paymentsPage(site, context, errors: nil, failedKind: nil, form: nil)
        }
        router.post("/store/:slug/admin/payments/manual/:kind") { [unowned self] _, parameters, site in
            let form = try site.verifiedForm()
            let context = try paymentsContext(site, parameters)
            return try saveManualMethod(site, context, kind: parameters["kind"] ?? "", form: form)
        }
        router.post("/store/:slug/admin/payments/stripe/connect") { [unowned self] _, parameters, site in
            _ = try site.verifiedForm()
            let context = try paymentsContext(site, parameters)
            return try connectStripe(site, context)
        }
        router.get("/store/:slug/admin/payments/stripe/refresh") { [unowned self] _, parameters, site in
            let context = try paymentsContext(site, parameters)
            return try connectStripe(site, context)
        }
        router.get("/store/:slug/admin/payments/stripe/return") { [unowned self] _, parameters, site in
            let context = try paymentsContext(site, parameters)
            return try stripeReturn(site, context)
        }
        router.post("/store/:slug/admin/payments/stripe/enabled") { [unowned self] _, parameters, site in
            let form = try site.verifiedForm()
            let context = try paymentsContext(site, parameters)
            let enabled = form["enabled"] == "1"
            try withTenant(context.route) { db in
                try PaymentProviders.setStripeEnabled(db, enabled)
                try auditPayments(db, site, context, action: enabled ? "payments.stripe_on" : "payments.stripe_off", subject: "stripe")
            }
            return site.redirect(to: context.adminURL + "/payments#stripe",
                                 flash: .success(enabled ? "Card payments are offered at checkout again."
                                                         : "Card payments are switched off. Your Stripe account stays connected."))
        }
    }

    private func paymentsContext(_ site: PlatformSite, _ parameters: Parameters) throws -> AdminContext {
        let context = try AdminAccess.context(site, slug: parameters["slug"] ?? "")
        try context.require(.payments)
        return context
    }

    func paymentsPage(_ site: PlatformSite, _ context: AdminContext, errors: FormErrors?, failedKind: String?,
                      form: FormData?) throws -> Response {
        let providers = try withTenant(context.route) { db in try PaymentProviders.all(db) }
        let stripeSettings = config.stripe
        let platformReady = stripeSettings.publishableKey != nil
            && (try? PlatformStripeKeys.load(registry: try site.registry(), keyring: site.keyring, settings: stripeSettings))?
                .secretKey != nil
        let manual: [Value] = PaymentProviders.manualKinds.map { spec in
            let row = providers.first { $0.kind == spec.kind }
            let useForm = failedKind == spec.kind ? form : nil
            var entry: [String: Value] = [
                "kind": .string(spec.kind), "name": .string(spec.name),
                "enabled": .bool(useForm.map { $0["enabled"] == "1" } ?? row?.enabled ?? false),
                "instructions": .string(useForm?["instructions"] ?? row?.instructions ?? ""),
                "action": .string(context.adminURL + "/payments/manual/" + spec.kind),
                "hint": .string(spec.kind == "bank_transfer"
                    ? "Shown after the order is placed and in the confirmation email: account holder, IBAN/account number, bank, and the order number as reference."
                    : "Shown at checkout, e.g. “Pay the courier in cash or by card when your parcel arrives.”"),
            ]
            if failedKind == spec.kind, let errors { entry["errors"] = errors.liquidValue }
            return .dictionary(entry)
        }
        let stripeRow = providers.first { $0.kind == "stripe" }
        var stripe: [String: Value] = [
            "platform_ready": .bool(platformReady),
            "connected": .bool(stripeRow?.stripeAccountId != nil),
            "account_id": stripeRow?.stripeAccountId.map { .string($0) } ?? .nil,
            "details_submitted": .bool(stripeRow?.detailsSubmitted ?? false),
            "charges_enabled": .bool(stripeRow?.chargesEnabled ?? false),
            "payouts_enabled": .bool(stripeRow?.payoutsEnabled ?? false),
            "enabled": .bool(stripeRow?.enabled ?? false),
            "fee": .string(stripeSettings.fee.summary(currency: context.route.currency)),
            "fee_example": .string(PaymentsAdminText.feeExample(stripeSettings.fee, currency: context.route.currency)),
            "connect_action": .string(context.adminURL + "/payments/stripe/connect"),
            "enabled_action": .string(context.adminURL + "/payments/stripe/enabled"),
        ]
        let (label, badge) = PaymentsAdminText.stripeStatus(stripeRow)
        stripe["status_label"] = .string(label)
        stripe["status_badge"] = .string(badge)
        return try AdminPages.render(site, context, area: .payments, page: "admin/payments/index", title: "Payments",
                                     assigns: ["manual": .array(manual), "stripe": .dictionary(stripe)],
                                     status: errors == nil ? nil : .unprocessableContent)
    }

    private func saveManualMethod(_ site: PlatformSite, _ context: AdminContext, kind: String, form: FormData) throws -> Response {
        guard let spec = PaymentProviders.manualKinds.first(where: { $0.kind == kind }) else {
            throw HTTPError(.notFound, "There is no such payment method.")
        }
        let enabled = form["enabled"] == "1"
        let instructions = (form["instructions"] ?? "").trimmingCharacters(in: .whitespacesAndNewlines)
        var errors = FormErrors()
        if instructions.count > 2000 { errors.add("instructions", "Keep the instructions under 2,000 characters.") }
        if enabled && kind == "bank_transfer" && instructions.isEmpty {
            errors.add("instructions", "Add your bank details, so customers know where to send the money.")
        }
        if !errors.isEmpty { return try paymentsPage(site, context, errors: errors, failedKind: kind, form: form) }
        try withTenant(context.route) { db in
            try db.transaction { db in
                try PaymentProviders.saveManual(db, kind: kind, enabled: enabled, instructions: instructions)
                try auditPayments(db, site, context, action: "payments.manual_update", subject: kind)
            }
        }
        return site.redirect(to: context.adminURL + "/payments#method-" + kind,
                             flash: .success(enabled ? "\(spec.name) is offered at checkout." : "\(spec.name) is switched off."))
    }

    /// Makes the store's Express account if it has none, then sends the merchant to Stripe's
    /// onboarding (an Account Link that comes back to `/stripe/return`).
    private func connectStripe(_ site: PlatformSite, _ context: AdminContext) throws -> Response {
        guard let client = try stripeClient() else {
            throw HTTPError(.serviceUnavailable, "Card payments aren’t available on this platform yet. Try again later.")
        }
        var accountId = try withTenant(context.route) { db in try PaymentProviders.find(db, kind: "stripe")?.stripeAccountId }
        do {
            if accountId == nil {
                let account = try client.createExpressAccount(
                    email: context.session.userEmail, country: nil,
                    metadata: [("store_id", String(context.route.storeId)), ("store_slug", context.store.slug)],
                    idempotencyKey: "sf-acct-\(context.route.storeId)")
                // The registry first: account.updated webhooks find the store through it.
                try OrganizationScope.run(try site.registry(), orgId: context.store.orgId, userId: context.session.userId) { db in
                    // A half-finished earlier attempt may have left another account for the store.
                    try db.execute("DELETE FROM stripe_accounts WHERE store_id = \(context.route.storeId)")
                    try db.execute("""
                        INSERT INTO stripe_accounts (account_id, store_id) VALUES (\(account.id), \(context.route.storeId))
                        """)
                }
                try withTenant(context.route) { db in
                    try db.transaction { db in
                        try PaymentProviders.attachStripeAccount(db, accountId: account.id, chargesEnabled: account.chargesEnabled,
                                                                 payoutsEnabled: account.payoutsEnabled,
                                                                 detailsSubmitted: account.detailsSubmitted)
                        try auditPayments(db, site, context, action: "payments.stripe_connect", subject: account.id)
                    }
                }
                accountId = account.id
            }
            let base = site.links.platformURL + context.adminURL + "/payments/stripe/"
            let link = try client.createAccountLink(account: accountId!, refreshURL: base + "refresh", returnURL: base + "return")
            return .redirect(to: link.url)
        } catch let error as StripeError {
            site.app.logError(error, request: site.request)
            return site.redirect(to: context.adminURL + "/payments#stripe",
                                 flash: .error("Stripe didn’t accept the request (\(PaymentsAdminText.reason(error))). Nothing was changed; try again in a moment."))
        }
    }

    /// Back from Stripe: the account's state as Stripe has it now.
    private func stripeReturn(_ site: PlatformSite, _ context: AdminContext) throws -> Response {
        guard let accountId = try withTenant(context.route, { db in try PaymentProviders.find(db, kind: "stripe")?.stripeAccountId }),
              let client = try stripeClient() else {
            return site.redirect(to: context.adminURL + "/payments#stripe")
        }
        do {
            let account = try client.retrieveAccount(accountId)
            try withTenant(context.route) { db in
                try PaymentProviders.updateStripeState(db, accountId: account.id, chargesEnabled: account.chargesEnabled,
                                                       payoutsEnabled: account.payoutsEnabled, detailsSubmitted: account.detailsSubmitted)
            }
            let flash: Flash = account.chargesEnabled
                ? .success("Your Stripe account is connected and can take card payments. Customers can now pay by card at checkout.")
                : .info("Stripe still needs some details before your store can take card payments. Continue the set-up when you’re ready.")
            return site.redirect(to: context.adminURL + "/payments#stripe", flash: flash)
        } catch let error as StripeError {
            site.app.logError(error, request: site.request)
            return site.redirect(to: context.adminURL + "/payments#stripe",
                                 flash: .error("We couldn’t check your Stripe account just now (\(PaymentsAdminText.reason(error))). Reload this page in a moment."))
        }
    }

    private func auditPayments(_ db: Connection, _ site: PlatformSite, _ context: AdminContext, action: String, subject: String) throws {
        try db.execute("""
            INSERT INTO audit_log (actor_kind, actor_id, actor_label, action, subject_type, subject_id, request_id)
            VALUES ('user', \(String(context.session.userId)), \(context.session.userEmail), \(action), 'payment_provider',
                    \(subject), \(site.request.requestId))
            """)
    }
}

/// Words the Payments page shows.
enum PaymentsAdminText {
    static func stripeStatus(_ row: PaymentProviderRecord?) -> (String, String) {
        guard let row, row.stripeAccountId != nil else { return ("Not connected", "") }
        if row.chargesEnabled && !row.enabled { return ("Connected · switched off", "badge-warn") }
        if row.chargesEnabled { return ("Taking card payments", "badge-ok") }
        if row.detailsSubmitted { return ("Waiting for Stripe", "badge-warn") }
        return ("Set-up not finished", "badge-warn")
    }

    static func feeExample(_ fee: PlatformFee, currency: String) -> String {
        let amount: Int64 = 10_000
        return "On an order of \(MoneyText.format(amount, currency: currency)), the platform keeps \(MoneyText.format(fee.fee(forAmount: amount), currency: currency)); Stripe’s own processing fee comes out of your Stripe balance."
    }

    /// Stripe's message for API refusals; a plain phrase for everything else.
    static func reason(_ error: StripeError) -> String {
        switch error {
        case .api(_, _, _, let message): return message
        case .transport: return "Stripe could not be reached"
        default: return "unexpected answer"
        }
    }
}
