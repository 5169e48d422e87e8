import Crypto
import Foundation
import Postgres
import Registry
import Testing

/// Merchant accounts against the real registry, as the application role.
@Suite struct AccountsTests {
    static func uniqueEmail(_ prefix: String = "acct") -> String {
        "\(prefix)-\(Hex.encode(SecureRandom.bytes(6)))@example.com"
    }

    /// A client address no other test uses, so per-address throttling stays per test.
    static func uniqueAddress() -> String {
        let b = SecureRandom.bytes(3)
        return "10.\(b[0]).\(b[1]).\(b[2])"
    }

    static func signUp(_ db: Connection, email: String, password: String = "correct horse battery") throws -> UserAccount {
        guard case .created(let user, _) = try Users.signUp(db, name: "Ana Example", email: email, password: password,
                                                           organizationName: "Ana's shops") else {
            Issue.record("sign-up of a fresh address did not create an account")
            throw AccountError.concurrentChange
        }
        return user
    }

    @Test func signUpCreatesAnUnverifiedOwnerAndRefusesATakenAddressQuietly() throws {
        try RegistryFixture.run { fx in
            let db = try fx.app()
            let email = Self.uniqueEmail()
            let user = try Self.signUp(db, email: email)
            #expect(user.email == email)
            #expect(!user.isEmailVerified)
            let orgs = try Users.organizations(db, userId: user.id)
            #expect(orgs.map(\.role) == ["owner"])
            #expect(orgs.first?.name == "Ana's shops")

            let again = try Users.signUp(db, name: "Someone", email: email.uppercased(), password: "another password",
                                         organizationName: "X")
            guard case .emailTaken(let existing) = again else { Issue.record("a taken address made a second account"); return }
            #expect(existing.id == user.id)
            #expect(try Users.organizations(db, userId: user.id).count == 1)
        }
    }

    @Test func wrongPasswordAndUnknownEmailAreTheSameOutcome() throws {
        try RegistryFixture.run { fx in
            let db = try fx.app()
            let email = Self.uniqueEmail()
            let user = try Self.signUp(db, email: email)
            let address = Self.uniqueAddress()
            #expect(try Users.authenticate(db, email: email, password: "correct horse battery", address: address) == .authenticated(user))
            #expect(try Users.authenticate(db, email: email.uppercased(), password: "correct horse battery", address: address) == .authenticated(user))
            #expect(try Users.authenticate(db, email: email, password: "wrong", address: address) == .invalid)
            #expect(try Users.authenticate(db, email: Self.uniqueEmail("nobody"), password: "wrong", address: address) == .invalid)
        }
    }

    @Test func throttlesAnAccountAfterFiveFailuresUntilTheyLeaveTheWindow() throws {
        try RegistryFixture.run { fx in
            let db = try fx.app()
            let email = Self.uniqueEmail()
            let user = try Self.signUp(db, email: email)
            for _ in 0..<5 {
                #expect(try Users.authenticate(db, email: email, password: "nope", address: Self.uniqueAddress()) == .invalid)
            }
            // From any address, even with the right password.
            #expect(try Users.authenticate(db, email: email, password: "correct horse battery", address: Self.uniqueAddress()) == .throttled)
            // Fifteen minutes later the failures have left the window.
            try fx.owner().execute("""
                UPDATE login_failures SET at = at - interval '16 minutes'
                WHERE account_key = \(SHA256Digest.hash(email.lowercased()))
                """)
            #expect(try Users.authenticate(db, email: email, password: "correct horse battery", address: Self.uniqueAddress()) == .authenticated(user))
        }
    }

    @Test func throttlesAnAddressTryingManyAccounts() throws {
        try RegistryFixture.run { fx in
            let db = try fx.app()
            let address = Self.uniqueAddress()
            for _ in 0..<20 {
                _ = try Users.authenticate(db, email: Self.uniqueEmail("spray"), password: "guess", address: address)
            }
            let email = Self.uniqueEmail()
            _ = try Self.signUp(db, email: email)
            #expect(try Users.authenticate(db, email: email, password: "correct horse battery", address: address) == .throttled)
            if case .authenticated = try Users.authenticate(db, email: email, password: "correct horse battery",
                                                             address: Self.uniqueAddress()) {} else {
                Issue.record("another address was throttled too")
            }
        }
    }

    @Test func verificationLinksWorkOnceAndNotAfterExpiry() throws {
        try RegistryFixture.run { fx in
            let db = try fx.app()
            let email = Self.uniqueEmail()
            let user = try Self.signUp(db, email: email)
            let token = try AccountTokens.issue(db, userId: user.id, purpose: .verifyEmail, email: email)
            guard case .verified(let verified) = try Users.verifyEmail(db, token: token) else {
                Issue.record("a fresh link did not verify"); return
            }
            #expect(verified.isEmailVerified)
            #expect(try Users.verifyEmail(db, token: token) == .invalid)
            #expect(try Users.verifyEmail(db, token: "made-up") == .invalid)

            let late = try AccountTokens.issue(db, userId: user.id, purpose: .verifyEmail, email: email)
            try fx.owner().execute("UPDATE account_tokens SET expires_at = now() - interval '1 second' WHERE token_hash = \(SHA256Digest.hash(late))")
            #expect(try Users.verifyEmail(db, token: late) == .invalid)
            // A reset link is no verification link.
            let reset = try AccountTokens.issue(db, userId: user.id, purpose: .resetPassword, email: email)
            #expect(try Users.verifyEmail(db, token: reset) == .invalid)
        }
    }

    @Test func passwordResetIsSingleUseAndSignsEverySessionOut() throws {
        try RegistryFixture.run { fx in
            let db = try fx.app()
            let email = Self.uniqueEmail()
            let user = try Self.signUp(db, email: email)
            let (cookie, _) = try Sessions.create(db, userId: user.id)
            let first = try AccountTokens.issue(db, userId: user.id, purpose: .resetPassword, email: email)
            let token = try AccountTokens.issue(db, userId: user.id, purpose: .resetPassword, email: email)
            #expect(try AccountTokens.peek(db, token: first, purpose: .resetPassword) == nil, "a newer link replaces older ones")
            #expect(try AccountTokens.peek(db, token: token, purpose: .resetPassword) != nil)

            let reset = try Users.resetPassword(db, token: token, newPassword: "a brand new secret")
            #expect(reset?.id == user.id)
            #expect(reset?.isEmailVerified == true, "following the link proved the mailbox")
            #expect(try Sessions.find(db, token: cookie) == nil)
            #expect(try Users.resetPassword(db, token: token, newPassword: "yet another one") == nil)
            #expect(try Users.authenticate(db, email: email, password: "a brand new secret", address: Self.uniqueAddress()) != .invalid)
            #expect(try Users.authenticate(db, email: email, password: "correct horse battery", address: Self.uniqueAddress()) == .invalid)

            #expect(try AccountTokens.recentlyIssued(db, userId: user.id, purpose: .resetPassword, withinSeconds: 3600) == 2,
                    "superseded and spent links still count against the hourly limit")
            let expired = try AccountTokens.issue(db, userId: user.id, purpose: .resetPassword, email: email)
            try fx.owner().execute("UPDATE account_tokens SET expires_at = now() - interval '1 second' WHERE token_hash = \(SHA256Digest.hash(expired))")
            #expect(try Users.resetPassword(db, token: expired, newPassword: "too late now") == nil)
        }
    }

    @Test func changingTheEmailTakesEffectWhenTheNewAddressConfirms() throws {
        try RegistryFixture.run { fx in
            let db = try fx.app()
            let email = Self.uniqueEmail()
            let user = try Self.signUp(db, email: email)
            let newEmail = Self.uniqueEmail("moved")
            #expect(try Users.requestEmailChange(db, userId: user.id, newEmail: newEmail, currentPassword: "wrong") == nil)
            #expect(try Users.find(db, id: user.id)?.pendingEmail == nil)
            let token = try #require(try Users.requestEmailChange(db, userId: user.id, newEmail: newEmail,
                                                                   currentPassword: "correct horse battery"))
            #expect(try Users.find(db, id: user.id)?.email == email, "nothing changes before the link is followed")
            guard case .changed(let changed, let previous) = try Users.verifyEmail(db, token: token) else {
                Issue.record("the link did not change the address"); return
            }
            #expect(changed.email == newEmail && previous == email && changed.pendingEmail == nil && changed.isEmailVerified)
        }
    }

    @Test func changingThePasswordSignsOutOtherSessions() throws {
        try RegistryFixture.run { fx in
            let db = try fx.app()
            let user = try Self.signUp(db, email: Self.uniqueEmail())
            let (mine, me) = try Sessions.create(db, userId: user.id)
            let (other, _) = try Sessions.create(db, userId: user.id)
            #expect(try !Users.changePassword(db, userId: user.id, currentPassword: "wrong", newPassword: "n3w password",
                                              keepingSession: me.id))
            #expect(try Sessions.find(db, token: other) != nil)
            #expect(try Users.changePassword(db, userId: user.id, currentPassword: "correct horse battery",
                                             newPassword: "n3w password", keepingSession: me.id))
            #expect(try Sessions.find(db, token: mine) != nil)
            #expect(try Sessions.find(db, token: other) == nil)
        }
    }

    @Test func sessionsAreListedAndRevokedOnlyByTheirOwner() throws {
        try RegistryFixture.run { fx in
            let db = try fx.app()
            let user = try Self.signUp(db, email: Self.uniqueEmail())
            let stranger = try Self.signUp(db, email: Self.uniqueEmail())
            let (a, sa) = try Sessions.create(db, userId: user.id)
            let (b, sb) = try Sessions.create(db, userId: user.id)
            try Sessions.recordClient(db, sessionId: sb.id, address: "192.0.2.7", userAgent: "Firefox")
            let listed = try Sessions.list(db, userId: user.id)
            #expect(Set(listed.map(\.id)) == [sa.id, sb.id])
            #expect(listed.first { $0.id == sb.id }?.address == "192.0.2.7")
            #expect(try !Sessions.revoke(db, sessionId: sb.id, userId: stranger.id))
            #expect(try Sessions.find(db, token: b) != nil)
            #expect(try Sessions.revoke(db, sessionId: sb.id, userId: user.id))
            #expect(try Sessions.find(db, token: b) == nil)
            #expect(try Sessions.find(db, token: a) != nil)
        }
    }

    @Test func twoFactorEnrolmentSignInReplayAndRecoveryCodes() throws {
        try RegistryFixture.run { fx in
            let db = try fx.app()
            let email = Self.uniqueEmail()
            let user = try Self.signUp(db, email: email)
            let totp = try TwoFactor.beginEnrolment(db, keyring: fx.keyring, userId: user.id)
            #expect(try TwoFactor.beginEnrolment(db, keyring: fx.keyring, userId: user.id).secret == totp.secret,
                    "reloading the page shows the same secret")
            let stored: String = try fx.owner().queryFirst("SELECT totp_secret_sealed FROM users WHERE id = \(user.id)")!.decode(0)
            #expect(stored.hasPrefix("sf1.") && !stored.contains(Base32.encode(totp.secret, padding: false)))

            let now = Date()
            let wrong = totp.code(counter: totp.counter(at: now) + 5)
            #expect(try TwoFactor.confirmEnrolment(db, keyring: fx.keyring, userId: user.id, code: wrong, now: now) == nil)
            #expect(try Users.find(db, id: user.id)?.totpEnabled == false)
            let codes = try #require(try TwoFactor.confirmEnrolment(db, keyring: fx.keyring, userId: user.id,
                                                                   code: totp.code(at: now), now: now))
            #expect(codes.count == 10 && Set(codes).count == 10)
            #expect(throws: AccountError.twoFactorAlreadyEnabled) { try TwoFactor.beginEnrolment(db, keyring: fx.keyring, userId: user.id) }

            guard case .secondFactorRequired = try Users.authenticate(db, email: email, password: "correct horse battery",
                                                                      address: Self.uniqueAddress()) else {
                Issue.record("the password alone signed in"); return
            }
            // The code used to enrol cannot be used again; the next step's code works once.
            #expect(try TwoFactor.verify(db, keyring: fx.keyring, userId: user.id, code: totp.code(at: now), now: now) == .invalid)
            let later = now.addingTimeInterval(30)
            #expect(try TwoFactor.verify(db, keyring: fx.keyring, userId: user.id, code: totp.code(at: later), now: later) == .totp)
            #expect(try TwoFactor.verify(db, keyring: fx.keyring, userId: user.id, code: totp.code(at: later), now: later) == .invalid)

            #expect(try TwoFactor.verify(db, keyring: fx.keyring, userId: user.id, code: codes[3].uppercased(), now: later)
                == .recoveryCode(remaining: 9))
            #expect(try TwoFactor.verify(db, keyring: fx.keyring, userId: user.id, code: codes[3], now: later) == .invalid)
            #expect(try TwoFactor.verify(db, keyring: fx.keyring, userId: user.id, code: "aaaa-bbbb-cccc-dddd", now: later) == .invalid)

            try TwoFactor.disable(db, userId: user.id)
            #expect(try Users.authenticate(db, email: email, password: "correct horse battery", address: Self.uniqueAddress())
                == .authenticated(try #require(try Users.find(db, id: user.id))))
            #expect(try TwoFactor.remainingRecoveryCodes(db, userId: user.id) == 0)
        }
    }

    @Test func aSecondFactorStepSignsNobodyInAndClosesAfterFiveWrongCodes() throws {
        try RegistryFixture.run { fx in
            let db = try fx.app()
            let user = try Self.signUp(db, email: Self.uniqueEmail())
            let token = try Sessions.beginSecondFactor(db, userId: user.id, address: "192.0.2.1", userAgent: nil)
            #expect(try Sessions.find(db, token: token) == nil, "the pending token is no session token")
            #expect(try Sessions.list(db, userId: user.id).isEmpty)
            let pending = try #require(try Sessions.findSecondFactor(db, token: token))
            #expect(pending.userId == user.id)
            for _ in 0..<4 { #expect(try Sessions.recordSecondFactorFailure(db, pendingId: pending.id)) }
            #expect(try !Sessions.recordSecondFactorFailure(db, pendingId: pending.id))
            #expect(try Sessions.findSecondFactor(db, token: token) == nil)
        }
    }
}
