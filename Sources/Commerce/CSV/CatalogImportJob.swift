import Foundation
import Postgres

/// A CSV import as its progress page shows it.
public struct CatalogImportStatus: Sendable, Hashable {
    public let id: Int64
    /// queued, validating, writing, succeeded or failed.
    public let status: String
    public let filename: String
    public let rowsTotal: Int?
    public let rowsProcessed: Int
    public let productsCreated: Int
    public let productsUpdated: Int
    public let errorCount: Int
    public let errors: [CatalogImportRowError]
    public let createdAt: Date
    public let finishedAt: Date?

    public var isFinished: Bool { status == "succeeded" || status == "failed" }
    /// 0–100, for a progress bar.
    public var percent: Int {
        if isFinished { return 100 }
        guard let total = rowsTotal, total > 0 else { return 0 }
        return min(99, rowsProcessed * 100 / total)
    }
}

extension CatalogImport {
    /// The job kind the outbox hands to `storefleet jobs` (payload `{"import_id": N}`).
    public static let jobKind = "catalog.import"
    public static let maximumFileBytes = 50 * 1024 * 1024

    /// Keeps the uploaded file and queues its import through the store's outbox, in one
    /// transaction. Returns the import's id, for its progress page.
    public static func enqueue(file: [UInt8], filename: String, overwrite: Bool = true, by actor: CatalogActor,
                               on db: Connection) throws -> Int64 {
        if file.isEmpty { throw CatalogValidation("file", "Choose a CSV file to import.") }
        if file.count > maximumFileBytes { throw CatalogValidation("file", "The file is larger than 50 MB; split it in parts.") }
        return try db.transaction { db in
            guard let row = try db.queryFirst("""
                INSERT INTO catalog_imports (filename, content, byte_size, overwrite, created_by)
                VALUES (\(String(filename.prefix(255))), \(file), \(file.count), \(overwrite), \(actor.label))
                RETURNING id
                """) else { throw CommerceError.missingResult("queueing an import") }
            let id: Int64 = try row.decode("id")
            try db.execute("""
                INSERT INTO outbox (topic, payload) VALUES (\(jobKind), jsonb_build_object('import_id', \(id)::bigint))
                """)
            try CatalogAudit.record("catalog.import_queued", subjectType: "catalog_import", subjectId: id,
                                    details: ["filename": .text(filename), "bytes": .number(Int64(file.count))], by: actor, on: db)
            return id
        }
    }

    /// Runs a queued import (the `catalog.import` job). `progress` is a second connection to the
    /// same store, outside the import's transaction, so the progress page sees the counts move.
    /// A finished import is not run again (a retried job does nothing).
    public static func run(importId: Int64, on db: Connection, progress: Connection) throws {
        guard let row = try progress.queryFirst("""
            SELECT status, content, overwrite, created_by FROM catalog_imports WHERE id = \(importId)
            """) else { throw CatalogAdminError.notFound("import") }
        let status: String = try row.decode("status")
        if status == "succeeded" || status == "failed" { return }
        let content: [UInt8] = try row.decode("content")
        let actor = CatalogActor(kind: "system", id: jobKind, label: try row.decode("created_by"))

        var counter = CSVReader(bytes: content)
        var total = 0
        do { while try counter.next() != nil { total += 1 } } catch {}
        try progress.execute("""
            UPDATE catalog_imports SET status = 'validating', started_at = now(), rows_total = \(max(0, total - 1)),
                rows_processed = 0 WHERE id = \(importId)
            """)

        var reader = CSVReader(bytes: content)
        let overwrite: Bool = try row.decode("overwrite")
        let result = try importCSV(&reader, overwrite: overwrite, by: actor, on: db) { rows in
            try progress.execute("UPDATE catalog_imports SET rows_processed = \(rows) WHERE id = \(importId)")
        }
        let errors = try JSON(encoding: result.errors)
        try db.transaction { db in
            try db.execute("""
                UPDATE catalog_imports SET status = \(result.succeeded ? "succeeded" : "failed"), finished_at = now(),
                    rows_processed = \(result.rowsRead), products_created = \(result.productsCreated),
                    products_updated = \(result.productsUpdated), error_count = \(result.errors.count),
                    row_errors = \(errors)::jsonb, content = ''::bytea
                WHERE id = \(importId)
                """)
            try CatalogAudit.record(result.succeeded ? "catalog.import" : "catalog.import_rejected", subjectType: "catalog_import",
                                    subjectId: importId,
                                    details: ["created": .number(Int64(result.productsCreated)),
                                              "updated": .number(Int64(result.productsUpdated)),
                                              "errors": .number(Int64(result.errors.count))], by: actor, on: db)
        }
    }

    public static func status(_ id: Int64, on db: Connection) throws -> CatalogImportStatus? {
        try db.queryFirst(statusSelect + " WHERE id = \(id)").map(CatalogImportStatus.init(row:))
    }

    /// The latest imports, newest first.
    public static func recent(limit: Int = 10, on db: Connection) throws -> [CatalogImportStatus] {
        try db.query(statusSelect + " ORDER BY created_at DESC, id DESC LIMIT \(limit)").map(CatalogImportStatus.init(row:))
    }

    static let statusSelect: Query = """
        SELECT id, status, filename, rows_total, rows_processed, products_created, products_updated, error_count,
               row_errors::text AS row_errors, created_at, finished_at
        FROM catalog_imports
        """
}

extension CatalogImportStatus {
    init(row: Row) throws {
        id = try row.decode("id")
        status = try row.decode("status")
        filename = try row.decode("filename")
        rowsTotal = try row.decode("rows_total")
        rowsProcessed = try row.decode("rows_processed")
        productsCreated = try row.decode("products_created")
        productsUpdated = try row.decode("products_updated")
        errorCount = try row.decode("error_count")
        errors = try JSON(rawText: try row.decode("row_errors")).decode([CatalogImportRowError].self)
        createdAt = try row.decode("created_at")
        finishedAt = try row.decode("finished_at")
    }
}
