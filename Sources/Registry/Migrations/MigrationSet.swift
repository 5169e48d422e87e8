import Crypto
import Foundation

/// One numbered SQL file of a migrations directory.
public struct MigrationFile: Sendable, Equatable {
    /// The file name without `.sql`, e.g. `0003_reviews`; the name recorded in the ledgers.
    public let name: String
    public let path: String
    public let sql: String
    /// SHA-256 of the file's bytes, lower-case hex.
    public let checksum: String

    public init(name: String, path: String, sql: String, checksum: String) {
        self.name = name
        self.path = path
        self.sql = sql
        self.checksum = checksum
    }

    public var fileName: String { name + ".sql" }

    /// The statements of the file, in order.
    public var statements: [String] { SQLScript.statements(sql) }
}

/// The migrations of one directory (`migrations/registry` or `migrations/tenant`), in order.
public struct MigrationSet: Sendable {
    public let directory: String
    public let files: [MigrationFile]

    /// Reads every `NNNN_name.sql` in `directory`, sorted by name.
    public init(directory: String) throws(RegistryError) {
        self.directory = directory
        guard let names = try? FileManager.default.contentsOfDirectory(atPath: directory) else {
            throw .migrationsUnreadable(directory)
        }
        var files: [MigrationFile] = []
        for fileName in names.sorted() where fileName.hasSuffix(".sql") {
            guard fileName.first?.isNumber == true else { continue }
            let path = directory + "/" + fileName
            guard let data = FileManager.default.contents(atPath: path) else { throw .migrationsUnreadable(path) }
            let bytes = [UInt8](data)
            files.append(MigrationFile(
                name: String(fileName.dropLast(4)), path: path,
                sql: String(decoding: bytes, as: UTF8.self),
                checksum: SHA256Digest.hash(bytes).map { String(format: "%02x", $0) }.joined()))
        }
        self.files = files
    }

    public init(directory: String, files: [MigrationFile]) {
        self.directory = directory
        self.files = files
    }

    /// The last migration's name, or nil when there is none.
    public var latest: String? { files.last?.name }

    public func file(named name: String) -> MigrationFile? { files.first { $0.name == name } }

    /// The files not yet in `applied` (name → checksum), after checking that every applied one is
    /// unchanged and still present. `scope` names the database for messages.
    public func pending(applied: [String: String], scope: String) throws(RegistryError) -> [MigrationFile] {
        for (name, checksum) in applied.sorted(by: { $0.key < $1.key }) {
            guard let file = file(named: name) else { throw .migrationMissing(file: name + ".sql", scope: scope) }
            if file.checksum != checksum {
                throw .migrationEdited(file: file.fileName, scope: scope, recorded: checksum, actual: file.checksum)
            }
        }
        return files.filter { applied[$0.name] == nil }
    }

    /// Default locations: `$STOREFLEET_MIGRATIONS_DIR/{registry,tenant}`, else `./migrations/...`.
    public static func defaultDirectory(_ kind: String, environment: [String: String]) -> String {
        let root = environment["STOREFLEET_MIGRATIONS_DIR"] ?? FileManager.default.currentDirectoryPath + "/migrations"
        return root + "/" + kind
    }
}
