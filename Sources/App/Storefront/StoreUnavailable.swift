import Postgres
import Registry

/// A store's own database could not answer. Only that store's visitors see a 503; the broken
/// connection has been dropped, so the store recovers by itself when its database is back.
struct StoreUnavailable: Error, CustomStringConvertible {
    let route: StoreRoute
    let underlying: any Error
    var description: String { "store \(route.slug) (id \(route.storeId)) unavailable: \(underlying)" }
}

/// The registry could not answer, so no host can be resolved.
struct RegistryUnavailable: Error, CustomStringConvertible {
    let underlying: any Error
    var description: String { "registry unavailable: \(underlying)" }
}
