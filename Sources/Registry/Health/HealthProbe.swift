import Crypto
import Foundation
import Postgres

/// One probe of one store's database.
public struct HealthSample: Sendable {
    public let storeId: Int64
    public let slug: String
    public let reachable: Bool
    public let latencyMs: Double?
    public let sizeBytes: Int64?
    public let connections: Int?
    public let error: String?
}

/// `storefleet health`: connects to every live store's database as the store's own role (as the
/// application would, through the recorded tenant host and port), measures, and records a
/// sample in `tenant_database_health`. Never connects to a template database, so it cannot make
/// a concurrent provisioning's `CREATE DATABASE ... TEMPLATE` fail.
public struct HealthProbe {
    public let registry: Connection
    public let keyring: Keyring

    public init(registry: Connection, keyring: Keyring) {
        self.registry = registry
        self.keyring = keyring
    }

    public func probeAll(log: (HealthSample) -> Void = { _ in }) throws -> [HealthSample] {
        let stores = try registry.query("""
            SELECT s.id, s.slug FROM stores s JOIN tenant_databases td ON td.store_id = s.id
            WHERE s.status IN ('active', 'suspended') AND td.status <> 'dropped' ORDER BY s.id
            """).map { (try $0.decode("id", as: Int64.self), try $0.decode("slug", as: String.self)) }
        var samples: [HealthSample] = []
        for (id, slug) in stores {
            let sample = probe(storeId: id, slug: slug)
            try registry.execute("""
                INSERT INTO tenant_database_health (store_id, reachable, latency_ms, size_bytes, connections, error)
                VALUES (\(id), \(sample.reachable), \(sample.latencyMs), \(sample.sizeBytes), \(sample.connections), \(sample.error))
                """)
            log(sample)
            samples.append(sample)
        }
        return samples
    }

    public func probe(storeId: Int64, slug: String) -> HealthSample {
        let started = Date()
        do {
            let connection = try TenantConnector.open(storeId: storeId, registry: registry, keyring: keyring, connectTimeout: 3)
            defer { connection.close() }
            guard let row = try connection.queryFirst("""
                SELECT pg_database_size(current_database()) AS size,
                       (SELECT count(*) FROM pg_stat_activity WHERE datname = current_database()) AS connections
                """) else { throw RegistryError.storeNotFound("database for \(slug)") }
            let ms = Date().timeIntervalSince(started) * 1000
            return HealthSample(storeId: storeId, slug: slug, reachable: true, latencyMs: ms,
                                sizeBytes: try row.decode("size"), connections: try row.decode("connections"), error: nil)
        } catch {
            return HealthSample(storeId: storeId, slug: slug, reachable: false, latencyMs: nil, sizeBytes: nil,
                                connections: nil, error: DatabaseFailure.reason(error))
        }
    }
}
