import Commerce
import Foundation
import Liquid
import Registry

/// What every page of one store renders with at one `storefront_version`: its theme, the
/// theme settings resolved against the theme's schema, the `shop` object and the navigation.
final class StoreLook {
    let theme: Theme
    let options: RenderOptions
    let shop: Value
    let settings: Value
    /// `settings.featured_collection`, when the theme has one and the merchant set it.
    let featuredCollection: String?
    /// Links for the header and footer: collections and pages.
    let navigation: Value
    let pageHandles: Set<String>
    /// Policies the merchant wrote (store settings), by URL handle (`refund-policy`, ...).
    let policies: [String: (title: String, body: String)]
    /// The store's contact details, for the built-in contact page.
    let contact: Value

    /// Shopify's policy handles and the store settings column each one reads.
    static let policyColumns: [(handle: String, column: String, titleKey: String)] = [
        ("refund-policy", "refund_policy", "Refund policy"),
        ("privacy-policy", "privacy_policy", "Privacy policy"),
        ("terms-of-service", "terms_of_service", "Terms of service"),
        ("shipping-policy", "shipping_policy", "Shipping policy"),
    ]

    init(route: StoreRoute, theme: Theme, context: StorefrontContext?, platformURL: String, baseURL: String) {
        self.theme = theme
        let formats = MoneyFormats.forCurrency(route.currency)
        let mediaPrefix = "/media/sf_store_\(route.storeId)/"
        options = RenderOptions(moneyFormat: formats.money, moneyWithCurrencyFormat: formats.moneyWithCurrency,
                                currency: route.currency, translations: theme.translations,
                                assetBaseURL: theme.assetBaseURL, imageBaseURL: mediaPrefix)
        let store = (try? Value(json: context?.storeSettingsJSON ?? "{}")) ?? .dictionary([:])
        let stored = (try? Value(json: context?.themeSettingsJSON ?? "{}")) ?? .dictionary([:])
        var settings = theme.schema.resolve(stored: stored)

        // The logo: the theme's own setting, else the one in the store settings.
        var logoPath = settings["logo"]?.textValue ?? ""
        if logoPath.isEmpty { logoPath = store.member("logo_path")?.textValue ?? "" }
        if !logoPath.isEmpty, !ThemeSettingsSchema.isMediaPath(logoPath) { logoPath = "" }
        settings["logo_url"] = logoPath.isEmpty ? .nil : .string(mediaPrefix + logoPath)
        self.settings = .dictionary(settings)
        let featured = settings["featured_collection"]?.textValue ?? ""
        featuredCollection = featured.isEmpty ? nil : featured

        var policies: [String: (String, String)] = [:]
        var policyLinks: [Value] = []
        for p in StoreLook.policyColumns {
            let body = store.member(p.column)?.textValue ?? ""
            guard !body.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty else { continue }
            policies[p.handle] = (p.titleKey, body)
            policyLinks.append(["title": .string(p.titleKey), "url": .string("/policies/" + p.handle)])
        }
        self.policies = policies

        let pages = context?.pages ?? []
        pageHandles = Set(pages.map(\.handle))
        navigation = [
            "collections": .array((context?.collections ?? []).map {
                ["title": .string($0.title), "handle": .string($0.handle), "url": .string("/collections/" + $0.handle)]
            }),
            "pages": .array(pages.map {
                ["title": .string($0.title), "handle": .string($0.handle), "url": .string("/pages/" + $0.handle)]
            }),
            "policies": .array(policyLinks),
        ]

        let email = store.member("contact_email")?.textValue ?? ""
        let addressParts = ["address1", "address2", "city", "province", "postal_code"]
            .map { store.member($0)?.textValue ?? "" }.filter { !$0.isEmpty }
        contact = [
            "email": .string(email),
            "phone": .string(store.member("phone")?.textValue ?? ""),
            "address": .string(addressParts.joined(separator: ", ")),
        ]
        shop = .dictionary([
            "name": .string(route.name),
            "currency": .string(route.currency),
            "locale": .string(StoreLook.languageTag(route.locale)),
            "url": .string(baseURL),
            "permanent_domain": .string(route.slug),
            "platform_url": .string(platformURL),
            "email": .string(email),
            "policies": .array(policyLinks),
        ])
    }

    /// `en_US` → `en-US`, for `<html lang>`.
    static func languageTag(_ locale: String) -> String {
        let tag = String(locale.map { $0 == "_" ? "-" : $0 })
        return tag.isEmpty ? "en" : tag
    }
}
