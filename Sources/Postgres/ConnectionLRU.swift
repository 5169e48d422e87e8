/// A per-process cache of open connections (one per tenant database), least recently used out
/// first, never holding more than `capacity`. The evicted connection is closed at once, so the
/// number of server connections a worker holds is bounded.
///
/// Lookup and touch are O(1); eviction scans the (bounded) entries once.
public final class ConnectionLRU {
    public let capacity: Int
    private var entries: [String: Entry] = [:]
    private var clock: UInt64 = 0

    private struct Entry {
        let connection: Connection
        var lastUsed: UInt64
    }

    public init(capacity: Int) {
        precondition(capacity > 0, "ConnectionLRU needs room for at least one connection")
        self.capacity = capacity
    }

    /// The cached connection for `key`, or a new one from `open` (after evicting the least
    /// recently used entry when full). If `open` throws, nothing is cached.
    public func connection(key: String, open: () throws -> Connection) throws -> Connection {
        clock &+= 1
        if let entry = entries[key] {
            if !entry.connection.isClosed {
                entries[key]!.lastUsed = clock
                return entry.connection   // a broken one resets itself on its next statement
            }
            entries.removeValue(forKey: key)  // closed behind the cache's back: open a new one
        }
        let connection = try open()
        if entries.count >= capacity, let oldest = entries.min(by: { $0.value.lastUsed < $1.value.lastUsed }) {
            entries.removeValue(forKey: oldest.key)
            oldest.value.connection.close()
        }
        entries[key] = Entry(connection: connection, lastUsed: clock)
        return connection
    }

    /// Closes and forgets the connection for `key` (e.g. its credentials were rotated).
    public func evict(key: String) {
        entries.removeValue(forKey: key)?.connection.close()
    }

    /// Closes every cached connection.
    public func removeAll() {
        for entry in entries.values { entry.connection.close() }
        entries.removeAll()
    }

    /// How many connections are open in the cache.
    public var count: Int { entries.count }

    /// Whether `key` is cached.
    public func contains(key: String) -> Bool { entries[key] != nil }
}
