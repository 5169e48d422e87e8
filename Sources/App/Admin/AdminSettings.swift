import Crypto
import Foundation
import HTTP
import Liquid
import Postgres
import Registry

extension StorefleetApp {
    /// `GET /store/:slug/admin/settings`.
    func settingsPage(_ site: PlatformSite, _ context: AdminContext) throws -> Response {
        let profile = try withTenant(context.route) { db in try StoreProfile.load(on: db) }
        return try renderSettings(site, context, profile: profile, values: profile, form: nil, errors: nil)
    }

    /// `POST /store/:slug/admin/settings` (multipart: it may carry the logo). Bad input answers
    /// 422 with the form refilled and every problem next to its field, and saves nothing.
    /// Otherwise the store's row, its audit line, the registry's routing copy and the platform's
    /// audit line are written in one tenant transaction (the registry's nested inside it, so a
    /// refused registry write rolls the store's back); the settings trigger moves the
    /// storefront's cache version.
    func saveSettings(_ site: PlatformSite, _ context: AdminContext, form: FormData) throws -> Response {
        let current = try withTenant(context.route) { db in try StoreProfile.load(on: db) }
        var errors = FormErrors()
        var updated = current
        updated.name = errors.requireText(form, "name", label: "a store name", maxLength: 200)
        let email = (form["contact_email"] ?? "").trimmingWhitespace().lowercased()
        if email.isEmpty {
            errors.add("contact_email", "Enter the email address customers can reach you at.")
        } else if email.count > 254 || !FormErrors.looksLikeEmail(email) {
            errors.add("contact_email", "Enter an email address like name@example.com.")
        }
        updated.contactEmail = email
        updated.phone = errors.optionalText(form, "phone", label: "the phone number", maxLength: 40)
        if !updated.phone.isEmpty, !updated.phone.unicodeScalars.allSatisfy({ "0123456789 +-().".unicodeScalars.contains($0) }) {
            errors.add("phone", "Use digits, spaces and + - ( ) only.")
        }
        updated.address1 = errors.optionalText(form, "address1", label: "the address", maxLength: 200)
        updated.address2 = errors.optionalText(form, "address2", label: "the second address line", maxLength: 200)
        updated.city = errors.optionalText(form, "city", label: "the city", maxLength: 100)
        updated.province = errors.optionalText(form, "province", label: "the state or region", maxLength: 100)
        updated.postalCode = errors.optionalText(form, "postal_code", label: "the postal code", maxLength: 20)
        let country = (form["country"] ?? "").trimmingWhitespace().uppercased()
        if SettingsChoices.isCountry(country) || (country == current.countryCode && !country.isEmpty) {
            updated.countryCode = country
        } else {
            errors.add("country", "Choose a country from the list.")
        }
        let currency = (form["currency"] ?? "").trimmingWhitespace().uppercased()
        if SettingsChoices.isCurrency(currency) || (currency == current.currency && !currency.isEmpty) {
            updated.currency = currency
        } else {
            errors.add("currency", "Choose a currency from the list.")
        }
        let timezone = (form["timezone"] ?? "").trimmingWhitespace()
        if SettingsChoices.isTimezone(timezone) {
            updated.timezone = timezone
        } else {
            errors.add("timezone", "Choose a time zone from the list.")
        }
        updated.refundPolicy = errors.optionalText(form, "refund_policy", label: "the refund policy", maxLength: 20000, multiline: true)
        updated.privacyPolicy = errors.optionalText(form, "privacy_policy", label: "the privacy policy", maxLength: 20000, multiline: true)
        updated.termsOfService = errors.optionalText(form, "terms_of_service", label: "the terms of service", maxLength: 20000, multiline: true)
        updated.shippingPolicy = errors.optionalText(form, "shipping_policy", label: "the shipping policy", maxLength: 20000, multiline: true)

        var logo: LogoImage?
        if let file = form.file("logo"), !(file.bytes.isEmpty && file.filename.isEmpty) {
            do {
                logo = try LogoImage.check(file.bytes)
            } catch .tooLarge {
                errors.add("logo", "The logo must be at most 1 MB.")
            } catch {
                errors.add("logo", "Upload a PNG, JPEG, WebP or GIF image.")
            }
        }
        if logo == nil, form["remove_logo"] == "1" { updated.logoPath = nil }

        guard errors.isEmpty else {
            return try renderSettings(site, context, profile: current, values: nil, form: form, errors: errors)
        }

        let media = try StoreMedia(config: config, storeId: context.route.storeId)
        var written: String?
        if let logo {
            written = try media.write(logo.bytes, prefix: "logo", fileExtension: logo.fileExtension)
            updated.logoPath = written
        }
        let changed = updated.changedFields(from: current)
        do {
            if !changed.isEmpty {
                let registry = try site.registry()
                try withTenant(context.route) { db in
                    try db.transaction { db in
                        try updated.save(on: db)
                        try AdminAudit.recordInStore(db, site: site, context: context, action: "settings.update",
                                                     subjectType: "store", subjectId: String(context.route.storeId),
                                                     details: ["fields": changed.joined(separator: ",")])
                        try OrganizationScope.run(registry, orgId: context.store.orgId, userId: context.session.userId) { reg in
                            try reg.execute("""
                                UPDATE stores SET name = \(updated.name), currency = \(updated.currency),
                                    country = \(updated.countryCode), timezone = \(updated.timezone)
                                WHERE id = \(context.route.storeId)
                                """)
                            try AdminAudit.recordInRegistry(reg, site: site, context: context, action: "store.settings.update",
                                                            details: ["fields": changed.joined(separator: ",")])
                        }
                    }
                }
            }
        } catch {
            if let written { media.remove(written) }
            throw error
        }
        if let old = current.logoPath, old != updated.logoPath { media.remove(old) }
        let message = changed.isEmpty ? "Nothing to save: the settings were already up to date." : "Settings saved."
        return site.redirect(to: context.adminURL + "/settings", flash: changed.isEmpty ? .info(message) : .success(message))
    }

    /// The settings form: `values` fills it on a GET, the submitted `form` after bad input.
    private func renderSettings(_ site: PlatformSite, _ context: AdminContext, profile: StoreProfile,
                                values: StoreProfile?, form: FormData?, errors: FormErrors?) throws -> Response {
        let country = form?["country"] ?? profile.countryCode
        let currency = form?["currency"] ?? profile.currency
        let timezone = form?["timezone"] ?? profile.timezone
        var assigns: [String: Value] = [
            "countries": SettingsChoices.options(SettingsChoices.countries, selected: country, labelWithCode: false),
            "currencies": SettingsChoices.options(SettingsChoices.currencies, selected: currency, labelWithCode: true),
            "timezones": SettingsChoices.timezoneOptions(selected: timezone),
            "logo_max": "1 MB",
            "action": .string(context.adminURL + "/settings"),
            "has_errors": .bool(!(errors?.isEmpty ?? true)),
        ]
        if let logo = profile.logoPath { assigns["logo_url"] = .string(StoreMedia.url(storeId: context.route.storeId, file: logo)) }
        if let values { assigns["form"] = values.formValue }
        return try AdminPages.render(site, context, area: .settings, page: "admin/settings", title: "Settings",
                                     assigns: assigns, form: form, errors: errors)
    }
}

/// A store's uploaded files: `<STOREFLEET_DATA_DIR>/media/sf_store_<id>/`, which nginx serves
/// at `/media/sf_store_<id>/` (nginx/snippets/static.conf).
struct StoreMedia {
    let directory: String

    init(config: AppConfiguration, storeId: Int64) throws {
        guard let data = config.environment["STOREFLEET_DATA_DIR"], !data.isEmpty else {
            throw StoreMediaUnavailable()
        }
        directory = data + "/media/sf_store_\(storeId)"
    }

    static func url(storeId: Int64, file: String) -> String { "/media/sf_store_\(storeId)/" + file }

    /// Writes `bytes` under a new random name (written to a temporary name, then renamed, so
    /// nginx never serves half a file) and returns the name.
    func write(_ bytes: [UInt8], prefix: String, fileExtension: String) throws -> String {
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        let random = Hex.encode(SecureRandom.bytes(8))
        let name = "\(prefix)-\(random).\(fileExtension)"
        let temporary = directory + "/." + name + ".tmp"
        guard FileManager.default.createFile(atPath: temporary, contents: Data(bytes)) else { throw StoreMediaUnavailable() }
        guard rename(temporary, directory + "/" + name) == 0 else {
            unlink(temporary)
            throw StoreMediaUnavailable()
        }
        return name
    }

    /// Deletes a file of the folder (best effort: a leftover file is harmless).
    func remove(_ name: String) {
        guard !name.contains("/"), !name.hasPrefix(".") else { return }
        unlink(directory + "/" + name)
    }
}

/// The media folder is not configured or not writable: a server problem, a plain 500 page.
struct StoreMediaUnavailable: Error {}
