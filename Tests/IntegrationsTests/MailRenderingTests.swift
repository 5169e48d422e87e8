import Foundation
@testable import Integrations
import Testing

/// The message bytes, without a server: line limits and encodings a relay would reject.
@Suite("Mail rendering")
struct MailRenderingTests {
    let date = Date(timeIntervalSince1970: 1_795_000_000)

    func lines(_ mail: Mail) -> [String] {
        String(decoding: mail.rendered(messageID: "id1@storefleet.test", date: date, boundary: "=_b"), as: UTF8.self)
            .components(separatedBy: "\r\n")
    }

    @Test func everyLineEndsInCRLFAndStaysShort() {
        let mail = Mail(from: MailAddress("a@storefleet.test", name: String(repeating: "Zoë ", count: 30)),
                        to: ["b@example.test"], subject: String(repeating: "ünïcödé ", count: 40),
                        text: String(repeating: "é", count: 3000) + "\n" + String(repeating: "a", count: 3000),
                        html: "<p>" + String(repeating: "x", count: 5000) + "</p>")
        let bytes = mail.rendered(messageID: "id1@storefleet.test", date: date, boundary: "=_b")
        let text = String(decoding: bytes, as: UTF8.self)
        #expect(!text.replacingOccurrences(of: "\r\n", with: "").contains("\n"))
        #expect(!text.replacingOccurrences(of: "\r\n", with: "").contains("\r"))
        for line in lines(mail) { #expect(line.utf8.count <= 998) }
        #expect(bytes.allSatisfy { $0 < 0x80 })
    }

    @Test func encodedWordsAreAtMost75Characters() {
        let words = MIMEEncoding.encodedWords(String(repeating: "日本語のメール ", count: 20))
        for word in words.components(separatedBy: "\r\n ") {
            #expect(word.count <= 75)
            #expect(word.hasPrefix("=?UTF-8?B?") && word.hasSuffix("?="))
        }
    }

    @Test func quotedPrintableKeepsLinesAt76AndEscapesWhatMust() {
        let encoded = MIMEEncoding.quotedPrintable("a=b \n\(String(repeating: "é", count: 100))\nFrom here\nend\t")
        let lines = encoded.components(separatedBy: "\r\n")
        #expect(lines[0] == "a=3Db=20")
        for line in lines { #expect(line.count <= 76) }
        #expect(lines.contains("=46rom here"))
        #expect(lines.last == "end=09")
    }

    @Test func displayNamesAreQuotedOnlyWhenNeeded() {
        #expect(MIMEEncoding.mailbox(MailAddress("a@b.test", name: "Ana Lima")) == "Ana Lima <a@b.test>")
        #expect(MIMEEncoding.mailbox(MailAddress("a@b.test", name: "Lima, Ana")) == "\"Lima, Ana\" <a@b.test>")
        #expect(MIMEEncoding.mailbox(MailAddress("a@b.test", name: "say \"hi\"")) == "\"say \\\"hi\\\"\" <a@b.test>")
        #expect(MIMEEncoding.mailbox(MailAddress("a@b.test")) == "a@b.test")
        #expect(MIMEEncoding.mailbox(MailAddress("a@b.test", name: "Zoë")) == "=?UTF-8?B?Wm/Dqw==?= <a@b.test>")
    }

    @Test func datesAreRFC5322InUTC() {
        #expect(MIMEEncoding.date(date) == "Wed, 18 Nov 2026 11:06:40 +0000")
        #expect(MIMEEncoding.date(Date(timeIntervalSince1970: 0)) == "Thu, 01 Jan 1970 00:00:00 +0000")
    }

    @Test func settingsPickStartTLSByHost() {
        #expect(SMTPSettings(url: "smtp://127.0.0.1:2525").startTLS == .ifOffered)
        #expect(SMTPSettings(url: "smtp://localhost:2525").startTLS == .ifOffered)
        #expect(SMTPSettings(url: "smtp://mail.example.test:587").startTLS == .always)
        #expect(String(describing: SMTPSettings(url: "smtp://user:pw@mail.example.test:587", password: "pw"))
            == "smtp://mail.example.test:587")
    }
}

@Suite("Mail validation")
struct MailValidationTests {
    @Test func aHeaderThatCannotBeFoldedIsRefused() {
        var mail = Mail(from: "a@storefleet.test", to: ["b@example.test"], subject: "Hi", text: "x")
        mail.headers = [("List-Unsubscribe", "<https://x.test/u?t=" + String(repeating: "a", count: 1000) + ">")]
        #expect(throws: IntegrationError.invalidRequest(reason: "header List-Unsubscribe has a word longer than 900 bytes")) {
            try mail.validate()
        }
        mail.headers = [("List-Unsubscribe", "<https://x.test/u?t=abc>")]
        #expect(throws: Never.self) { try mail.validate() }
    }
}
