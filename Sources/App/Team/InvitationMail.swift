import Foundation
import Postgres
import Registry

/// The mail that carries an invitation's link. Plain text first; the HTML part says the same.
struct InvitationMail {
    let site: PlatformSite
    let invitation: IssuedInvitation
    let inviterName: String

    var link: String { site.links.platformURL + "/invite/" + invitation.token }

    var mail: OutgoingMail {
        let inviter = inviterName.isEmpty ? "An owner" : inviterName
        let org = invitation.orgName
        let role = invitation.role.title.lowercased()
        let subject = "\(inviter) invited you to \(org) on Storefleet"
        let text = """
            Hello,

            \(inviter) invited you to join \(org) on Storefleet as \(role).
            \(invitation.role.summary)

            Accept the invitation here (the link works for 7 days):
            \(link)

            If you don't have a Storefleet account yet, create one with this email address
            (\(invitation.email)) from that page.

            If you weren't expecting this, you can ignore this mail.
            """
        let html = """
            <p>Hello,</p>
            <p>\(escape(inviter)) invited you to join <strong>\(escape(org))</strong> on Storefleet as \(escape(role)).
            \(escape(invitation.role.summary))</p>
            <p><a href="\(escape(link))">Accept the invitation</a> (the link works for 7 days).</p>
            <p>If you don't have a Storefleet account yet, create one with this email address
            (\(escape(invitation.email))) from that page.</p>
            <p>If you weren't expecting this, you can ignore this mail.</p>
            """
        return OutgoingMail(to: invitation.email, toName: nil, subject: subject, text: text, html: html,
                            kind: "team_invitation")
    }

    /// Queues the mail on `registry` (the `mail.send` job delivers it).
    func enqueue(on registry: Postgres.Connection) throws {
        try MailJob.enqueue(registry, keyring: site.keyring, mail)
    }

    private func escape(_ s: String) -> String {
        var out = ""
        for c in s {
            switch c {
            case "&": out += "&amp;"
            case "<": out += "&lt;"
            case ">": out += "&gt;"
            case "\"": out += "&quot;"
            case "'": out += "&#39;"
            default: out.append(c)
            }
        }
        return out
    }
}
