import CLibPQ

/// Column names and types of a result, shared by every row of it (and by every row of a stream).
final class ColumnTable {
    let names: [String]
    let types: [UInt32]

    init(_ result: OpaquePointer) {
        let n = Int(PQnfields(result))
        var names: [String] = []
        var types: [UInt32] = []
        names.reserveCapacity(n)
        types.reserveCapacity(n)
        for i in 0..<Int32(n) {
            names.append(String(cString: PQfname(result, i)))
            types.append(PQftype(result, i))
        }
        self.names = names
        self.types = types
    }

    @inline(__always)
    func index(of name: String) -> Int? {
        for i in names.indices where names[i] == name { return i }
        return nil
    }
}

/// Owns one `PGresult` and frees it when the last row referring to it goes.
final class PostgresResult {
    let handle: OpaquePointer
    let columns: ColumnTable
    let rowCount: Int

    init(_ handle: OpaquePointer, columns: ColumnTable? = nil) {
        self.handle = handle
        self.columns = columns ?? ColumnTable(handle)
        self.rowCount = Int(PQntuples(handle))
    }

    deinit { PQclear(handle) }
}

/// One result row. Decoding reads libpq's buffer directly; nothing is copied until a value is.
public struct Row {
    let result: PostgresResult
    let index: Int32

    /// The number of columns.
    public var columnCount: Int { result.columns.names.count }
    /// Column names in order.
    public var columnNames: [String] { result.columns.names }

    /// Decodes the named column (the first one of that name). Non-optional types throw on NULL.
    public func decode<T: PostgresDecodable>(_ column: String, as type: T.Type = T.self) throws(PostgresError) -> T {
        guard let i = result.columns.index(of: column) else {
            throw .decoding("no column \"\(column)\" in the result")
        }
        return try decodeField(i, column: column, as: type)
    }

    /// Decodes the column at a zero-based index.
    public func decode<T: PostgresDecodable>(_ column: Int, as type: T.Type = T.self) throws(PostgresError) -> T {
        guard column >= 0, column < result.columns.names.count else {
            throw .decoding("no column \(column) in a result of \(result.columns.names.count)")
        }
        return try decodeField(column, column: result.columns.names[column], as: type)
    }

    /// Whether the named column is NULL in this row.
    public func isNull(_ column: String) -> Bool {
        guard let i = result.columns.index(of: column) else { return true }
        return PQgetisnull(result.handle, index, Int32(i)) != 0
    }

    @inline(__always)
    private func decodeField<T: PostgresDecodable>(_ i: Int, column: String, as type: T.Type) throws(PostgresError) -> T {
        let field = Int32(i)
        let typeOID = result.columns.types[i]
        let value: PostgresValue
        if PQgetisnull(result.handle, index, field) != 0 {
            value = PostgresValue(bytes: nil, typeOID: typeOID)
        } else {
            let pointer = PQgetvalue(result.handle, index, field)
            let length = Int(PQgetlength(result.handle, index, field))
            value = PostgresValue(bytes: UnsafeRawBufferPointer(start: pointer, count: length), typeOID: typeOID)
        }
        do {
            return try T.decode(postgres: value)
        } catch {
            let reason = error.context ?? "invalid value"
            throw .decoding("column \"\(column)\" (type \(typeOID)) as \(T.self): \(reason)")
        }
    }
}
