import CLibPQ

/// Transaction isolation levels (`BEGIN ISOLATION LEVEL ...`).
public enum IsolationLevel: String, Sendable {
    case readCommitted = "READ COMMITTED"
    case repeatableRead = "REPEATABLE READ"
    case serializable = "SERIALIZABLE"
}

extension Connection {
    /// Runs `body` in a transaction: COMMIT when it returns, ROLLBACK when it throws (the error
    /// is rethrown). Nested calls use savepoints, so an inner failure rolls back only the inner
    /// part if the outer body catches it. If a statement inside failed but `body` swallowed the
    /// error, COMMIT would silently roll back; this throws `.transactionRolledBack` instead.
    ///
    /// `isolation`, `readOnly` and `genericPlans` apply to the outermost transaction (a nested
    /// one is a savepoint inside it and inherits them). `genericPlans` makes every statement in
    /// the transaction, trigger and foreign-key queries included, use its prepared generic plan
    /// (`SET LOCAL plan_cache_mode = force_generic_plan`, sent with the BEGIN in one round trip):
    /// for a hot path of key lookups whose custom plan PostgreSQL would otherwise keep planning
    /// on every execution (an `= ANY($1)` over a join, whose generic estimate is for more rows).
    @discardableResult
    public func transaction<T>(isolation: IsolationLevel? = nil, readOnly: Bool = false, genericPlans: Bool = false,
                               _ body: (Connection) throws -> T) throws -> T {
        let depth = transactionDepth
        let savepoint = "sf_savepoint_\(depth)"
        if depth == 0 {
            var begin = "BEGIN"
            if let isolation { begin += " ISOLATION LEVEL " + isolation.rawValue }
            if readOnly { begin += " READ ONLY" }
            if genericPlans {
                try executeScript(unsafeSQL: begin + "; SET LOCAL plan_cache_mode = force_generic_plan")
            } else {
                try execute(Query(unsafeSQL: begin))
            }
        } else {
            try execute(Query(unsafeSQL: "SAVEPOINT " + savepoint))
        }
        transactionDepth = depth + 1
        let value: T
        do {
            value = try body(self)
        } catch {
            rollback(toDepth: depth, savepoint: savepoint)
            throw error
        }
        if let handle, PQtransactionStatus(handle) == PQTRANS_INERROR {
            rollback(toDepth: depth, savepoint: savepoint)
            throw PostgresError(kind: .transactionRolledBack, context: "a statement inside the transaction failed")
        }
        if depth == 0 {
            let result: PostgresResult
            do {
                result = try run("COMMIT")
            } catch {
                transactionDepth = depth
                throw error
            }
            transactionDepth = depth
            if let status = PQcmdStatus(result.handle), String(cString: status) == "ROLLBACK" {
                throw PostgresError(kind: .transactionRolledBack, context: "the server rolled back at COMMIT")
            }
        } else {
            do {
                try execute(Query(unsafeSQL: "RELEASE SAVEPOINT " + savepoint))
            } catch {
                transactionDepth = depth
                throw error
            }
            transactionDepth = depth
        }
        return value
    }

    /// Best-effort rollback: the caller is already throwing, and a broken connection has nothing
    /// left to roll back (the server aborts the transaction when the connection goes).
    private func rollback(toDepth depth: Int, savepoint: String) {
        defer { transactionDepth = depth }
        guard let handle, PQstatus(handle) == CONNECTION_OK, !isStreaming else { return }
        let sql = depth == 0 ? "ROLLBACK" : "ROLLBACK TO SAVEPOINT \(savepoint); RELEASE SAVEPOINT \(savepoint)"
        if let result = PQexec(handle, sql) { PQclear(result) }
        noteTransactionStatus(handle)
    }
}
