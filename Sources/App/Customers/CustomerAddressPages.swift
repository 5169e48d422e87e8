import Commerce
import Foundation
import HTTP
import Liquid
import Postgres

/// The address book: `/account/addresses` lists the addresses with a form to add one;
/// `/account/addresses/:id` edits one; POSTs delete one or make it the default. Exactly one
/// address is the default while there is any (`CustomerAddresses`).
extension StorefleetApp {
    func addCustomerAddressRoutes(to router: inout SiteRouter<StoreSite>) {
        router.get("/account/addresses") { [unowned self] _, _, site in
            try site.withTenant { db in try addressesPage(site, db: db, customer: try requireCustomer(site, db: db)) }
        }
        router.post("/account/addresses") { [unowned self] _, _, site in
            let form = try site.verifiedForm()
            return try site.withTenant { db in try saveAddress(site, db: db, id: 0, form: form) }
        }
        router.get("/account/addresses/:id") { [unowned self] request, parameters, site in
            try site.withTenant { db in
                let customer = try requireCustomer(site, db: db)
                guard let id = Int64(parameters["id"] ?? ""),
                      let address = try CustomerAddresses.find(db, customerId: customer.id, id: id) else {
                    return try storefront.notFound(request, site, app: self)
                }
                return try addressEditPage(site, db: db, address: address, form: nil, errors: nil)
            }
        }
        router.post("/account/addresses/:id") { [unowned self] _, parameters, site in
            let form = try site.verifiedForm()
            let id = try Self.addressId(parameters)
            return try site.withTenant { db in try saveAddress(site, db: db, id: id, form: form) }
        }
        router.post("/account/addresses/:id/delete") { [unowned self] _, parameters, site in
            _ = try site.verifiedForm()
            let id = try Self.addressId(parameters)
            return try site.withTenant { db in
                let customer = try requireCustomer(site, db: db)
                let deleted = try CustomerAddresses.delete(db, customerId: customer.id, id: id)
                return site.redirect(to: "/account/addresses",
                                     flash: deleted ? .success("Address deleted.") : .info("That address was already deleted."))
            }
        }
        router.post("/account/addresses/:id/default") { [unowned self] _, parameters, site in
            _ = try site.verifiedForm()
            let id = try Self.addressId(parameters)
            return try site.withTenant { db in
                let customer = try requireCustomer(site, db: db)
                guard try CustomerAddresses.makeDefault(db, customerId: customer.id, id: id) else {
                    throw HTTPError(.notFound, "That address no longer exists.")
                }
                return site.redirect(to: "/account/addresses", flash: .success("Default address changed."))
            }
        }
    }

    static func addressId(_ parameters: Parameters) throws -> Int64 {
        guard let id = Int64(parameters["id"] ?? ""), id > 0 else { throw HTTPError(.notFound, "That address no longer exists.") }
        return id
    }

    func addressesPage(_ site: StoreSite, db: Connection, customer: ShopperCustomer, form: FormData? = nil,
                       errors: FormErrors? = nil) throws -> Response {
        let addresses = try CustomerAddresses.list(db, customerId: customer.id)
        let country = form?["country_code"] ?? Self.defaultCountry(site)
        return try customerPage(site, db: db, "addresses", title: "Your addresses", assigns: [
            "addresses": .array(addresses.map(Self.addressDrop)),
            "countries": CountryNames.options(selected: country),
            "can_add": .bool(addresses.count < CustomerAddresses.limit),
            "open_form": .bool(addresses.isEmpty || errors != nil),
        ], form: form, errors: errors, status: errors == nil ? .ok : .unprocessableContent)
    }

    func addressEditPage(_ site: StoreSite, db: Connection, address: CustomerAddress, form: FormData?,
                         errors: FormErrors?) throws -> Response {
        var filled: [String: Value] = [:]
        if case .dictionary(let d) = Self.addressDrop(address) { filled = d }
        if let form { for f in form.fields where f.name != "_csrf" { filled[f.name] = .string(f.value) } }
        return try customerPage(site, db: db, "address", title: "Edit address", assigns: [
            "address": Self.addressDrop(address),
            "form": .dictionary(filled),
            "countries": CountryNames.options(selected: form?["country_code"] ?? address.countryCode),
        ], errors: errors, status: errors == nil ? .ok : .unprocessableContent)
    }

    /// `POST /account/addresses` (id 0) and `/account/addresses/:id`: the address fields,
    /// `default` = 1 to make it the default.
    func saveAddress(_ site: StoreSite, db: Connection, id: Int64, form: FormData) throws -> Response {
        let customer = try requireCustomer(site, db: db)
        func field(_ name: String) -> String { (form[name] ?? "").trimmingWhitespace() }
        let address = CustomerAddress(id: id, firstName: field("first_name"), lastName: field("last_name"),
                                      company: field("company"), address1: field("address1"), address2: field("address2"),
                                      city: field("city"), provinceCode: field("province_code"),
                                      postalCode: field("postal_code"), countryCode: field("country_code").uppercased(),
                                      phone: field("phone"), isDefault: form["default"] == "1")
        var errors = FormErrors()
        for problem in address.problems() { errors.add(problem.field, problem.message) }
        if errors["country_code"] == nil, !CountryNames.isKnown(address.countryCode) { errors.add("country_code", "Choose a country.") }
        if !errors.isEmpty {
            if id == 0 { return try addressesPage(site, db: db, customer: customer, form: form, errors: errors) }
            guard let existing = try CustomerAddresses.find(db, customerId: customer.id, id: id) else {
                throw HTTPError(.notFound, "That address no longer exists.")
            }
            return try addressEditPage(site, db: db, address: existing, form: form, errors: errors)
        }
        guard try CustomerAddresses.save(db, customerId: customer.id, address) != nil else {
            if id == 0 {
                return site.redirect(to: "/account/addresses",
                                     flash: .error("You can keep up to \(CustomerAddresses.limit) addresses. Delete one to add another."))
            }
            throw HTTPError(.notFound, "That address no longer exists.")
        }
        return site.redirect(to: "/account/addresses", flash: .success(id == 0 ? "Address added." : "Address saved."))
    }

    /// The store's own country for a new address (its settings), else the US.
    static func defaultCountry(_ site: StoreSite) -> String {
        let locale = site.route.locale
        if let dash = locale.firstIndex(where: { $0 == "-" || $0 == "_" }) {
            let region = String(locale[locale.index(after: dash)...]).uppercased()
            if CountryNames.isKnown(region) { return region }
        }
        return "US"
    }
}
