import Crypto
import Foundation
#if canImport(Glibc)
import Glibc
#endif
import Integrations
import Postgres
import Registry

/// A mail the app wants sent, rendered in the request and delivered later by the `mail.send`
/// job (a request never talks SMTP). The job's payload is this, sealed with the keyring, so
/// reset links in the queue are unreadable to anyone reading the `jobs` table.
struct OutgoingMail: Codable, Equatable {
    var to: String
    var toName: String?
    var subject: String
    var text: String
    var html: String?
    /// What the mail is for (`verify_email`, `reset_password`, ...), as `X-Storefleet-Kind`.
    var kind: String
}

/// The `mail.send` job: enqueued by the account pages, run by `storefleet jobs`.
public enum MailJob {
    public static let kind = "mail.send"
    static let associatedData = Array("job:mail.send".utf8)

    /// Queues `mail` in the registry's job queue (no RETURNING: the application role may add
    /// platform jobs but not read them back).
    static func enqueue(_ registry: Connection, keyring: Keyring, _ mail: OutgoingMail) throws {
        let json = try JSONEncoder().encode(mail)
        let sealed = try keyring.seal([UInt8](json), associatedData: associatedData)
        let payload = JSON(rawText: "{\"sealed\":\"" + sealed + "\"}")
        try registry.execute("""
            INSERT INTO jobs (kind, payload, max_attempts) VALUES (\(kind), \(payload)::jsonb, 8)
            """)
    }

    /// The mail inside a job's payload.
    static func open(_ payload: JSON, keyring: Keyring) throws -> OutgoingMail {
        struct Payload: Decodable { let sealed: String }
        let sealed = try payload.decode(Payload.self).sealed
        return try JSONDecoder().decode(OutgoingMail.self, from: Data(try keyring.open(sealed, associatedData: associatedData)))
    }

    /// Where mail goes and who it is from, read from the environment: `STOREFLEET_SMTP_URL`
    /// (required to deliver), `STOREFLEET_MAIL_FROM` (default `no-reply@<platform domain>`).
    public struct Settings: Sendable {
        public var smtp: SMTPSettings
        public var from: MailAddress

        public init(environment: [String: String]) throws {
            guard let url = environment["STOREFLEET_SMTP_URL"], !url.isEmpty else {
                throw IntegrationError.invalidRequest(reason: "STOREFLEET_SMTP_URL is not set; mail cannot be delivered")
            }
            smtp = SMTPSettings(url: url)
            let domain = environment["STOREFLEET_PLATFORM_DOMAIN"] ?? "storefleet.localhost"
            from = MailAddress(environment["STOREFLEET_MAIL_FROM"] ?? "no-reply@" + domain, name: "Storefleet")
        }
    }

    /// The job handler `storefleet jobs` registers. A failure (SMTP down, 4xx) throws, so the
    /// runner retries with back-off; the mail is never logged. The keyring is loaded on the first
    /// mail (a runner that sends none never needs it) and kept with the mailer in one object:
    /// state held by reference, because a closure stored back into a captured optional is
    /// wrapped in one more re-abstraction thunk on every store, so such a handler got slower
    /// with every mail it sent (O(n) per call) until the stack ran out.
    public static func handler(keyring: @escaping () throws -> Keyring, environment: [String: String]) -> JobHandler {
        // libcurl runs with CURLOPT_NOSIGNAL: a server closing mid-send must fail the job, not
        // kill the runner with SIGPIPE.
        signal(SIGPIPE, SIG_IGN)
        let sender = Sender(loadKeyring: keyring, environment: environment)
        return { job in try sender.send(job) }
    }

    /// What a runner keeps between mails: the keyring, and one mailer whose libcurl handle
    /// keeps the SMTP connection open (a burst of order confirmations is one session, not one
    /// per mail).
    final class Sender {
        let loadKeyring: () throws -> Keyring
        let environment: [String: String]
        var keyring: Keyring?
        var mailer: Mailer?

        init(loadKeyring: @escaping () throws -> Keyring, environment: [String: String]) {
            self.loadKeyring = loadKeyring
            self.environment = environment
        }

        func send(_ job: Job) throws {
            let settings = try Settings(environment: environment)
            if keyring == nil { keyring = try loadKeyring() }
            if mailer == nil { mailer = try Mailer() }
            guard let keyring, let mailer else { return }
            let mail = try open(job.payload, keyring: keyring)
            let message = Mail(from: settings.from, to: [MailAddress(mail.to, name: mail.toName)], subject: mail.subject,
                               text: mail.text, html: mail.html, headers: [("X-Storefleet-Kind", mail.kind)])
            try mailer.send(message, via: settings.smtp)
        }
    }
}
