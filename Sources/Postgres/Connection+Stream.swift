import CLibPQ

extension Connection {
    /// Runs a query in libpq single-row mode and hands each row to `body` as it arrives, so a
    /// result of any size needs memory for one row at a time. A row must not be kept after
    /// `body` returns if memory matters. If `body` throws, the query is cancelled on the server,
    /// the rest of the result is drained, and the error is rethrown. No other statement may run
    /// on this connection from inside `body`.
    public func stream(_ q: Query, _ body: (Row) throws -> Void) throws {
        let handle = try usableHandle()
        let sent = try withParameters(q) { sql, n, types, values, lengths, formats in
            PQsendQueryParams(handle, sql, n, types, values, lengths, formats, 0)
        }
        guard sent == 1 else { throw connectionLost(handle) }
        if PQsetSingleRowMode(handle) != 1 {
            // Cannot happen right after a successful send; drain so the connection stays usable.
            while let r = PQgetResult(handle) { PQclear(r) }
            throw PostgresError.misuse("single-row mode refused")
        }
        isStreaming = true
        defer { isStreaming = false }

        var columns: ColumnTable? = nil
        var failure: (any Error)? = nil
        while let result = PQgetResult(handle) {
            if failure != nil {
                PQclear(result)     // draining after an error or a cancel
                continue
            }
            let status = PQresultStatus(result)
            if status == PGRES_SINGLE_TUPLE {
                let table = columns ?? ColumnTable(result)
                columns = table
                let owned = PostgresResult(result, columns: table)
                do {
                    try body(Row(result: owned, index: 0))
                } catch {
                    failure = error
                    cancel(handle)
                }
            } else if status == PGRES_TUPLES_OK || status == PGRES_COMMAND_OK {
                PQclear(result)
            } else {
                failure = Connection.error(from: result, connectionBroken: PQstatus(handle) != CONNECTION_OK)
                PQclear(result)
            }
        }
        noteTransactionStatus(handle)
        if let failure { throw failure }
    }

    /// Asks the server to stop the statement in flight (a separate short connection).
    private func cancel(_ handle: OpaquePointer) {
        guard let token = PQgetCancel(handle) else { return }
        var buffer = [CChar](repeating: 0, count: 256)
        _ = PQcancel(token, &buffer, Int32(buffer.count))
        PQfreeCancel(token)
    }
}
