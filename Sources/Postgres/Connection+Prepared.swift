import CLibPQ

/// Named prepared statements, kept per connection (opt-in: `preparedStatementCapacity`).
///
/// With the cache on, a statement the connection has run before (same text, same parameter
/// types) runs as `PQexecPrepared`: the server skips parsing, analysis and usually planning,
/// which were about half of PostgreSQL's CPU on the checkout benchmark. The first use runs
/// unnamed, as without the cache; the second prepares it (`PQprepare`, one more round trip,
/// paid only by statements that come back — a worker spread over many stores sees most
/// statements once per connection). Only direct connections may turn it on: behind
/// PgBouncer in transaction mode a session's statements do not follow it from one server
/// connection to the next.
///
/// The cache forgets everything when the connection resets (a new session has none). It keeps
/// at most `capacity` statements; the least recently used is dropped (`DEALLOCATE`, sent once no
/// transaction is open). Two server answers make it forget a statement and, outside a
/// transaction, run it again once, prepared anew: "prepared statement does not exist" (a
/// `DISCARD ALL`) and "cached plan must not change result type" (a migration changed a table a
/// statement returns). Inside a transaction the error reaches the caller, as any failed
/// statement does, because the transaction is already aborted.
struct StatementCache {
    struct Key: Hashable {
        let sql: String
        let types: [UInt32]
    }

    struct Entry {
        let name: String
        var lastUse: UInt64
    }

    var capacity: Int
    private(set) var entries: [Key: Entry] = [:]
    /// Statements run once, unnamed; the next run prepares them. Bounded: emptied when full.
    private var seenOnce: Set<Key> = []
    /// Names evicted while a transaction was open, deallocated before the next statement outside one.
    var pendingDeallocation: [String] = []
    private var clock: UInt64 = 0
    private var nextNumber = 0

    init(capacity: Int) {
        self.capacity = capacity
    }

    var isEnabled: Bool { capacity > 0 }

    /// Whether a statement can be a named prepared statement (protocol-level preparation takes
    /// these; transaction control and other utility statements go unnamed).
    static func isPreparable(_ sql: String) -> Bool {
        var keyword = ""
        for c in sql.utf8 {
            if c == 32 || c == 10 || c == 9 || c == 13 || c == 40 {   // space, newlines, tab, "("
                if keyword.isEmpty { continue }
                break
            }
            keyword.append(Character(Unicode.Scalar(c | 0x20)))   // ASCII lower-case
            if keyword.count > 6 { return false }
        }
        return keyword == "select" || keyword == "with" || keyword == "insert" || keyword == "update"
            || keyword == "delete" || keyword == "values"
    }

    /// The statement's name if it is prepared, marking it used.
    mutating func lookUp(_ key: Key) -> String? {
        guard var entry = entries[key] else { return nil }
        clock += 1
        entry.lastUse = clock
        entries[key] = entry
        return entry.name
    }

    /// True the first time a statement comes by (it should run unnamed), false from then on.
    mutating func isFirstSighting(_ key: Key) -> Bool {
        if seenOnce.contains(key) { return false }
        if seenOnce.count >= capacity * 4 { seenOnce.removeAll(keepingCapacity: true) }
        seenOnce.insert(key)
        return true
    }

    /// Names a new statement; returns the name and the least recently used one it displaced, if any.
    mutating func add(_ key: Key) -> (name: String, evicted: String?) {
        var evicted: String?
        if entries.count >= capacity, let oldest = entries.min(by: { $0.value.lastUse < $1.value.lastUse }) {
            entries.removeValue(forKey: oldest.key)
            evicted = oldest.value.name
        }
        nextNumber += 1
        clock += 1
        let name = "sf_s\(nextNumber)"
        entries[key] = Entry(name: name, lastUse: clock)
        return (name, evicted)
    }

    mutating func forget(_ key: Key) -> String? {
        entries.removeValue(forKey: key)?.name
    }

    /// A new session: the server holds none of the statements.
    mutating func forgetAll() {
        entries.removeAll()
        pendingDeallocation.removeAll()
        seenOnce.removeAll()
    }
}

extension Connection {
    /// How many named prepared statements this connection keeps (0, the default, prepares none:
    /// every statement is unnamed, which PgBouncer in transaction mode requires). Set it on
    /// direct connections that run the same statements again and again (a worker's tenant
    /// connections). Lowering it forgets the cache (the statements are deallocated lazily).
    public var preparedStatementCapacity: Int {
        get { statementCache.capacity }
        set {
            let names = statementCache.entries.values.map(\.name)
            statementCache.forgetAll()
            statementCache.pendingDeallocation = names
            statementCache.capacity = max(0, newValue)
        }
    }

    /// How many statements are prepared on this connection now (tests, diagnostics).
    public var preparedStatementCount: Int { statementCache.entries.count }

    /// Runs `q` as a prepared statement (preparing it on first use). See `StatementCache`.
    func execPrepared(_ handle: OpaquePointer, _ q: Query) throws(PostgresError) -> OpaquePointer {
        if !statementCache.pendingDeallocation.isEmpty && transactionDepth == 0 && !sessionTransactionOpen {
            deallocatePending(handle)
        }
        let key = StatementCache.Key(sql: q.sql, types: q.binds.map { UInt32($0.typeOID) })
        let known = statementCache.lookUp(key)
        if known == nil && statementCache.isFirstSighting(key) {
            return try checked(execParams(handle, q))
        }
        do {
            return try checked(runNamed(handle, q, key: key, known: known))
        } catch {
            guard Connection.invalidatesStatement(error) else { throw error }
            if let name = statementCache.forget(key) { statementCache.pendingDeallocation.append(name) }
            if error.sqlState == "26000" { statementCache.forgetAll() }   // DISCARD ALL: none are left
            guard transactionDepth == 0, !sessionTransactionOpen else { throw error }
            if !statementCache.pendingDeallocation.isEmpty { deallocatePending(handle) }
            return try checked(runNamed(handle, q, key: key, known: nil))
        }
    }

    /// Prepares the statement if needed, then executes it. The result is unchecked, except a
    /// failed preparation, which throws.
    private func runNamed(_ handle: OpaquePointer, _ q: Query, key: StatementCache.Key,
                          known: String?) throws(PostgresError) -> OpaquePointer? {
        let name: String
        if let known {
            name = known
        } else {
            let added = statementCache.add(key)
            if let evicted = added.evicted { statementCache.pendingDeallocation.append(evicted) }
            let prepared = try withParameters(q) { sql, n, types, _, _, _ in
                PQprepare(handle, added.name, sql, n, types)
            }
            do {
                let result = try checked(prepared)
                PQclear(result)
            } catch {
                _ = statementCache.forget(key)
                throw error
            }
            name = added.name
        }
        return try withParameters(q) { _, n, _, values, lengths, formats in
            PQexecPrepared(handle, name, n, values, lengths, formats, 0)
        }
    }

    /// "prepared statement does not exist" (26000) and "cached plan must not change result type"
    /// (0A000 with that message): the statement must be prepared again.
    static func invalidatesStatement(_ error: PostgresError) -> Bool {
        if error.sqlState == "26000" { return true }
        return error.sqlState == "0A000" && (error.unsafeServerMessage ?? "").contains("cached plan must not change result type")
    }

    /// Drops statements the cache let go of. Best effort: a failure only leaves one behind.
    private func deallocatePending(_ handle: OpaquePointer) {
        let names = statementCache.pendingDeallocation
        statementCache.pendingDeallocation.removeAll()
        let sql = names.map { "DEALLOCATE " + Query.quoteIdentifier($0) }.joined(separator: "; ")
        if let result = PQexec(handle, sql) { PQclear(result) }
        noteTransactionStatus(handle)
    }
}
