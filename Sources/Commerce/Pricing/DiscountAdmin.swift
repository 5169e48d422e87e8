import Foundation
import Postgres

/// A discount code as the admin's form submits it (amounts already parsed to minor units,
/// the percentage to ppm).
public struct DiscountInput: Sendable, Hashable {
    public var code: String
    public var kind: DiscountRule.Kind
    public var percentPpm: Int?
    public var amountMinor: Int64?
    public var minimumSubtotalMinor: Int64?
    public var appliesTo: DiscountRule.AppliesTo
    public var productIds: [Int64]
    public var collectionIds: [Int64]
    public var startsAt: Date?
    public var endsAt: Date?
    public var usageLimit: Int?
    public var perCustomerLimit: Int?
    public var enabled: Bool

    public init(code: String, kind: DiscountRule.Kind = .percentage, percentPpm: Int? = nil, amountMinor: Int64? = nil,
                minimumSubtotalMinor: Int64? = nil, appliesTo: DiscountRule.AppliesTo = .all, productIds: [Int64] = [],
                collectionIds: [Int64] = [], startsAt: Date? = nil, endsAt: Date? = nil, usageLimit: Int? = nil,
                perCustomerLimit: Int? = nil, enabled: Bool = true) {
        self.code = code
        self.kind = kind
        self.percentPpm = percentPpm
        self.amountMinor = amountMinor
        self.minimumSubtotalMinor = minimumSubtotalMinor
        self.appliesTo = appliesTo
        self.productIds = productIds
        self.collectionIds = collectionIds
        self.startsAt = startsAt
        self.endsAt = endsAt
        self.usageLimit = usageLimit
        self.perCustomerLimit = perCustomerLimit
        self.enabled = enabled
    }
}

/// A discount code as the admin lists it.
public struct DiscountRecord: Sendable, Hashable {
    public let id: Int64
    public let input: DiscountInput
    public let timesUsed: Int

    /// `active`, `scheduled`, `expired`, `used_up` or `disabled`, at `now`.
    public func status(now: Date) -> String {
        if !input.enabled { return "disabled" }
        if let s = input.startsAt, now < s { return "scheduled" }
        if let e = input.endsAt, now >= e { return "expired" }
        if let l = input.usageLimit, timesUsed >= l { return "used_up" }
        return "active"
    }
}

/// Discount codes in the admin: list, create, edit, enable/disable, delete. Writes validate
/// first (a `CatalogValidation` keyed by form field; nothing written) and are audit-logged.
public enum DiscountAdmin {
    static let columns: Query = """
        id, code, kind, percent_ppm, amount_minor, minimum_subtotal_minor, applies_to, starts_at, ends_at,
        usage_limit, per_customer_limit, times_used, enabled,
        ARRAY(SELECT product_id FROM discount_code_products p WHERE p.discount_code_id = d.id ORDER BY product_id) AS product_ids,
        ARRAY(SELECT collection_id FROM discount_code_collections c WHERE c.discount_code_id = d.id ORDER BY collection_id) AS collection_ids
        """

    public static func list(on db: Connection) throws -> [DiscountRecord] {
        try db.query("SELECT \(columns) FROM discount_codes d ORDER BY d.created_at DESC, d.id DESC").map(record)
    }

    public static func load(_ id: Int64, on db: Connection) throws -> DiscountRecord? {
        try db.queryFirst("SELECT \(columns) FROM discount_codes d WHERE d.id = \(id)").map(record)
    }

    static func record(_ row: Row) throws -> DiscountRecord {
        DiscountRecord(id: try row.decode("id"), input: DiscountInput(
            code: try row.decode("code"), kind: DiscountRule.Kind(rawValue: try row.decode("kind")) ?? .percentage,
            percentPpm: try row.decode("percent_ppm"), amountMinor: try row.decode("amount_minor"),
            minimumSubtotalMinor: try row.decode("minimum_subtotal_minor"),
            appliesTo: DiscountRule.AppliesTo(rawValue: try row.decode("applies_to")) ?? .all,
            productIds: try row.decode("product_ids"), collectionIds: try row.decode("collection_ids"),
            startsAt: try row.decode("starts_at"), endsAt: try row.decode("ends_at"), usageLimit: try row.decode("usage_limit"),
            perCustomerLimit: try row.decode("per_customer_limit"), enabled: try row.decode("enabled")),
            timesUsed: try row.decode("times_used"))
    }

    /// Field-level problems that need no database (form keys: code, value, minimum_subtotal,
    /// ends_at, usage_limit, per_customer_limit, products, collections).
    public static func problems(with input: DiscountInput) -> CatalogValidation {
        var errors = CatalogValidation()
        let code = input.code.trimmedWhitespace()
        if code.isEmpty { errors.add("code", "Enter a code, like SUMMER10.") }
        else if code.count > 64 { errors.add("code", "A code must be at most 64 characters.") }
        else if code.unicodeScalars.contains(where: { $0.properties.isWhitespace || $0.value < 0x20 }) {
            errors.add("code", "A code cannot contain spaces.")
        }
        switch input.kind {
        case .percentage:
            if let p = input.percentPpm {
                if p <= 0 { errors.add("value", "The percentage must be more than 0.") }
                else if p > 1_000_000 { errors.add("value", "The percentage cannot be more than 100.") }
            } else { errors.add("value", "Enter the percentage off, like 10.") }
        case .fixedAmount:
            if let a = input.amountMinor { if a <= 0 { errors.add("value", "The amount must be more than 0.") } }
            else { errors.add("value", "Enter the amount off.") }
        case .freeShipping: break
        }
        if let s = input.startsAt, let e = input.endsAt, e <= s { errors.add("ends_at", "The end must be after the start.") }
        if let l = input.usageLimit, l <= 0 { errors.add("usage_limit", "Enter a limit of 1 or more, or leave it empty.") }
        if let l = input.perCustomerLimit, l <= 0 { errors.add("per_customer_limit", "Enter a limit of 1 or more, or leave it empty.") }
        if input.appliesTo == .products && input.productIds.isEmpty { errors.add("products", "Choose at least one product.") }
        if input.appliesTo == .collections && input.collectionIds.isEmpty { errors.add("collections", "Choose at least one collection.") }
        return errors
    }

    @discardableResult
    public static func save(_ id: Int64?, _ raw: DiscountInput, by actor: CatalogActor, on db: Connection) throws -> Int64 {
        var input = raw
        input.code = raw.code.trimmedWhitespace()
        if input.kind != .percentage { input.percentPpm = nil }
        if input.kind != .fixedAmount { input.amountMinor = nil }
        if input.appliesTo != .products { input.productIds = [] }
        if input.appliesTo != .collections { input.collectionIds = [] }
        input.productIds = Array(Set(input.productIds)).sorted()
        input.collectionIds = Array(Set(input.collectionIds)).sorted()
        return try db.transaction { db in
            var errors = problems(with: input)
            if errors["code"] == nil,
               try db.queryFirst("SELECT 1 FROM discount_codes WHERE upper(code) = upper(\(input.code)) AND id <> \(id ?? 0)") != nil {
                errors.add("code", "Another discount already uses the code “\(input.code)”.")
            }
            if let id, try db.queryFirst("SELECT times_used FROM discount_codes WHERE id = \(id) FOR UPDATE") == nil {
                throw CatalogAdminError.notFound("discount")
            }
            if let id, let limit = input.usageLimit,
               let used = try db.queryFirst("SELECT times_used FROM discount_codes WHERE id = \(id)")?.decode("times_used", as: Int.self),
               limit < used {
                errors.add("usage_limit", "This code was already used \(used) times; the limit cannot be lower.")
            }
            if !input.productIds.isEmpty,
               try db.queryFirst("SELECT count(*)::int AS n FROM products WHERE id = ANY(\(input.productIds)::int8[])")?
                .decode("n", as: Int.self) != input.productIds.count {
                errors.add("products", "Some of the chosen products no longer exist.")
            }
            if !input.collectionIds.isEmpty,
               try db.queryFirst("SELECT count(*)::int AS n FROM collections WHERE id = ANY(\(input.collectionIds)::int8[])")?
                .decode("n", as: Int.self) != input.collectionIds.count {
                errors.add("collections", "Some of the chosen collections no longer exist.")
            }
            try errors.throwIfAny()
            let discountId: Int64
            if let id {
                try db.execute("""
                    UPDATE discount_codes SET code = \(input.code), kind = \(input.kind.rawValue), percent_ppm = \(input.percentPpm),
                        amount_minor = \(input.amountMinor), minimum_subtotal_minor = \(input.minimumSubtotalMinor),
                        applies_to = \(input.appliesTo.rawValue), starts_at = \(input.startsAt), ends_at = \(input.endsAt),
                        usage_limit = \(input.usageLimit), per_customer_limit = \(input.perCustomerLimit), enabled = \(input.enabled)
                    WHERE id = \(id)
                    """)
                discountId = id
            } else {
                guard let row = try db.queryFirst("""
                    INSERT INTO discount_codes (code, kind, percent_ppm, amount_minor, minimum_subtotal_minor, applies_to,
                                                starts_at, ends_at, usage_limit, per_customer_limit, enabled)
                    VALUES (\(input.code), \(input.kind.rawValue), \(input.percentPpm), \(input.amountMinor),
                            \(input.minimumSubtotalMinor), \(input.appliesTo.rawValue), \(input.startsAt), \(input.endsAt),
                            \(input.usageLimit), \(input.perCustomerLimit), \(input.enabled))
                    RETURNING id
                    """) else { throw CommerceError.missingResult("inserting a discount code") }
                discountId = try row.decode("id")
            }
            try db.execute("""
                DELETE FROM discount_code_products WHERE discount_code_id = \(discountId)
                  AND NOT (product_id = ANY(\(input.productIds)::int8[]))
                """)
            try db.execute("""
                INSERT INTO discount_code_products (discount_code_id, product_id)
                SELECT \(discountId), p FROM unnest(\(input.productIds)::int8[]) AS p ON CONFLICT DO NOTHING
                """)
            try db.execute("""
                DELETE FROM discount_code_collections WHERE discount_code_id = \(discountId)
                  AND NOT (collection_id = ANY(\(input.collectionIds)::int8[]))
                """)
            try db.execute("""
                INSERT INTO discount_code_collections (discount_code_id, collection_id)
                SELECT \(discountId), c FROM unnest(\(input.collectionIds)::int8[]) AS c ON CONFLICT DO NOTHING
                """)
            try CatalogAudit.record(id == nil ? "discount.create" : "discount.update", subjectType: "discount",
                                    subjectId: discountId,
                                    details: ["code": .text(input.code), "kind": .text(input.kind.rawValue),
                                              "enabled": .text(String(input.enabled))], by: actor, on: db)
            return discountId
        }
    }

    public static func setEnabled(_ id: Int64, _ enabled: Bool, by actor: CatalogActor, on db: Connection) throws {
        try db.transaction { db in
            guard let row = try db.queryFirst("UPDATE discount_codes SET enabled = \(enabled) WHERE id = \(id) RETURNING code") else {
                throw CatalogAdminError.notFound("discount")
            }
            try CatalogAudit.record(enabled ? "discount.enable" : "discount.disable", subjectType: "discount", subjectId: id,
                                    details: ["code": .text(try row.decode("code"))], by: actor, on: db)
        }
    }

    /// Deletes the code; orders keep the code's text (`orders.discount_code`), its uses go.
    public static func delete(_ id: Int64, by actor: CatalogActor, on db: Connection) throws {
        try db.transaction { db in
            guard let row = try db.queryFirst("DELETE FROM discount_codes WHERE id = \(id) RETURNING code") else {
                throw CatalogAdminError.notFound("discount")
            }
            try CatalogAudit.record("discount.delete", subjectType: "discount", subjectId: id,
                                    details: ["code": .text(try row.decode("code"))], by: actor, on: db)
        }
    }
}
