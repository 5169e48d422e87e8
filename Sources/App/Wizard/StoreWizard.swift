import Foundation
import HTTP
import Liquid
import Postgres
import Registry

/// The store creation wizard on the platform host (docs/CONTRACTS.md, "Platform web"):
/// `/stores/new` → `/template` → `/locale` → `/product` → `/review`, whose submit creates the
/// store and sends the merchant to its set-up page. Each step's POST checks its fields, keeps
/// them in the sealed draft cookie and redirects to the next step; a step with errors is shown
/// again with 422 and the draft is left as it was.
struct StoreWizard {
    let site: PlatformSite
    let user: SessionRecord
    let orgId: Int64
    var draft: WizardDraft

    /// The signed-in, verified user's wizard, in the first organization they own (or admin).
    /// Anyone else gets a page saying what to do instead.
    static func open(_ site: PlatformSite) throws -> StoreWizard {
        let user = try site.requireUser()
        let registry = try site.registry()
        guard try Users.find(registry, id: user.userId)?.isEmailVerified == true else {
            throw WizardRefusal.emailNotVerified(email: user.userEmail)
        }
        let orgs = try Users.organizations(registry, userId: user.userId)
        guard let org = orgs.first(where: { $0.role == "owner" }) ?? orgs.first(where: { $0.role == "admin" }) else {
            throw WizardRefusal.noOrganization
        }
        let allowance = try Organizations(registry: registry).storeAllowance(orgId: org.id)
        guard allowance.canCreate else { throw WizardRefusal.storeLimitReached(limit: allowance.limit) }
        let draft = WizardDraft.load(from: site.request, userId: user.userId, keyring: site.keyring)
        return StoreWizard(site: site, user: user, orgId: org.id, draft: draft)
    }

    var themes: [StarterTheme] { StarterTheme.all(in: site.config.templateDirectory + "/themes") }

    // MARK: - Pages

    /// A step's page: its form refilled from `draft` (what was typed, saved or not).
    func page(_ step: WizardStep, errors: FormErrors? = nil, extra: [String: Value] = [:]) throws -> Response {
        var assigns = extra
        assigns["form"] = draft.formValue
        assigns["wizard_steps"] = WizardStep.list(current: step, draft: draft)
        assigns["step_number"] = .int(step.rawValue + 1)
        assigns["step_count"] = .int(WizardStep.allCases.count)
        assigns["head_script"] = "/assets/wizard/wizard.js"
        assigns["body_class"] = "wizard-page"
        if let previous = WizardStep(rawValue: step.rawValue - 1) { assigns["back_path"] = .string(previous.path) }
        return try site.page(step.template, title: "Create your store — " + step.title, assigns: assigns,
                             errors: errors)
    }

    func show(_ step: WizardStep) throws -> Response {
        if let guardResponse = requirePrevious(step) { return guardResponse }
        switch step {
        case .store, .product: return try page(step)
        case .template:
            var copy = self
            if copy.draft.template.isEmpty { copy.draft.template = themes.first?.id ?? "" }
            return try copy.page(step, extra: ["themes": .array(themes.map(\.liquidValue))])
        case .locale:
            var copy = self
            copy.fillLocaleDefaults()
            return try copy.page(step, extra: localeChoices())
        case .review:
            return try page(step, extra: reviewSummary())
        }
    }

    /// A later step opened before the earlier ones are answered goes back to the first open one.
    func requirePrevious(_ step: WizardStep) -> Response? {
        let ready: Bool
        switch step {
        case .store: ready = true
        case .template: ready = draft.hasStore
        case .locale: ready = draft.hasTemplate
        case .product: ready = draft.hasLocale
        case .review: ready = draft.isComplete
        }
        return ready ? nil : .redirect(to: draft.nextStepPath)
    }

    /// Country first (from the browser's language), then what a store there usually uses.
    mutating func fillLocaleDefaults() {
        if draft.country.isEmpty {
            draft.country = WizardCatalog.suggestedCountry(acceptLanguage: site.request.headers["Accept-Language"])
        }
        guard let country = WizardCatalog.country(draft.country) else { return }
        if draft.currency.isEmpty { draft.currency = country.currency }
        if draft.timezone.isEmpty { draft.timezone = country.timezone }
        if draft.language.isEmpty { draft.language = country.language }
    }

    func localeChoices() -> [String: Value] {
        [
            "countries": .array(WizardCatalog.countries.map {
                ["code": .string($0.code), "name": .string($0.name), "currency": .string($0.currency),
                 "timezone": .string($0.timezone), "language": .string($0.language)]
            }),
            "currencies": .array(WizardCatalog.currencies.map { ["code": .string($0.code), "name": .string($0.name)] }),
            "timezones": .array(WizardCatalog.timezones.map { .string($0) }),
            "languages": .array(WizardCatalog.languages.map { ["code": .string($0.code), "name": .string($0.name)] }),
        ]
    }

    func reviewSummary() -> [String: Value] {
        let theme = themes.first { $0.id == draft.template }
        var summary: [String: Value] = [
            "store_host": .string(draft.subdomain + "." + site.links.platformDomain),
            "theme_name": .string(theme?.name ?? draft.template),
            "country_name": .string(WizardCatalog.country(draft.country)?.name ?? draft.country),
            "currency_name": .string(WizardCatalog.currencies.first { $0.code == draft.currency }?.name ?? draft.currency),
            "language_name": .string(WizardCatalog.languages.first { $0.code == draft.language }?.name ?? draft.language),
        ]
        if !draft.productTitle.isEmpty, case .success(let minor) = WizardForms.parsePrice(draft.productPrice, currency: draft.currency) {
            summary["product_price_display"] = .string(StoreWizard.displayPrice(minor, currency: draft.currency))
        }
        return summary
    }

    static func displayPrice(_ minor: Int64, currency: String) -> String {
        let digits = WizardCatalog.currencyDigits(currency)
        guard digits > 0 else { return minor.formatted() + " " + currency }
        var scale: Int64 = 1
        for _ in 0..<digits { scale *= 10 }
        let fraction = String(minor % scale)
        return (minor / scale).formatted() + "." + String(repeating: "0", count: digits - fraction.count) + fraction + " " + currency
    }

    // MARK: - Submits

    /// Checks one step's form; on success keeps the draft and moves on, else shows the step again.
    mutating func submit(_ step: WizardStep) throws -> Response {
        let form = try site.verifiedForm()
        if step != .store, let guardResponse = requirePrevious(step) { return guardResponse }
        if step == .review { return try create() }
        var errors = FormErrors()
        var changed = draft
        switch step {
        case .store:
            try WizardForms.store(form, into: &changed, errors: &errors, registry: { try site.registry() })
        case .template:
            WizardForms.template(form, themes: themes, into: &changed, errors: &errors)
        case .locale:
            WizardForms.locale(form, into: &changed, errors: &errors)
        case .product:
            WizardForms.product(form, currency: draft.currency, into: &changed, errors: &errors)
        case .review:
            break
        }
        if !errors.isEmpty {
            var shown = self
            shown.draft = changed
            var extra: [String: Value] = [:]
            if step == .template { extra["themes"] = .array(themes.map(\.liquidValue)) }
            if step == .locale { extra = localeChoices() }
            return try shown.page(step, errors: errors, extra: extra)
        }
        draft = changed
        let next = draft.isComplete ? WizardStep.review : WizardStep(rawValue: step.rawValue + 1) ?? .review
        var response = Response.redirect(to: next.path)
        response.setCookie(try draft.cookie(request: site.request, userId: user.userId, keyring: site.keyring))
        return response
    }

    /// The review's submit: everything checked again, then the store row and its job.
    func create() throws -> Response {
        var errors = FormErrors()
        if let problem = try WizardForms.subdomainProblem(draft.subdomain, registry: { try site.registry() }) {
            errors.add("subdomain", problem)
        }
        if draft.name.isEmpty || draft.name.count > WizardForms.nameMaxLength { errors.add("name", "Enter a store name.") }
        if !themes.contains(where: { $0.id == draft.template }) { errors.add("template", "Choose one of the looks shown.") }
        var localeErrors = FormErrors()
        var scratch = draft
        WizardForms.locale(FormData([("country", draft.country), ("currency", draft.currency),
                                     ("timezone", draft.timezone), ("language", draft.language)]),
                           into: &scratch, errors: &localeErrors)
        for m in localeErrors.messages { errors.add(m.field, m.message) }
        var product: StoreSetupPlan.FirstProduct?
        if !draft.productTitle.isEmpty {
            switch WizardForms.parsePrice(draft.productPrice, currency: draft.currency) {
            case .success(let minor): product = .init(title: draft.productTitle, priceMinor: minor)
            case .failure(let message): errors.add("product_price", message)
            }
        }
        if errors.isEmpty {
            let plan = StoreSetupPlan(name: draft.name, slug: draft.subdomain, theme: draft.template,
                                      sampleData: draft.sampleData, country: draft.country, currency: draft.currency,
                                      timezone: draft.timezone, locale: draft.language, firstProduct: product,
                                      userId: user.userId)
            do {
                try StoreSetup.start(plan, orgId: orgId, registry: try site.registry())
                var response = Response.redirect(to: "/store/\(draft.subdomain)/setup")
                response.setCookie(WizardDraft.deletion(request: site.request))
                return response
            } catch RegistryError.slugTaken {
                errors.add("subdomain", "Another store took \(draft.subdomain) a moment ago. Choose another address.")
            } catch StoreSetupError.storeLimitReached {
                errors.add("store", "Your organization has reached its limit of stores. Remove a store or ask us for a higher limit.")
            }
        }
        return try page(.review, errors: errors, extra: reviewSummary())
    }
}

/// Why someone cannot use the wizard: shown as a page that says what to do.
enum WizardRefusal: Error {
    case emailNotVerified(email: String)
    case noOrganization
    case storeLimitReached(limit: Int)
}
