import Postgres

/// What was wrong with a catalog write, field by field, for the admin's forms (each message shown
/// next to its field) and for CSV imports. Nothing was written when this is thrown.
///
/// Field keys are the input's property names (`title`, `handle`, `seo_description`), with an index
/// for repeated parts: `options.0.name`, `variants.2.sku`.
public struct CatalogValidation: Error, Sendable, CustomStringConvertible {
    public struct FieldError: Sendable, Hashable {
        public let field: String
        public let message: String
    }

    public private(set) var errors: [FieldError] = []

    public init() {}

    public init(_ field: String, _ message: String) {
        add(field, message)
    }

    public var isEmpty: Bool { errors.isEmpty }

    /// Records the first problem of `field`; later ones for the same field are dropped.
    public mutating func add(_ field: String, _ message: String) {
        if !errors.contains(where: { $0.field == field }) { errors.append(FieldError(field: field, message: message)) }
    }

    public subscript(field: String) -> String? { errors.first { $0.field == field }?.message }

    /// Throws self when anything was recorded.
    public func throwIfAny() throws(CatalogValidation) {
        if !errors.isEmpty { throw self }
    }

    public var description: String {
        errors.map { "\($0.field): \($0.message)" }.joined(separator: "; ")
    }
}

/// Who made a catalog change, for the store's audit log.
public struct CatalogActor: Sendable, Hashable {
    /// `user`, `system` or `api` (the audit log's actor kinds).
    public let kind: String
    public let id: String?
    public let label: String
    public let requestId: String?
    public let ipAddress: String?

    public init(kind: String = "user", id: String?, label: String = "", requestId: String? = nil, ipAddress: String? = nil) {
        self.kind = kind
        self.id = id
        self.label = label
        self.requestId = requestId
        self.ipAddress = ipAddress
    }

    public static func system(_ name: String) -> CatalogActor { CatalogActor(kind: "system", id: name, label: name) }

    /// `user:12`, as inventory movements record who moved stock.
    var movementLabel: String { kind + ":" + (id ?? "") }
}

/// One entry of the store's audit log, written in the caller's transaction.
enum CatalogAudit {
    static func record(_ action: String, subjectType: String, subjectId: Int64?, details: [String: AuditValue] = [:],
                       by actor: CatalogActor, on db: Connection) throws {
        let json = try JSON(encoding: details)
        try db.execute("""
            INSERT INTO audit_log (actor_kind, actor_id, actor_label, action, subject_type, subject_id, details,
                                   request_id, ip_address)
            VALUES (\(actor.kind), \(actor.id), \(actor.label), \(action), \(subjectType), \(subjectId.map(String.init)),
                    \(json)::jsonb, \(actor.requestId), \(actor.ipAddress)::inet)
            """)
    }
}

/// A value in an audit entry's details.
enum AuditValue: Encodable, Sendable {
    case text(String)
    case number(Int64)
    case list([String])
    case numbers([Int64])

    func encode(to encoder: Encoder) throws {
        var c = encoder.singleValueContainer()
        switch self {
        case .text(let s): try c.encode(s)
        case .number(let n): try c.encode(n)
        case .list(let l): try c.encode(l)
        case .numbers(let l): try c.encode(l)
        }
    }
}
