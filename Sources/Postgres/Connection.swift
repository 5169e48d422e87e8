import CLibPQ
#if canImport(Glibc)
import Glibc
#endif

/// One libpq connection. Not thread-safe: a worker process owns its connections and uses them from
/// its one thread. The `PGconn` is closed in `deinit` (or by `close()`).
///
/// Statements go through `PQexecParams` (unnamed statements, text parameters; `executeScript`
/// uses `PQexec`), so a connection works behind PgBouncer in transaction mode — unless
/// `preparedStatementCapacity` is set, which a direct connection may do to keep its statements
/// prepared (`Connection+Prepared.swift`).
///
/// **Reconnection policy.**
/// - Before a statement is sent outside a transaction, the connection reads whatever the server
///   sent while it sat idle (one non-blocking `poll(2)`; `PQconsumeInput` only when data is
///   waiting). A connection the server closed meanwhile — `pg_terminate_backend`, a restart, an
///   idle timeout: the server's FATAL message or end-of-file — is found here and reset
///   (`PQreset`) before the statement goes out, so the statement runs once, on the new
///   connection, and the caller never notices.
/// - A connection that breaks while a statement is in flight fails that statement with kind
///   `.connection` (it may or may not have run, so it is never retried behind the caller's back);
///   the next statement resets the connection.
/// - While a transaction is open — `transaction { }` or a `BEGIN` sent by hand — a broken
///   connection is never replaced silently: the next statement fails with `.connection`, and
///   only the one after it reconnects.
/// - `reset()` reconnects on demand. After any reset, `LISTEN`s are re-issued, `resetCount`
///   grows, and the next `pollNotifications()` throws `.connection` once, because
///   notifications sent while the connection was down are lost.
public final class Connection {
    private(set) var handle: OpaquePointer?
    var transactionDepth = 0
    var isStreaming = false
    var listenedChannels: [String] = []
    /// Channels notified (or possibly missed, after a break) since their consumer last asked
    /// `takeNotified`: one reader of the socket, many consumers of its channels.
    var notifiedChannels: Set<String> = []
    /// A reset happened that `pollNotifications` has not reported yet (notifications sent while
    /// the connection was down are lost, so NOTIFY-fed caches must hear about it).
    var resetNotReported = false
    /// `pollNotifications` already threw for the current break; the reset that follows is not news.
    var breakReported = false
    /// The server said after the last statement that a transaction is open (`PQtransactionStatus`
    /// cannot tell once the connection is broken, so it is remembered).
    var sessionTransactionOpen = false
    /// Named prepared statements (`Connection+Prepared.swift`); off unless a capacity is set.
    var statementCache = StatementCache(capacity: 0)
    /// How many times the connection was re-established after it was first opened.
    public private(set) var resetCount = 0
    /// Set by the notice receiver when the server announced it is closing this session (a FATAL
    /// message arriving while idle, e.g. from `pg_terminate_backend`). Heap-allocated because
    /// libpq's C callback writes it.
    private let serverClosing = UnsafeMutablePointer<Int32>.allocate(capacity: 1)

    /// Connects with a `postgresql://` URL or a `key=value` conninfo string.
    /// The client encoding is always UTF8; `connect_timeout` is 5 seconds unless the URL says
    /// otherwise, so an unreachable tenant server cannot hold a worker for minutes.
    public init(url: String) throws(PostgresError) {
        // Every stored property is initialized at this point, so a throw below still runs deinit.
        serverClosing.initialize(to: 0)
        handle = try Connection.connect(keywords: ["connect_timeout", "dbname", "client_encoding"],
                                        values: [Connection.defaultConnectTimeout, url, "UTF8"])
        installNoticeReceiver()
    }

    /// Connects with libpq keywords (`host`, `port`, `dbname`, `user`, `password`, `sslmode`...).
    public init(parameters: [String: String]) throws(PostgresError) {
        var parameters = parameters
        parameters["client_encoding"] = "UTF8"
        if parameters["connect_timeout"] == nil { parameters["connect_timeout"] = Connection.defaultConnectTimeout }
        // dbname may itself be a URL or conninfo (libpq expands it); put it first so explicit
        // keywords win over what it contains.
        let sorted = parameters.sorted { ($0.key == "dbname" ? "" : $0.key) < ($1.key == "dbname" ? "" : $1.key) }
        serverClosing.initialize(to: 0)
        handle = try Connection.connect(keywords: sorted.map(\.key), values: sorted.map(\.value))
        installNoticeReceiver()
    }

    static let defaultConnectTimeout = "5"

    deinit {
        if let handle { PQfinish(handle) }
        serverClosing.deallocate()
    }

    /// Notices (`NOTICE: ... skipping`) are dropped: libpq would print them to stderr, which is a
    /// worker's log. A FATAL one, which arrives when the server ends an idle session, is noted so
    /// the next statement reconnects first instead of failing.
    private func installNoticeReceiver() {
        guard let handle else { return }
        PQsetNoticeReceiver(handle, { arg, result in
            guard let arg, let result, let severity = PQresultErrorField(result, Int32(UInt8(ascii: "V"))) else { return }
            if strcmp(severity, "FATAL") == 0 || strcmp(severity, "PANIC") == 0 {
                arg.assumingMemoryBound(to: Int32.self).pointee = 1
            }
        }, UnsafeMutableRawPointer(serverClosing))
    }

    private static func connect(keywords: [String], values: [String]) throws(PostgresError) -> OpaquePointer {
        let handle = withCStringArray(keywords) { k in
            withCStringArray(values) { v in PQconnectdbParams(k, v, 1) }
        }
        guard let handle else { throw PostgresError(kind: .connection, context: "out of memory") }
        guard PQstatus(handle) == CONNECTION_OK else {
            let message = String(cString: PQerrorMessage(handle))
            PQfinish(handle)
            let auth = message.contains("authentication failed") || message.contains("password")
            throw PostgresError(kind: auth ? .authenticationFailed : .connection,
                                context: "could not connect", unsafeServerMessage: message)
        }
        return handle
    }

    /// Closes the connection now; any later use throws `.misuse`.
    public func close() {
        if let handle { PQfinish(handle) }
        handle = nil
    }

    /// True once `close()` was called (or the connection was evicted from a `ConnectionLRU`).
    public var isClosed: Bool { handle == nil }

    /// True while libpq reports the connection as good. A dead peer is only noticed on use.
    public var isConnected: Bool {
        guard let handle else { return false }
        return PQstatus(handle) == CONNECTION_OK && serverClosing.pointee == 0
    }

    /// The socket, for `poll(2)` on notifications; -1 when closed.
    public var socketDescriptor: Int32 {
        guard let handle else { return -1 }
        return PQsocket(handle)
    }

    /// The server process serving this connection (`pg_backend_pid()`).
    public var backendPID: Int32 {
        guard let handle else { return 0 }
        return PQbackendPID(handle)
    }

    /// True between `BEGIN` and `COMMIT`/`ROLLBACK`, whoever issued them.
    public var isInTransaction: Bool {
        guard let handle else { return false }
        let status = PQtransactionStatus(handle)
        return status == PQTRANS_INTRANS || status == PQTRANS_INERROR || status == PQTRANS_ACTIVE
    }

    /// Re-establishes the connection with the same parameters and re-issues `LISTEN`s.
    public func reset() throws(PostgresError) {
        guard let handle else { throw .misuse("connection is closed") }
        PQreset(handle)
        guard PQstatus(handle) == CONNECTION_OK else {
            throw PostgresError(kind: .connection, context: "could not reconnect",
                                unsafeServerMessage: String(cString: PQerrorMessage(handle)))
        }
        serverClosing.pointee = 0
        transactionDepth = 0
        sessionTransactionOpen = false
        resetCount += 1
        statementCache.forgetAll()
        if !breakReported { resetNotReported = true }
        breakReported = false
        for channel in listenedChannels {
            _ = try checked(execParams(handle, Query(unsafeSQL: "LISTEN " + Query.quoteIdentifier(channel))))
        }
    }

    // MARK: Statements

    /// Runs a statement and returns all its rows (for small results; see `stream` for big ones).
    public func query(_ q: Query) throws(PostgresError) -> [Row] {
        let result = try run(q)
        var rows: [Row] = []
        rows.reserveCapacity(result.rowCount)
        for i in 0..<Int32(result.rowCount) { rows.append(Row(result: result, index: i)) }
        return rows
    }

    /// Runs a statement and returns its first row, or nil when it returned none.
    public func queryFirst(_ q: Query) throws(PostgresError) -> Row? {
        let result = try run(q)
        return result.rowCount > 0 ? Row(result: result, index: 0) : nil
    }

    /// Runs a statement and returns the number of rows it affected (0 for DDL and the like).
    @discardableResult
    public func execute(_ q: Query) throws(PostgresError) -> Int {
        let result = try run(q)
        guard let tuples = PQcmdTuples(result.handle) else { return 0 }
        var n = 0
        var p = tuples
        while p.pointee >= 48 && p.pointee <= 57 { n = n * 10 + Int(p.pointee - 48); p += 1 }
        return n
    }

    /// Runs several `;`-separated statements without parameters (the simple query protocol,
    /// `PQexec`), e.g. a migration file. Still no named statements, so PgBouncer-safe.
    /// Never build the text from input.
    public func executeScript(unsafeSQL sql: String) throws(PostgresError) {
        let handle = try usableHandle()
        _ = PostgresResult(try checked(PQexec(handle, sql)))
    }

    func run(_ q: Query) throws(PostgresError) -> PostgresResult {
        let handle = try usableHandle()
        if statementCache.isEnabled && StatementCache.isPreparable(q.sql) {
            return PostgresResult(try execPrepared(handle, q))
        }
        return PostgresResult(try checked(execParams(handle, q)))
    }

    /// The handle, made ready for a new statement: probes an idle connection for a server-side
    /// close and resets a broken one when no transaction would be lost (see the type's doc).
    func usableHandle() throws(PostgresError) -> OpaquePointer {
        guard let handle else { throw .misuse("connection is closed") }
        if isStreaming { throw .misuse("a stream is still reading on this connection") }
        if transactionDepth > 0 || sessionTransactionOpen {
            // A transaction (ours, or a BEGIN sent by hand) would silently vanish with a reset.
            guard PQstatus(handle) == CONNECTION_OK, serverClosing.pointee == 0 else {
                sessionTransactionOpen = false   // reported once; the next statement reconnects
                throw connectionLost(handle)
            }
            return handle
        }
        if PQstatus(handle) == CONNECTION_OK, PQtransactionStatus(handle) == PQTRANS_IDLE {
            if !readPendingInput(handle) { try reset() }
        } else if PQstatus(handle) != CONNECTION_OK {
            try reset()
        }
        return handle
    }

    /// True when the connection is broken or the server said it is closing it.
    var needsReset: Bool {
        guard let handle else { return false }
        return PQstatus(handle) != CONNECTION_OK || serverClosing.pointee != 0
    }

    /// Reads whatever the server sent while the connection sat idle — notifications, or the
    /// `FATAL` message and end-of-file of a backend that was terminated — without blocking.
    /// One `poll(2)` when nothing came, which is the common case. False when the connection broke.
    func readPendingInput(_ handle: OpaquePointer) -> Bool {
        var fd = pollfd(fd: PQsocket(handle), events: Int16(POLLIN), revents: 0)
        var rounds = 0
        // The FATAL message and the end-of-file can take two reads; a busy channel can take a few more.
        while rounds < 16, poll(&fd, 1, 0) > 0 {
            if PQconsumeInput(handle) == 0 || PQstatus(handle) != CONNECTION_OK { return false }
            _ = PQisBusy(handle)   // parses what was read, so a FATAL notice reaches the receiver
            rounds += 1
        }
        return PQstatus(handle) == CONNECTION_OK && serverClosing.pointee == 0
    }

    func connectionLost(_ handle: OpaquePointer) -> PostgresError {
        PostgresError(kind: .connection, context: "connection lost",
                      unsafeServerMessage: String(cString: PQerrorMessage(handle)))
    }

    /// Returns a successful result or throws the error it carries (and frees it).
    func checked(_ result: OpaquePointer?) throws(PostgresError) -> OpaquePointer {
        guard let handle else { throw .misuse("connection is closed") }
        noteTransactionStatus(handle)
        guard let result else { throw connectionLost(handle) }
        let status = PQresultStatus(result)
        if status == PGRES_COMMAND_OK || status == PGRES_TUPLES_OK || status == PGRES_SINGLE_TUPLE
            || status == PGRES_EMPTY_QUERY {
            return result
        }
        let error = Connection.error(from: result, connectionBroken: PQstatus(handle) != CONNECTION_OK)
        PQclear(result)
        throw error
    }

    /// Remembers whether a transaction is open after a statement. A statement that found the
    /// connection broken has already reported the loss, so the next one may reconnect.
    func noteTransactionStatus(_ handle: OpaquePointer) {
        let status = PQtransactionStatus(handle)
        sessionTransactionOpen = status == PQTRANS_INTRANS || status == PQTRANS_INERROR
    }

    static func error(from result: OpaquePointer, connectionBroken: Bool) -> PostgresError {
        func field(_ code: Character) -> String? {
            guard let p = PQresultErrorField(result, Int32(code.asciiValue!)) else { return nil }
            return String(cString: p)
        }
        let state = field("C")
        var kind = state.map(PostgresError.kind(forSQLState:)) ?? .query
        if connectionBroken { kind = .connection }
        let message = String(cString: PQresultErrorMessage(result))
        return PostgresError(kind: kind, sqlState: state, unsafeServerMessage: message,
                             constraintName: field("n"), tableName: field("t"), columnName: field("c"))
    }

    /// `PQexecParams` with the query's binds laid out in one buffer.
    func execParams(_ handle: OpaquePointer, _ q: Query) throws(PostgresError) -> OpaquePointer? {
        try withParameters(q) { sql, n, types, values, lengths, formats in
            PQexecParams(handle, sql, n, types, values, lengths, formats, 0)
        }
    }

    typealias ParameterBody<R> = (UnsafePointer<CChar>, Int32, UnsafePointer<Oid>?, UnsafePointer<UnsafePointer<CChar>?>?,
                                  UnsafePointer<Int32>?, UnsafePointer<Int32>?) -> R

    func withParameters<R>(_ q: Query, _ body: ParameterBody<R>) throws(PostgresError) -> R {
        let binds = q.binds
        if binds.isEmpty {
            return q.sql.withCString { body($0, 0, nil, nil, nil, nil) }
        }
        var types = [Oid](repeating: 0, count: binds.count)
        var lengths = [Int32](repeating: 0, count: binds.count)
        var formats = [Int32](repeating: 0, count: binds.count)
        var offsets = [Int](repeating: -1, count: binds.count)
        var storage: [UInt8] = []
        storage.reserveCapacity(binds.reduce(0) { $0 + ($1.bytes?.count ?? 0) + 1 })
        for (k, bind) in binds.enumerated() {
            types[k] = bind.typeOID
            formats[k] = bind.format.rawValue
            guard let bytes = bind.bytes else { continue }
            if bind.format == .text, bytes.contains(0) {
                throw PostgresError(kind: .encoding, context: "parameter $\(k + 1) contains a NUL byte")
            }
            offsets[k] = storage.count
            lengths[k] = Int32(bytes.count)
            storage += bytes
            storage.append(0)   // text parameters are C strings
        }
        return storage.withUnsafeBufferPointer { buffer in
            var values = [UnsafePointer<CChar>?](repeating: nil, count: binds.count)
            if let base = buffer.baseAddress {
                let raw = UnsafeRawPointer(base)
                for k in 0..<binds.count where offsets[k] >= 0 {
                    values[k] = (raw + offsets[k]).assumingMemoryBound(to: CChar.self)
                }
            }
            return q.sql.withCString { sql in
                body(sql, Int32(binds.count), types, values, lengths, formats)
            }
        }
    }
}

/// Calls `body` with a NULL-terminated array of C strings.
private func withCStringArray<R>(_ strings: [String], _ body: (UnsafePointer<UnsafePointer<CChar>?>) -> R) -> R {
    var pointers: [UnsafeMutablePointer<CChar>?] = strings.map { strdup($0) }
    pointers.append(nil)
    defer { for p in pointers { free(p) } }
    return pointers.withUnsafeBufferPointer { buffer in
        buffer.baseAddress!.withMemoryRebound(to: UnsafePointer<CChar>?.self, capacity: buffer.count) { body($0) }
    }
}
