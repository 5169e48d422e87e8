import Crypto
import Foundation
import Glibc
import Postgres
import Registry
import Testing
import TestSupport

/// Roles and store limits through nginx and the stack's workers: an owner invites a staff member
/// limited to one store, the invitation mail reaches the SMTP catcher through the stack's job
/// runner, the staff member accepts it, and the admin answers 403 wherever the role or the limit
/// says no.
extension ThroughTheStack {
@Suite("Team through nginx")
struct TeamThroughNginxTests {
    /// A person made in the registry directly, with a session (the accounts tests cover sign-up).
    static func person(_ owner: Connection, name: String, organization: Bool) throws -> (userId: Int64, email: String, orgId: Int64?, session: String, csrf: String) {
        let email = "it-team-\(Hex.encode(SecureRandom.bytes(5)))@example.com"
        let userId: Int64 = try owner.queryFirst("""
            INSERT INTO users (email, name, password_hash, email_verified_at)
            VALUES (\(email), \(name), \(PasswordHasher.hash("correct horse battery")), now()) RETURNING id
            """)!.decode("id")
        let orgId: Int64? = organization
            ? try owner.queryFirst("SELECT storefleet_create_organization(\(name + "'s shops"), \(userId)) AS id")!.decode("id")
            : nil
        let (token, record) = try Sessions.create(owner, userId: userId)
        return (userId, email, orgId, token, record.csrfToken)
    }

    /// The token of the newest caught invitation mail to `address`, waiting up to `seconds`.
    static func invitationToken(mailDir: String, to address: String, seconds: Double) -> String? {
        let deadline = ContinuousClock.now + .seconds(seconds)
        repeat {
            let index = (try? String(contentsOfFile: mailDir + "/index.jsonl", encoding: .utf8)) ?? ""
            for line in index.split(separator: "\n").reversed() where line.contains("\"\(address)\"") {
                guard let object = try? JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any],
                      let file = object["file"] as? String,
                      let raw = try? String(contentsOfFile: mailDir + "/" + file, encoding: .utf8) else { continue }
                let text = raw.replacingOccurrences(of: "=\r\n", with: "").replacingOccurrences(of: "=\n", with: "")
                    .replacingOccurrences(of: "=3D", with: "=")
                guard let start = text.range(of: "/invite/") else { continue }
                return String(text[start.upperBound...].prefix { $0.isLetter || $0.isNumber || $0 == "-" || $0 == "_" })
            }
            var pause = timespec(tv_sec: 0, tv_nsec: 100_000_000)
            nanosleep(&pause, nil)
        } while ContinuousClock.now < deadline
        return nil
    }

    @Test("A staff member limited to one store: invited by mail, accepted, 403 elsewhere")
    func staffLimitedToOneStore() throws {
        guard let stack = stackOrRecordIssue() else { return }
        let domain = try stack.platformDomain()
        let port = try stack.httpPort()
        let registry = try Connection(url: try stack.value("STOREFLEET_REGISTRY_OWNER_URL"))
        let owner = try Self.person(registry, name: "Team IT Owner", organization: true)
        let staff = try Self.person(registry, name: "Team IT Staff", organization: false)
        let keyring = try Keyring.load(file: try stack.value("STOREFLEET_MASTER_KEY_FILE"), environment: [:])
        let migrations = try MigrationSet(directory: StackEnvironment.packageRoot() + "/migrations/tenant")
        let provisioner = Provisioner(registry: registry, keyring: keyring, options: ProvisioningOptions(migrations: migrations))
        let storeA = try provisioner.provision(ProvisionRequest(slug: StorefleetCLI.uniqueSlug("it-team-a"), name: "Team A", orgId: owner.orgId))
        let storeB = try provisioner.provision(ProvisionRequest(slug: StorefleetCLI.uniqueSlug("it-team-b"), name: "Team B", orgId: owner.orgId))

        let ownerBrowser = WizardThroughNginxTests.Browser(port: port, host: domain, session: owner.session, csrf: owner.csrf)
        #expect(try ownerBrowser.send("GET", "/org/team").status == 200)
        let refused = try WizardThroughNginxTests.Browser(port: port, host: domain, session: owner.session, csrf: "forged-token-of-the-right-length")
            .send("POST", "/org/team/invite", form: [("org", String(owner.orgId!)), ("email", staff.email), ("role", "staff")])
        #expect(refused.status == 403)
        let invited = try ownerBrowser.send("POST", "/org/team/invite", form: [
            ("org", String(owner.orgId!)), ("email", staff.email), ("role", "staff"), ("stores", String(storeA.storeId)),
        ])
        #expect(invited.status == 303, "\(invited.text.prefix(300))")
        let token = try #require(Self.invitationToken(mailDir: try stack.value("STOREFLEET_MAIL_DIR"), to: staff.email, seconds: 20),
                                 "the stack's job runner delivers the invitation to the SMTP catcher")

        let staffBrowser = WizardThroughNginxTests.Browser(port: port, host: domain, session: staff.session, csrf: staff.csrf)
        #expect(try staffBrowser.send("GET", "/invite/\(token)").status == 200)
        let accepted = try staffBrowser.send("POST", "/invite/\(token)", form: [])
        #expect(accepted.status == 303)
        #expect(accepted.header("Location") == "/store/\(storeA.slug)/admin")
        #expect(try staffBrowser.send("GET", "/store/\(storeA.slug)/admin").status == 200)
        #expect(try staffBrowser.send("GET", "/store/\(storeB.slug)/admin").status == 403)
        #expect(try staffBrowser.send("GET", "/store/\(storeA.slug)/admin/settings").status == 403)
        #expect(try staffBrowser.send("GET", "/org/team").status == 403)
        #expect(try ownerBrowser.send("GET", "/store/\(storeB.slug)/admin").status == 200)
    }
}
}
