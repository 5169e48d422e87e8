import Commerce
import Foundation
import HTTP
import Liquid
import Postgres

/// Rendering and small rules shared by the customer pages.
extension StorefleetApp {
    /// A theme's `customers/<name>` template for this shopper, with `form`, `errors` and the
    /// logged-in `customer` assigned.
    func customerPage(_ site: StoreSite, db: Connection, _ name: String, title: String, assigns: [String: Value] = [:],
                      form: FormData? = nil, errors: FormErrors? = nil, status: Status = .ok) throws -> Response {
        var data = assigns
        if data["customer"] == nil, let customer = try site.customer(db: db) {
            data["customer"] = Self.customerDrop(customer)
        }
        var filled: [String: Value] = [:]
        // First value of each field; never a password or the token back into the page.
        for field in form?.fields ?? [] where field.name != "_csrf" && field.name != "password" && filled[field.name] == nil {
            filled[field.name] = .string(field.value)
        }
        if data["form"] == nil { data["form"] = .dictionary(filled) }
        data["errors"] = errors?.liquidValue ?? .dictionary([:])
        return try storefront.shopperPage(site, db: db, template: "customers/" + name, title: title, assigns: data,
                                          status: status)
    }

    static func customerDrop(_ c: ShopperCustomer) -> Value {
        let name = (c.firstName + " " + c.lastName).trimmingWhitespace()
        return ["id": .int(Int(c.id)), "first_name": .string(c.firstName), "last_name": .string(c.lastName),
                "name": .string(name.isEmpty ? c.email : name), "email": .string(c.email)]
    }

    /// The logged-in customer, or a redirect to log in that comes back to this page.
    func requireCustomer(_ site: StoreSite, db: Connection) throws -> ShopperCustomer {
        if let customer = try site.customer(db: db) { return customer }
        let back = site.request.path + (site.request.rawQuery.isEmpty ? "" : "?" + site.request.rawQuery)
        throw Redirect(to: "/account/login?return_to=" + FormEncoding.encode(back))
    }

    /// Where to go after log-in: a same-host path from `return_to`, else the account page.
    static func returnPath(_ raw: String?) -> String {
        guard let raw, SafeNext.isLocalPath(raw) else { return "/account" }
        return raw
    }

    /// `6 Dec 2026` in the store's time zone.
    static func shortDate(_ date: Date, timezone: String) -> String {
        let f = DateFormatter()
        f.locale = Locale(identifier: "en_US_POSIX")
        f.timeZone = TimeZone(identifier: timezone) ?? TimeZone(identifier: "UTC")
        f.dateFormat = "d MMM yyyy"
        return f.string(from: date)
    }
}
