import Liquid
import Postgres
import Registry

/// The account mails, from `templates/email/<name>.txt.liquid` (plain text, no escaping) and
/// `<name>.html.liquid` (escaped, inside `email/layout.html`). Rendered in the request, so a
/// broken template shows up at once, then queued as a `mail.send` job.
struct AccountMail {
    let site: PlatformSite

    /// Builds and queues one mail. `data` gets `platform_url` and `recipient_name`.
    func send(_ template: String, to address: String, name: String?, subject: String,
              data: [String: Value] = [:]) throws {
        var data = data
        data["platform_url"] = .string(site.links.platformURL)
        data["recipient_name"] = .string(name ?? "")
        data["subject"] = .string(subject)
        let root = site.config.templateDirectory
        let text = try AccountMail.render(root: root, name: "email/\(template).txt", autoescape: false, data: data)
        let html = try AccountMail.render(root: root, name: "email/\(template).html", autoescape: true, data: data,
                                          layout: "email/layout.html")
        let mail = OutgoingMail(to: address, toName: name?.isEmpty == false ? name : nil, subject: subject,
                                text: text, html: html, kind: template)
        try MailJob.enqueue(try site.registry(), keyring: site.keyring, mail)
    }

    /// Mails are rare, so their templates are read when one is sent rather than kept parsed.
    static func render(root: String, name: String, autoescape: Bool, data: [String: Value], layout: String? = nil) throws -> String {
        let folder = TemplateFolder(root: root) { [$0 + ".liquid"] }
        let environment = Environment(autoescape: autoescape, loader: folder)
        return try folder.require(name, environment: environment).render(data, options: RenderOptions(), defaultLayout: layout)
    }

    // MARK: - The mails

    /// `next`: where to go once verified and logged in (kept through the mail's link).
    func verifyEmail(to address: String, name: String, token: String, isChange: Bool, next: String? = nil) throws {
        var link = site.links.platformURL + "/verify-email/" + token
        if let next, next != SafeNext.home { link += "?next=" + FormEncoding.encode(next) }
        try send(isChange ? "change_email" : "verify_email", to: address, name: name,
                 subject: isChange ? "Confirm your new email address" : "Confirm your email address for Storefleet",
                 data: ["link": .string(link), "new_email": .string(address)])
    }

    /// To the owner of an address someone tried to sign up with again: nothing on the page
    /// said the address has an account, so the owner hears it here.
    func signUpWithExistingAddress(to user: UserAccount) throws {
        try send("signup_existing", to: user.email, name: user.name,
                 subject: "You already have a Storefleet account",
                 data: ["login_link": .string(site.links.platformURL + "/login"),
                        "reset_link": .string(site.links.platformURL + "/password/forgot")])
    }

    func resetPassword(to user: UserAccount, token: String) throws {
        try send("reset_password", to: user.email, name: user.name, subject: "Reset your Storefleet password",
                 data: ["link": .string(site.links.platformURL + "/password/reset/" + token)])
    }

    /// A short note that something changed on the account, with what to do if it wasn't them.
    func securityNotice(to address: String, name: String, subject: String, message: String) throws {
        try send("security_notice", to: address, name: name, subject: subject,
                 data: ["message": .string(message), "reset_link": .string(site.links.platformURL + "/password/forgot"),
                        "address": .string(site.remoteAddress)])
    }
}
