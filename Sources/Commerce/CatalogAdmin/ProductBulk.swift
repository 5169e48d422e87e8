import Postgres

/// What the admin list's bulk menu does to the checked products.
public enum ProductBulkAction: Sendable, Hashable {
    case publish, archive, setDraft, delete
    /// Every variant's price.
    case setPrice(minor: Int64)
    /// Every tracked variant's stock.
    case setStock(Int)

    var auditName: String {
        switch self {
        case .publish: return "publish"
        case .archive: return "archive"
        case .setDraft: return "draft"
        case .delete: return "delete"
        case .setPrice: return "set_price"
        case .setStock: return "set_stock"
        }
    }
}

extension ProductAdmin {
    public static let maximumBulkSize = 1000

    /// Applies `action` to the products `ids` in one transaction (all or none); returns how many
    /// products it changed. One audit entry lists them.
    @discardableResult
    public static func bulk(_ action: ProductBulkAction, ids rawIds: [Int64], by actor: CatalogActor, on db: Connection) throws -> Int {
        let ids = Array(Set(rawIds)).sorted()
        if ids.isEmpty { throw CatalogValidation("ids", "Select at least one product.") }
        if ids.count > maximumBulkSize { throw CatalogValidation("ids", "Select at most \(maximumBulkSize) products at a time.") }
        switch action {
        case .setPrice(let minor) where minor < 0 || minor > ProductInput.maximumAmountMinor:
            throw CatalogValidation("price", "Enter a price of zero or more.")
        case .setStock(let quantity) where quantity < 0 || quantity > ProductInput.maximumQuantity:
            throw CatalogValidation("quantity", "Enter a quantity of zero or more.")
        default: break
        }
        return try db.transaction { db in
            let changed: Int
            switch action {
            case .publish: changed = try setStatus(.active, ids, on: db)
            case .archive: changed = try setStatus(.archived, ids, on: db)
            case .setDraft: changed = try setStatus(.draft, ids, on: db)
            case .delete:
                changed = try db.execute("DELETE FROM products WHERE id = ANY(\(ids))")
            case .setPrice(let minor):
                changed = try db.query("""
                    WITH repriced AS (
                        UPDATE variants SET price_minor = \(minor) WHERE product_id = ANY(\(ids)) AND price_minor <> \(minor)
                        RETURNING product_id
                    )
                    SELECT DISTINCT product_id FROM repriced
                    """).count
                try CollectionAdmin.refreshAutomaticMembership(productIds: ids, on: db)
            case .setStock(let quantity):
                let q = Int32(quantity)
                changed = try db.query("""
                    WITH old AS (
                        SELECT id, product_id, inventory_quantity AS quantity FROM variants
                        WHERE product_id = ANY(\(ids)) AND inventory_tracked AND inventory_quantity <> \(q) FOR UPDATE
                    ), moved AS (
                        UPDATE variants v SET inventory_quantity = \(q) FROM old WHERE v.id = old.id
                        RETURNING v.id, v.product_id, old.quantity
                    ), logged AS (
                        INSERT INTO inventory_movements (variant_id, delta, quantity_after, reason, actor)
                        SELECT id, \(q) - quantity, \(q), 'adjustment', \(actor.movementLabel) FROM moved
                    )
                    SELECT DISTINCT product_id FROM moved
                    """).count
                try CollectionAdmin.refreshAutomaticMembership(productIds: ids, on: db)
            }
            var details: [String: AuditValue] = ["ids": .numbers(ids), "changed": .number(Int64(changed))]
            if case .setPrice(let minor) = action { details["price_minor"] = .number(minor) }
            if case .setStock(let quantity) = action { details["quantity"] = .number(Int64(quantity)) }
            try CatalogAudit.record("product.bulk_" + action.auditName, subjectType: "product", subjectId: nil,
                                    details: details, by: actor, on: db)
            return changed
        }
    }

    private static func setStatus(_ status: ProductStatus, _ ids: [Int64], on db: Connection) throws -> Int {
        try db.execute("UPDATE products SET status = \(status.rawValue) WHERE id = ANY(\(ids)) AND status <> \(status.rawValue)")
    }
}
