import Crypto
import Foundation
import HTTP
import Liquid

/// What the merchant typed so far, kept between the wizard's steps (and across Back and
/// Forward) in a cookie sealed with the keyring and bound to the signed-in user, so it can be
/// neither read nor forged nor carried to another account. Nothing reaches the registry until
/// the review page's submit.
struct WizardDraft: Codable, Equatable {
    var name = ""
    var subdomain = ""
    var template = ""
    var sampleData = true
    var country = ""
    var currency = ""
    var timezone = ""
    var language = ""
    var productTitle = ""
    /// As typed ("19.90"); checked again on review.
    var productPrice = ""
    /// The product step was answered (a product, or skipped).
    var productDone = false

    static let cookieName = "sf_wizard"
    /// A day: a draft left longer starts over.
    static let lifetimeSeconds = 24 * 3600

    var hasStore: Bool { !name.isEmpty && !subdomain.isEmpty }
    var hasTemplate: Bool { hasStore && !template.isEmpty }
    var hasLocale: Bool { hasTemplate && !country.isEmpty && !currency.isEmpty && !timezone.isEmpty && !language.isEmpty }
    var isComplete: Bool { hasLocale && productDone }

    func hasAnswered(_ step: WizardStep) -> Bool {
        switch step {
        case .store: return hasStore
        case .template: return hasTemplate
        case .locale: return hasLocale
        case .product: return hasLocale && productDone
        case .review: return false
        }
    }

    /// The first step still to answer: where a visitor who skips ahead is sent back to.
    var nextStepPath: String {
        if !hasStore { return WizardStep.store.path }
        if !hasTemplate { return WizardStep.template.path }
        if !hasLocale { return WizardStep.locale.path }
        if !productDone { return WizardStep.product.path }
        return WizardStep.review.path
    }

    static func associatedData(userId: Int64) -> [UInt8] { Array("wizard-draft:\(userId)".utf8) }

    /// The draft in the request's cookie, or an empty one (none, tampered, or another user's).
    static func load(from request: Request, userId: Int64, keyring: Keyring) -> WizardDraft {
        guard let sealed = request.cookies[cookieName], !sealed.isEmpty,
              let text = try? keyring.open(sealed, associatedData: associatedData(userId: userId)),
              let draft = try? JSONDecoder().decode(WizardDraft.self, from: Data(text)) else { return WizardDraft() }
        return draft
    }

    func cookie(request: Request, userId: Int64, keyring: Keyring) throws -> SetCookie {
        let json = try JSONEncoder().encode(self)
        let sealed = try keyring.seal(Array(json), associatedData: WizardDraft.associatedData(userId: userId))
        return WebCookie.make(WizardDraft.cookieName, value: sealed, request: request, maxAge: WizardDraft.lifetimeSeconds)
    }

    static func deletion(request: Request) -> SetCookie {
        WebCookie.deletion(cookieName, request: request)
    }

    /// The draft as the forms' `form` assign: field names of docs/CONTRACTS.md.
    var formValue: Value {
        [
            "name": .string(name), "subdomain": .string(subdomain), "template": .string(template),
            "sample_data": .string(sampleData ? "yes" : "no"), "country": .string(country),
            "currency": .string(currency), "timezone": .string(timezone), "language": .string(language),
            "product_title": .string(productTitle), "product_price": .string(productPrice),
        ]
    }
}

/// The wizard's pages, in order.
enum WizardStep: Int, CaseIterable {
    case store, template, locale, product, review

    var path: String {
        switch self {
        case .store: return "/stores/new"
        case .template: return "/stores/new/template"
        case .locale: return "/stores/new/locale"
        case .product: return "/stores/new/product"
        case .review: return "/stores/new/review"
        }
    }

    var title: String {
        switch self {
        case .store: return "Name and address"
        case .template: return "Look"
        case .locale: return "Where you sell"
        case .product: return "First product"
        case .review: return "Review"
        }
    }

    var template: String { "wizard/" + ["store", "template", "locale", "product", "review"][rawValue] }

    /// The progress list at the top of every step: done, current, or still to come; done steps
    /// link back (the draft keeps what was typed).
    static func list(current: WizardStep, draft: WizardDraft) -> Value {
        .array(allCases.map { step in
            let state = step == current ? "current" : (draft.hasAnswered(step) ? "done" : "pending")
            return ["title": .string(step.title), "path": .string(step.path), "state": .string(state),
                    "number": .int(step.rawValue + 1)]
        })
    }
}
