import Foundation
import Integrations
import Testing

@Suite("Mailer against the aiosmtpd catcher")
struct MailerTests {
    static let subject = "Réinitialisez votre mot de passe ✓ — un sujet assez long pour être replié sur plusieurs lignes, n'est-ce pas ? 日本語も"
    static let text = """
        Bonjour Zoë,

        .a line that starts with a dot
        .
        From the team: follow this link to choose a new password.
        \(String(repeating: "0123456789", count: 200))
        trailing space here 
        = signs = and tabs\tinside
        """
    static let html = "<p>Bonjour <b>Zoë</b>,</p>\n.<p>a dot first</p>\n<p><a href=\"https://x.test/reset?t=abc&amp;u=1\">Choisir</a></p>"

    @Test func aMultipartMailArrivesIntact() throws {
        let catcher = try MailCatcher()
        let mail = Mail(from: MailAddress("shop@storefleet.test", name: "Café Zoë — Storefleet"),
                        to: ["ana@example.test", MailAddress("jane@example.test", name: "Doe, Jane")],
                        bcc: ["audit@storefleet.test"],
                        replyTo: MailAddress("support@storefleet.test", name: "Support"),
                        subject: Self.subject, text: Self.text, html: Self.html,
                        headers: [("X-Storefleet-Kind", "password-reset"), ("X-Note", "prêt")],
                        date: Date(timeIntervalSince1970: 1_795_000_000))
        let messageID = try Mailer().send(mail, via: SMTPSettings(url: catcher.url))

        let entries = try catcher.entries()
        try #require(entries.count == 1)
        #expect(entries[0].subject == Self.subject)
        #expect(entries[0].mail_from == "shop@storefleet.test")
        #expect(entries[0].rcpt_tos == ["ana@example.test", "jane@example.test", "audit@storefleet.test"])

        let decoded = try catcher.decoded(entries[0])
        #expect(decoded.defects.isEmpty)
        #expect(decoded.header("Subject") == Self.subject)
        #expect(decoded.header("From") == "Café Zoë — Storefleet <shop@storefleet.test>")
        #expect(decoded.header("To") == "ana@example.test, \"Doe, Jane\" <jane@example.test>")
        #expect(decoded.header("Reply-To") == "Support <support@storefleet.test>")
        #expect(decoded.header("Date") == "Wed, 18 Nov 2026 11:06:40 +0000")
        #expect(decoded.header("Message-ID") == "<\(messageID)>")
        #expect(messageID.hasSuffix("@storefleet.test"))
        #expect(decoded.header("X-Storefleet-Kind") == "password-reset")
        #expect(decoded.header("X-Note") == "prêt")
        #expect(!decoded.hasHeader("Bcc"))
        #expect(try !catcher.raw(entries[0]).contains("audit@storefleet.test\r\n\r\n"))

        #expect(decoded.content_type == "multipart/alternative")
        #expect(decoded.parts.map(\.content_type) == ["text/plain", "text/html"])
        #expect(decoded.parts.map(\.charset) == ["utf-8", "utf-8"])
        #expect(decoded.parts.first?.text.trimmingTrailingNewline == Self.text)
        #expect(decoded.parts.last?.text.trimmingTrailingNewline == Self.html)
        #expect(decoded.longest_line <= 998)
    }

    @Test func aTextOnlyMailIsOnePart() throws {
        let catcher = try MailCatcher()
        try Mailer().send(Mail(from: "shop@storefleet.test", to: ["ana@example.test"],
                               subject: "Plain ASCII subject", text: "Line one\n.\n..two dots\nend"),
                          via: SMTPSettings(url: catcher.url))
        let entry = try #require(try catcher.entries().first)
        let decoded = try catcher.decoded(entry)
        #expect(decoded.content_type == "text/plain")
        #expect(decoded.header("Subject") == "Plain ASCII subject")
        #expect(decoded.parts.first?.text.trimmingTrailingNewline == "Line one\n.\n..two dots\nend")
        #expect(try catcher.raw(entry).contains("Subject: Plain ASCII subject\r\n"))
    }

    @Test func oneMailerSendsManyMails() throws {
        let catcher = try MailCatcher()
        let mailer = try Mailer()
        for n in 1...3 {
            try mailer.send(Mail(from: "shop@storefleet.test", to: [MailAddress("n\(n)@example.test")], subject: "Mail \(n)", text: "Body \(n)"),
                            via: SMTPSettings(url: catcher.url))
        }
        let entries = try catcher.entries()
        #expect(entries.map(\.subject) == ["Mail 1", "Mail 2", "Mail 3"])
        #expect(entries.map(\.rcpt_tos) == [["n1@example.test"], ["n2@example.test"], ["n3@example.test"]])
    }

    @Test func credentialsAreSentAndChecked() throws {
        let catcher = try MailCatcher(requireAuth: "mailer:s3cret")
        let host = "127.0.0.1:\(catcher.server.port)"
        let mail = Mail(from: "shop@storefleet.test", to: ["ana@example.test"], subject: "Auth", text: "x")
        let mailer = try Mailer()
        #expect(throws: IntegrationError.mailRejected(host: host, replyCode: 530)) {
            try mailer.send(mail, via: SMTPSettings(url: catcher.url))
        }
        #expect(throws: IntegrationError.authenticationFailed(host: host)) {
            try mailer.send(mail, via: SMTPSettings(url: catcher.url, username: "mailer", password: "wrong"))
        }
        #expect(try catcher.entries().isEmpty)
        try mailer.send(mail, via: SMTPSettings(url: catcher.url, username: "mailer", password: "s3cret"))
        #expect(try catcher.entries().count == 1)
    }

    @Test func startTLSRequiredRefusesAPlainServer() throws {
        let catcher = try MailCatcher()
        let mail = Mail(from: "shop@storefleet.test", to: ["ana@example.test"], subject: "TLS", text: "secret")
        #expect {
            try Mailer().send(mail, via: SMTPSettings(url: catcher.url, startTLS: .always))
        } throws: { error in
            if case .tls = error as? IntegrationError { return true }
            return false
        }
        #expect(try catcher.entries().isEmpty)
    }

    @Test func malformedMailIsRefusedBeforeConnecting() throws {
        let catcher = try MailCatcher()
        let settings = SMTPSettings(url: catcher.url)
        let mailer = try Mailer()
        let good = Mail(from: "shop@storefleet.test", to: ["ana@example.test"], subject: "Hi", text: "x")
        var injected = good
        injected.subject = "Hi\r\nBcc: victim@example.test"
        var badRecipient = good
        badRecipient.to = [MailAddress("ana@example.test>\r\nRCPT TO:<victim@example.test")]
        var reserved = good
        reserved.headers = [("Subject", "again")]
        var nobody = good
        nobody.to = []
        for mail in [injected, badRecipient, reserved, nobody] {
            #expect(throws: IntegrationError.self) { try mailer.send(mail, via: settings) }
        }
        #expect(try catcher.entries().isEmpty)
    }

    @Test func aServerThatNeverGreetsTimesOutInBoundedTime() throws {
        let silent = try EchoServer()       // speaks HTTP: waits for a request, never sends 220
        let mail = Mail(from: "shop@storefleet.test", to: ["ana@example.test"], subject: "Hi", text: "x")
        let started = ContinuousClock.now
        #expect(throws: IntegrationError.timedOut(host: "127.0.0.1:\(silent.server.port)", milliseconds: 500)) {
            try Mailer().send(mail, via: SMTPSettings(url: "smtp://127.0.0.1:\(silent.server.port)", timeout: .milliseconds(500)))
        }
        #expect(ContinuousClock.now - started < .seconds(3))
    }

    @Test func noServerIsCouldNotConnect() throws {
        let port = try LocalServer.freePort()
        let mail = Mail(from: "shop@storefleet.test", to: ["ana@example.test"], subject: "Hi", text: "x")
        let error = #expect(throws: IntegrationError.self) {
            try Mailer().send(mail, via: SMTPSettings(url: "smtp://127.0.0.1:\(port)"))
        }
        #expect(error == .couldNotConnect(host: "127.0.0.1:\(port)"))
        #expect(error?.isTransient == true)
    }
}

extension String {
    var trimmingTrailingNewline: String {
        var s = self
        while s.hasSuffix("\n") { s.removeLast() }
        return s
    }
}

@Suite("CaughtMailbox reads what the catcher stored")
struct CaughtMailboxTests {
    @Test func aSentMailReadsBackWithItsBodies() throws {
        let catcher = try MailCatcher()
        let mailbox = CaughtMailbox(folder: catcher.folder.path)
        #expect(mailbox.entries().isEmpty)
        let link = "http://storefleet.localhost:8080/password/reset?token=Zm9v-YmFy_baz&u=12"
        let text = "Hi Zoë,\n.\nChoose a new password: \(link)\n" + String(repeating: "long line ", count: 30)
        let html = "<p>Hi Zoë,</p><p><a href=\"\(link)\">Choose a new password</a></p>"
        let id = try Mailer().send(Mail(from: "no-reply@storefleet.test", to: ["ana@example.test"],
                                        subject: "Réinitialisation", text: text, html: html),
                                   via: SMTPSettings(url: catcher.url))
        let entry = try #require(mailbox.entries().first)
        #expect(entry.subject == "Réinitialisation")
        #expect(entry.recipients == ["ana@example.test"])
        let message = try #require(mailbox.message(id: entry.id))
        #expect(message.header("Message-ID") == "<\(id)>")
        #expect(message.text == text)
        #expect(message.html == html)
        #expect(message.text?.contains(link) == true)
        #expect(mailbox.message(id: "../index") == nil)
    }
}
