import Commerce
import Liquid
import Postgres

/// The mails a store sends its shoppers about their account, from
/// `templates/email/customer_<name>.{txt,html}.liquid`, queued as `mail.send` jobs like the
/// platform's account mails (a request never talks SMTP). Links are absolute on the store's
/// primary host; the store's name is in the subject and the greeting.
struct CustomerMail {
    let site: StoreSite

    private var baseURL: String { StoreURLs.baseURL(site, request: site.request) }

    func send(_ template: String, to address: String, name: String, subject: String, data: [String: Value]) throws {
        var data = data
        data["store_name"] = .string(site.route.name)
        data["store_url"] = .string(baseURL)
        data["recipient_name"] = .string(name)
        data["subject"] = .string(subject)
        let root = site.config.templateDirectory
        let text = try AccountMail.render(root: root, name: "email/customer_\(template).txt", autoescape: false, data: data)
        let html = try AccountMail.render(root: root, name: "email/customer_\(template).html", autoescape: true, data: data,
                                          layout: "email/customer_layout.html")
        let mail = OutgoingMail(to: address, toName: name.isEmpty ? nil : name, subject: subject, text: text, html: html,
                                kind: "customer_" + template)
        try MailJob.enqueue(try site.app.registry().registryConnection, keyring: site.keyring, mail)
    }

    /// The sign-up link: sets the password chosen and logs in (also how a guest claims the
    /// customer record checkout made for their address).
    func confirmSignUp(to customer: CustomerAccount, firstName: String, token: String) throws {
        try send("confirm", to: customer.email, name: firstName, subject: "Confirm your account at \(site.route.name)",
                 data: ["link": .string(baseURL + "/account/confirm/" + token)])
    }

    /// To the owner of an address someone tried to sign up with again: the page said nothing.
    func alreadyRegistered(to customer: CustomerAccount) throws {
        try send("existing", to: customer.email, name: customer.firstName,
                 subject: "You already have an account at \(site.route.name)",
                 data: ["login_link": .string(baseURL + "/account/login"),
                        "reset_link": .string(baseURL + "/account/recover")])
    }

    func resetPassword(to customer: CustomerAccount, token: String) throws {
        try send("reset_password", to: customer.email, name: customer.firstName,
                 subject: "Reset your password at \(site.route.name)",
                 data: ["link": .string(baseURL + "/account/reset/" + token),
                        "has_password": .bool(customer.hasPassword)])
    }
}
