import Foundation
import Postgres
import Testing
import TestSupport
@testable import Registry

/// A worker's admin-session cache (`StoreDirectory.sessionWithStores`) answers without a registry
/// statement while nothing changed, and never lets a revoked session, a removed member or a
/// narrowed role through: every change made by another process (another "worker" here: another
/// directory on its own connection, or the owner role) applies to the very next lookup.
@Suite("Session cache")
struct SessionCacheTests {
    /// A scratch registry with an owner, an organization and one active store.
    struct World {
        let scratch: ScratchRegistry
        let owner: Connection
        let userId: Int64
        let orgId: Int64
        let storeId: Int64
        let token: String

        init(_ f: RegistryFixture) throws {
            scratch = try ScratchRegistry(f)
            owner = try scratch.owner()
            userId = try World.user(owner, "Olive")
            orgId = try owner.queryFirst("SELECT storefleet_create_organization('Acme', \(userId)) AS id")!.decode("id")
            storeId = try World.store(owner, orgId: orgId)
            token = try Sessions.create(owner, userId: userId).token
        }

        static func user(_ owner: Connection, _ name: String) throws -> Int64 {
            let email = "\(name.lowercased())-\(RegistryFixture.uniqueSlug("u"))@example.test"
            return try owner.queryFirst("""
                INSERT INTO users (email, name, password_hash) VALUES (\(email), \(name), 'x') RETURNING id
                """)!.decode("id")
        }

        static func store(_ owner: Connection, orgId: Int64) throws -> Int64 {
            let slug = RegistryFixture.uniqueSlug("sc")
            return try owner.queryFirst("""
                INSERT INTO stores (org_id, slug, name, status) VALUES (\(orgId), \(slug), 'Cached', 'active') RETURNING id
                """)!.decode("id")
        }

        /// A worker's directory over its own registry connection.
        func worker(_ f: RegistryFixture) throws -> StoreDirectory {
            StoreDirectory(registry: try scratch.app(), keyring: f.keyring, platformDomain: f.platformDomain)
        }

        func drop(_ f: RegistryFixture) { try? scratch.drop(f) }
    }

    /// Whether a lookup of `token` is answered by the cache. The scratch registries of parallel
    /// tests are schemas of one database, so another test's NOTIFY on `storefleet_sessions` may
    /// empty this worker's cache at any moment (on purpose: the cache forgets on any change). A
    /// lookup that missed must therefore have followed such a reset; the next one then hits.
    func answersFromCache(_ worker: StoreDirectory, _ token: String) throws -> Bool {
        for _ in 0..<20 {
            let hits = worker.sessions.hits, resets = worker.sessions.resets
            _ = try #require(try worker.sessionWithStores(token: token))
            if worker.sessions.hits == hits + 1 { return true }
            guard worker.sessions.resets > resets else { return false }   // a miss with no reason
            _ = try worker.sessionWithStores(token: token)                 // refill after the reset
        }
        return false
    }

    @Test func aSecondLookupComesFromTheCacheAndKeepingASessionAliveKeepsIt() throws {
        try RegistryFixture.run { f in
            let world = try World(f)
            defer { world.drop(f) }
            let worker = try world.worker(f)
            let first = try #require(try worker.sessionWithStores(token: world.token))
            #expect(first.0.userId == world.userId)
            #expect(first.1.map(\.storeId) == [world.storeId])
            #expect(worker.sessions.hits == 0)

            let second = try #require(try worker.sessionWithStores(token: world.token))
            #expect(second.0.id == first.0.id && second.1 == first.1)
            #expect(try answersFromCache(worker, world.token))

            // The sliding expiry's write (another worker touching the session) announces nothing.
            try Sessions.touch(world.owner, sessionId: first.0.id)
            #expect(try answersFromCache(worker, world.token))

            // A token nobody holds is never cached as anything.
            #expect(try worker.sessionWithStores(token: "not-a-session-token") == nil)
        }
    }

    @Test func signingOutInAnotherWorkerEndsTheCachedSessionAtOnce() throws {
        try RegistryFixture.run { f in
            let world = try World(f)
            defer { world.drop(f) }
            let workerA = try world.worker(f)
            let workerB = try world.worker(f)
            #expect(try workerA.sessionWithStores(token: world.token) != nil)
            #expect(try answersFromCache(workerA, world.token))

            try Sessions.revoke(workerB.registryConnection, token: world.token)
            #expect(try workerA.sessionWithStores(token: world.token) == nil)
            #expect(try workerB.sessionWithStores(token: world.token) == nil)
        }
    }

    @Test func signingOutEverywhereElseEndsTheOtherSessionsAtOnce() throws {
        try RegistryFixture.run { f in
            let world = try World(f)
            defer { world.drop(f) }
            let (keep, kept) = try Sessions.create(world.owner, userId: world.userId)
            let worker = try world.worker(f)
            #expect(try worker.sessionWithStores(token: world.token) != nil)
            #expect(try worker.sessionWithStores(token: keep) != nil)

            #expect(try Sessions.revokeAll(world.owner, userId: world.userId, except: kept.id) == 1)
            #expect(try worker.sessionWithStores(token: world.token) == nil)
            #expect(try worker.sessionWithStores(token: keep)?.0.id == kept.id)
        }
    }

    @Test func membershipRoleAndStoreLimitChangesApplyToTheNextLookup() throws {
        try RegistryFixture.run { f in
            let world = try World(f)
            defer { world.drop(f) }
            let staffId = try World.user(world.owner, "Stella")
            try world.owner.execute("INSERT INTO memberships (org_id, user_id, role) VALUES (\(world.orgId), \(staffId), 'staff')")
            let token = try Sessions.create(world.owner, userId: staffId).token
            let worker = try world.worker(f)
            func roles() throws -> [MembershipRole] {
                try #require(try worker.sessionWithStores(token: token)).1.map(\.role)
            }
            #expect(try roles() == [.staff])
            #expect(try answersFromCache(worker, token))

            try world.owner.execute("UPDATE memberships SET role = 'admin' WHERE user_id = \(staffId)")
            #expect(try roles() == [.admin])

            // Limited to no store at all: the store disappears from the list at once.
            try world.owner.execute("UPDATE memberships SET stores_limited = true WHERE user_id = \(staffId)")
            #expect(try roles() == [])
            try world.owner.execute("""
                INSERT INTO membership_stores (org_id, user_id, store_id) VALUES (\(world.orgId), \(staffId), \(world.storeId))
                """)
            #expect(try roles() == [.admin])
            try world.owner.execute("DELETE FROM membership_stores WHERE user_id = \(staffId)")
            #expect(try roles() == [])

            try world.owner.execute("UPDATE memberships SET stores_limited = false WHERE user_id = \(staffId)")
            #expect(try roles() == [.admin])
            try world.owner.execute("DELETE FROM memberships WHERE user_id = \(staffId)")
            #expect(try roles() == [])
        }
    }

    @Test func storeAndUserChangesApplyToTheNextLookup() throws {
        try RegistryFixture.run { f in
            let world = try World(f)
            defer { world.drop(f) }
            let worker = try world.worker(f)
            #expect(try worker.sessionWithStores(token: world.token)?.1.first?.status == .active)
            #expect(try worker.sessionWithStores(token: world.token)?.1.first?.status == .active)

            try world.owner.execute("UPDATE stores SET status = 'suspended' WHERE id = \(world.storeId)")
            #expect(try worker.sessionWithStores(token: world.token)?.1.first?.status == .suspended)

            // A store moved to another organization leaves this user's list.
            let otherOwner = try World.user(world.owner, "Other")
            let otherOrg: Int64 = try world.owner.queryFirst(
                "SELECT storefleet_create_organization('Elsewhere', \(otherOwner)) AS id")!.decode("id")
            #expect(try worker.sessionWithStores(token: world.token)?.1.count == 1)
            try world.owner.execute("UPDATE stores SET org_id = \(otherOrg) WHERE id = \(world.storeId)")
            #expect(try worker.sessionWithStores(token: world.token)?.1.isEmpty == true)

            try world.owner.execute("UPDATE users SET name = 'Olive Renamed' WHERE id = \(world.userId)")
            #expect(try worker.sessionWithStores(token: world.token)?.0.userName == "Olive Renamed")

            try world.owner.execute("DELETE FROM users WHERE id = \(world.userId)")
            #expect(try worker.sessionWithStores(token: world.token) == nil)
        }
    }

    @Test func aSessionCutShortOrPastItsExpiryIsNotServed() throws {
        try RegistryFixture.run { f in
            let world = try World(f)
            defer { world.drop(f) }
            let worker = try world.worker(f)
            let (record, stores) = try #require(try worker.sessionWithStores(token: world.token))

            // The cache itself never serves a session past its expiry, nor an answer older than
            // its refresh interval (so the database keeps pushing the sliding expiry along).
            let cache = SessionCache()
            cache.store(token: world.token, record: record, stores: stores)
            #expect(cache.lookup(token: world.token, now: record.expiresAt.addingTimeInterval(-1)) != nil)
            #expect(cache.lookup(token: world.token, now: record.expiresAt) == nil)
            #expect(cache.count == 0)
            let stale = SessionCache(refreshSeconds: 0)
            stale.store(token: world.token, record: record, stores: stores)
            #expect(stale.lookup(token: world.token) == nil)

            // Shortened in the database by another process: gone at the next lookup.
            try world.owner.execute("UPDATE sessions SET expires_at = now() - interval '1 second' WHERE id = \(record.id)")
            #expect(try worker.sessionWithStores(token: world.token) == nil)
        }
    }

    @Test func aLostRegistryConnectionEmptiesTheCache() throws {
        try RegistryFixture.run { f in
            let world = try World(f)
            defer { world.drop(f) }
            let worker = try world.worker(f)
            #expect(try worker.sessionWithStores(token: world.token) != nil)
            #expect(worker.sessions.count == 1)
            let pid = worker.registryConnection.backendPID
            // Another connection of the same role may end it (and waits until it is gone).
            _ = try world.scratch.app().query("SELECT pg_terminate_backend(\(pid), 5000)")
            // Whatever was announced while the connection was down is lost: nothing cached is
            // served, and the answer comes from the database again.
            #expect(try worker.sessionWithStores(token: world.token) != nil)
            #expect(worker.sessions.hits == 0)
        }
    }
}
