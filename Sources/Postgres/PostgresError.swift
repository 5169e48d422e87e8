/// The one error type of the Postgres module.
///
/// `description` is safe to show or log anywhere: it never contains SQL, bound values or row
/// data, only the kind, the SQLSTATE and schema-level context (a column or constraint name).
/// The server's own message, which can quote data (`Key (email)=(a@b.c) already exists`), is kept
/// in `unsafeServerMessage` for logs that are allowed to hold it.
public struct PostgresError: Error, CustomStringConvertible, CustomDebugStringConvertible, CustomReflectable, Sendable {
    /// What went wrong, coarse enough to branch on.
    public enum Kind: String, Sendable, Equatable {
        /// Could not connect, or the connection broke (SQLSTATE class 08, 57P0x, 53300).
        case connection
        /// The server refused the credentials (28000, 28P01).
        case authenticationFailed
        /// The SQL does not parse (42601).
        case syntaxError
        /// A table or view does not exist (42P01).
        case undefinedTable
        /// A database, role, column, function or other object does not exist (3D000, 42704, 42703, 42883).
        case undefinedObject
        /// The object being created already exists (42P04, 42P06, 42P07, 42710, 42723).
        case duplicateObject
        /// The object is in use, e.g. a template database with open connections (55006).
        case objectInUse
        /// A unique or primary-key constraint (23505).
        case uniqueViolation
        /// A foreign-key constraint (23503).
        case foreignKeyViolation
        /// A NOT NULL constraint (23502).
        case notNullViolation
        /// A CHECK constraint (23514).
        case checkViolation
        /// An exclusion constraint (23P01).
        case exclusionViolation
        /// A value the server could not accept: bad text representation, out of range, too long (class 22).
        case invalidInput
        /// A serializable transaction must be retried (40001).
        case serializationFailure
        /// The server broke a deadlock by failing this statement (40P01).
        case deadlockDetected
        /// `NOWAIT` or `lock_timeout` gave up (55P03).
        case lockNotAvailable
        /// The statement was cancelled or timed out (57014).
        case queryCanceled
        /// The role lacks a privilege, or row-level security refused a row (42501).
        case insufficientPrivilege
        /// A PL/pgSQL `RAISE EXCEPTION` without its own SQLSTATE (P0001).
        case raiseException
        /// `transaction { }` reached COMMIT after an error inside it, so the server rolled back.
        case transactionRolledBack
        /// Any other error the server reported.
        case query
        /// A column could not be decoded into the requested Swift type.
        case decoding
        /// A value could not be sent, e.g. text holding a NUL byte.
        case encoding
        /// The API was used in a way it does not support (closed connection, nested stream).
        case misuse
    }

    /// The five-character SQLSTATE the server reported, if any.
    public let sqlState: String?
    public let kind: Kind
    /// The server's message and detail, which may quote data: for logs only, never for a page.
    public let unsafeServerMessage: String?
    /// Constraint, table and column the server named for the error (schema names, not data).
    public let constraintName: String?
    public let tableName: String?
    public let columnName: String?
    /// Safe context added by this module (a column name and type, a reason); never data.
    public let context: String?

    init(kind: Kind, sqlState: String? = nil, context: String? = nil, unsafeServerMessage: String? = nil,
         constraintName: String? = nil, tableName: String? = nil, columnName: String? = nil) {
        self.kind = kind
        self.sqlState = sqlState
        self.context = context
        self.unsafeServerMessage = unsafeServerMessage
        self.constraintName = constraintName
        self.tableName = tableName
        self.columnName = columnName
    }

    /// E.g. `database error (23505 unique_violation)`; no SQL, no data.
    public var description: String {
        var text: String
        switch kind {
        case .connection: text = "database connection error"
        case .authenticationFailed: text = "database authentication failed"
        case .decoding: text = "database decoding error"
        case .encoding: text = "database encoding error"
        case .misuse: text = "database API misuse"
        case .transactionRolledBack: text = "database transaction rolled back"
        default: text = "database error"
        }
        if let sqlState {
            let name = PostgresError.conditionNames[sqlState]
            text += " (" + sqlState + (name.map { " " + $0 } ?? "") + ")"
        }
        if let context { text += ": " + context }
        return text
    }

    /// The same as `description`: debug output must not leak data either.
    public var debugDescription: String { description }

    /// `dump()` and debuggers show the safe fields only.
    public var customMirror: Mirror {
        Mirror(self, children: ["kind": kind, "sqlState": sqlState as Any, "context": context as Any,
                                "constraintName": constraintName as Any], displayStyle: .struct)
    }

    /// True for errors after which the same statement may succeed if retried in a new transaction.
    public var isTransient: Bool {
        switch kind {
        case .serializationFailure, .deadlockDetected, .lockNotAvailable, .connection: return true
        default: return false
        }
    }

    static func decoding(_ context: String) -> PostgresError { PostgresError(kind: .decoding, context: context) }
    static func misuse(_ context: String) -> PostgresError { PostgresError(kind: .misuse, context: context) }

    /// The kind for a server SQLSTATE.
    static func kind(forSQLState state: String) -> Kind {
        switch state {
        case "23505": return .uniqueViolation
        case "23503": return .foreignKeyViolation
        case "23502": return .notNullViolation
        case "23514": return .checkViolation
        case "23P01": return .exclusionViolation
        case "40001": return .serializationFailure
        case "40P01": return .deadlockDetected
        case "55P03": return .lockNotAvailable
        case "55006": return .objectInUse
        case "57014": return .queryCanceled
        case "42601": return .syntaxError
        case "42P01": return .undefinedTable
        case "3D000", "42704", "42703", "42883", "3F000": return .undefinedObject
        case "42P04", "42P06", "42P07", "42710", "42723": return .duplicateObject
        case "42501": return .insufficientPrivilege
        case "28000", "28P01": return .authenticationFailed
        case "P0001": return .raiseException
        case "57P01", "57P02", "57P03", "53300": return .connection
        default:
            if state.hasPrefix("08") { return .connection }
            if state.hasPrefix("22") { return .invalidInput }
            return .query
        }
    }

    /// Condition names (PostgreSQL Appendix A) for the states an operator most often meets.
    static let conditionNames: [String: String] = [
        "08000": "connection_exception", "08003": "connection_does_not_exist",
        "08006": "connection_failure", "08001": "sqlclient_unable_to_establish_sqlconnection",
        "08004": "sqlserver_rejected_establishment_of_sqlconnection", "08P01": "protocol_violation",
        "0A000": "feature_not_supported",
        "22001": "string_data_right_truncation", "22003": "numeric_value_out_of_range",
        "22007": "invalid_datetime_format", "22008": "datetime_field_overflow",
        "22012": "division_by_zero", "22021": "character_not_in_repertoire",
        "22P02": "invalid_text_representation", "22023": "invalid_parameter_value",
        "23502": "not_null_violation", "23503": "foreign_key_violation", "23505": "unique_violation",
        "23514": "check_violation", "23P01": "exclusion_violation",
        "25001": "active_sql_transaction", "25006": "read_only_sql_transaction",
        "25P02": "in_failed_sql_transaction",
        "28000": "invalid_authorization_specification", "28P01": "invalid_password",
        "2BP01": "dependent_objects_still_exist", "3D000": "invalid_catalog_name",
        "3F000": "invalid_schema_name",
        "40001": "serialization_failure", "40P01": "deadlock_detected",
        "42501": "insufficient_privilege", "42601": "syntax_error", "42P01": "undefined_table",
        "42703": "undefined_column", "42704": "undefined_object", "42883": "undefined_function",
        "42P02": "undefined_parameter", "42P04": "duplicate_database", "42P06": "duplicate_schema",
        "42P07": "duplicate_table", "42710": "duplicate_object", "42723": "duplicate_function",
        "42804": "datatype_mismatch", "42P18": "indeterminate_datatype",
        "53300": "too_many_connections", "55006": "object_in_use", "55P03": "lock_not_available",
        "57014": "query_canceled", "57P01": "admin_shutdown", "57P02": "crash_shutdown",
        "57P03": "cannot_connect_now", "P0001": "raise_exception",
    ]
}
